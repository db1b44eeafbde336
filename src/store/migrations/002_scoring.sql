-- Scoring notes against an outcome framework, with citations verified against the note.
-- A note is scored once per (text hash, framework id+version, scorer, model, prompt version).

CREATE TABLE score_runs (
  run_id             INTEGER PRIMARY KEY,
  started_at         TIMESTAMP NOT NULL,
  finished_at        TIMESTAMP,
  status             VARCHAR NOT NULL,      -- running | succeeded | stopped | failed
  scorer             VARCHAR NOT NULL,      -- offline | llm
  model              VARCHAR NOT NULL,
  prompt_version     VARCHAR NOT NULL,
  framework_id       VARCHAR NOT NULL,
  framework_version  VARCHAR NOT NULL,
  notes_selected     BIGINT,
  notes_scored       BIGINT,
  notes_failed       BIGINT,
  tags               BIGINT,
  citations_exact      BIGINT,
  citations_normalized BIGINT,
  citations_fuzzy      BIGINT,
  citations_rejected   BIGINT,
  tags_dropped       BIGINT,
  requests           BIGINT,
  prompt_tokens      BIGINT,
  completion_tokens  BIGINT,
  cost_usd           DOUBLE,
  message            VARCHAR
);

-- One row per note and scoring configuration: what was done, or why it failed.
CREATE TABLE note_scores (
  note_id           VARCHAR NOT NULL,
  text_sha256       VARCHAR NOT NULL,
  framework_id      VARCHAR NOT NULL,
  framework_version VARCHAR NOT NULL,
  scorer            VARCHAR NOT NULL,
  model             VARCHAR NOT NULL,
  prompt_version    VARCHAR NOT NULL,
  run_id            INTEGER NOT NULL,
  status            VARCHAR NOT NULL,   -- ok | failed
  error             VARCHAR,
  tags              INTEGER NOT NULL DEFAULT 0,
  rejected_citations INTEGER NOT NULL DEFAULT 0,
  requests          INTEGER NOT NULL DEFAULT 0,
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  scored_at         TIMESTAMP NOT NULL,
  PRIMARY KEY (note_id, text_sha256, framework_id, framework_version, scorer, model, prompt_version)
);

CREATE TABLE note_tags (
  tag_id            VARCHAR PRIMARY KEY,
  note_id           VARCHAR NOT NULL,
  text_sha256       VARCHAR NOT NULL,
  run_id            INTEGER NOT NULL,
  framework_id      VARCHAR NOT NULL,
  framework_version VARCHAR NOT NULL,
  scorer            VARCHAR NOT NULL,
  model             VARCHAR NOT NULL,
  prompt_version    VARCHAR NOT NULL,
  domain_id         VARCHAR NOT NULL,
  indicator_id      VARCHAR,
  direction         VARCHAR NOT NULL,   -- strength | concern | improvement | deterioration
  level             INTEGER,
  status            VARCHAR NOT NULL,   -- current | historical | negated
  confidence        DOUBLE NOT NULL
);

-- Offsets are half-open [start_offset, end_offset) in UTF-16 code units of notes.text,
-- and substring(text, start, end) = quote always holds (checked before storing).
CREATE TABLE tag_citations (
  tag_id       VARCHAR NOT NULL,
  note_id      VARCHAR NOT NULL,
  start_offset INTEGER NOT NULL,
  end_offset   INTEGER NOT NULL,
  quote        VARCHAR NOT NULL,
  match        VARCHAR NOT NULL,       -- exact | normalized | fuzzy | position (offline scorer)
  similarity   DOUBLE NOT NULL
);
