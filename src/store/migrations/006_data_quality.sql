-- The data-quality report of an HMIS load (src/sources/hmis-dq.ts), in the spirit of HUD's Eva
-- checks: one row per (run, file, field, check), with how many rows were checked, how many have
-- the problem, and up to five example record ids. Only HMIS ids (PersonalID, EnrollmentID, …) are
-- kept, never names, SSNs or dates of birth: this table is shown to managers.
CREATE TABLE data_quality (
  run_id       INTEGER NOT NULL,       -- the ingest run (ingest_runs.run_id) of the load
  system       VARCHAR NOT NULL,       -- source system of the load (hmis, or the --system given)
  file         VARCHAR NOT NULL,       -- HUD file name, e.g. Enrollment.csv
  field        VARCHAR NOT NULL,       -- column(s) checked; '*' for the file as a whole
  check_id     VARCHAR NOT NULL,       -- rows | missing | unlisted | invalid_date | exit_before_entry | …
  severity     VARCHAR NOT NULL,       -- error | warning | info
  status       VARCHAR NOT NULL,       -- checked | not_checked
  rows_checked BIGINT,                 -- rows the check looked at (NULL when not checked)
  problems     BIGINT,                 -- rows with the problem (NULL when not checked)
  id_field     VARCHAR,                -- what the example ids are (EnrollmentID, ExitID, …)
  example_ids  VARCHAR[],              -- up to five record ids with the problem
  message      VARCHAR NOT NULL,       -- what the check means, or why it was not run
  checked_at   TIMESTAMP NOT NULL
);
