-- caselens schema, version 4: bookkeeping for the KPI facts (src/kpi/facts.ts).
-- The facts themselves (kpi_fact_* tables and kpi_* enum types) are derived data, rebuilt
-- whole from the canonical tables; this row says whether they still match them.
CREATE TABLE kpi_facts_state (
  id           INTEGER PRIMARY KEY,
  -- set by every write to a table the facts are built from, in the writer's own transaction
  stale        BOOLEAN NOT NULL,
  built_at     TIMESTAMP,
  -- the KPI settings baked into the facts (status lists, baseline instruments)
  config_hash  VARCHAR,
  -- row counts of the source tables when built: catches writers that do not mark the facts stale
  source_sizes VARCHAR,
  build_ms     INTEGER,
  -- sizes the KPI SQL needs (number of clients, groups per grouping column), as JSON
  meta         VARCHAR
);
INSERT INTO kpi_facts_state (id, stale) VALUES (1, true);
