-- The verifier's decisions (src/score/verify.ts). Every proposed tag whose cited span does not
-- support it is dropped, and every status the span gets wrong is corrected; both are counted per
-- run and per note, and each decision is kept with its reason, so nothing disappears silently.
ALTER TABLE score_runs ADD COLUMN verifier_version VARCHAR;
ALTER TABLE score_runs ADD COLUMN tags_contradicted BIGINT;
ALTER TABLE score_runs ADD COLUMN tags_corrected BIGINT;

ALTER TABLE note_scores ADD COLUMN tags_contradicted INTEGER DEFAULT 0;
ALTER TABLE note_scores ADD COLUMN tags_corrected INTEGER DEFAULT 0;

-- One row per citation the verifier dropped or re-labelled, under the scoring configuration it
-- belongs to (replaced with that configuration's result for the note).
CREATE TABLE tag_checks (
  note_id           VARCHAR NOT NULL,
  text_sha256       VARCHAR NOT NULL,
  framework_id      VARCHAR NOT NULL,
  framework_version VARCHAR NOT NULL,
  scorer            VARCHAR NOT NULL,
  model             VARCHAR NOT NULL,
  prompt_version    VARCHAR NOT NULL,
  run_id            INTEGER NOT NULL,       -- the score run; for caselens verify --apply -1, -2, … one per apply
  verifier_version  VARCHAR NOT NULL,
  domain_id         VARCHAR NOT NULL,
  direction         VARCHAR NOT NULL,       -- as proposed
  status            VARCHAR NOT NULL,       -- as proposed
  action            VARCHAR NOT NULL,       -- dropped | corrected
  new_direction     VARCHAR,
  new_status        VARCHAR,
  reason            VARCHAR NOT NULL,
  start_offset      INTEGER NOT NULL,
  end_offset        INTEGER NOT NULL,
  quote             VARCHAR NOT NULL,
  checked_at        TIMESTAMP NOT NULL
);
