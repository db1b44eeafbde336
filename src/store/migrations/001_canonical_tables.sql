-- caselens canonical schema, version 1.
-- Keys are text. Every non-client key is namespaced by its source system ("sample:K0001"),
-- so two sources never collide. client_id is minted once (see src/identity) and never reused.
-- References are checked by the ingest validator rather than by FOREIGN KEY constraints,
-- so a bad reference becomes a reject with a reason instead of a failed load.

CREATE TABLE programs (
  program_id    VARCHAR PRIMARY KEY,
  name          VARCHAR NOT NULL,
  program_type  VARCHAR
);

CREATE TABLE staff (
  staff_id          VARCHAR PRIMARY KEY,
  name              VARCHAR NOT NULL,
  role              VARCHAR,
  supervisor_id     VARCHAR,
  team              VARCHAR,
  program_id        VARCHAR,
  caseload_capacity INTEGER
);

-- De-identified client attributes: safe for evaluators.
CREATE TABLE clients (
  client_id      VARCHAR PRIMARY KEY,
  gender         VARCHAR,
  race_ethnicity VARCHAR,
  veteran        VARCHAR,
  birth_year     INTEGER,
  first_seen_at  TIMESTAMP NOT NULL
);

-- Personal data lives apart so roles that must not see it never query it.
CREATE TABLE client_pii (
  client_id   VARCHAR PRIMARY KEY,
  first_name  VARCHAR,
  last_name   VARCHAR,
  dob         DATE,
  phone       VARCHAR,
  email       VARCHAR,
  address     VARCHAR,
  national_id VARCHAR,
  -- normalised "first|last|dob" used by the name_dob identity rule
  name_dob_key VARCHAR
);

-- The crosswalk: which source record is which client, and which rule decided it.
CREATE TABLE client_identities (
  source_system VARCHAR NOT NULL,
  source_key    VARCHAR NOT NULL,
  client_id     VARCHAR NOT NULL,
  rule          VARCHAR NOT NULL,   -- minted | external_id | name_dob | manual
  linked_at     TIMESTAMP NOT NULL,
  run_id        INTEGER,
  PRIMARY KEY (source_system, source_key)
);

-- Source records whose rules pointed at more than one existing client. Never merged automatically.
CREATE TABLE identity_reviews (
  source_system   VARCHAR NOT NULL,
  source_key      VARCHAR NOT NULL,
  client_id       VARCHAR NOT NULL,   -- the client the record was provisionally given
  candidates      VARCHAR[] NOT NULL, -- existing clients the rules pointed at
  rules           VARCHAR[] NOT NULL, -- rule that produced each candidate, same order
  detected_at     TIMESTAMP NOT NULL,
  run_id          INTEGER,
  status          VARCHAR NOT NULL DEFAULT 'open',
  PRIMARY KEY (source_system, source_key)
);

-- Merges, splits and manual links: recorded, never silent.
CREATE TABLE identity_events (
  event_at      TIMESTAMP NOT NULL,
  action        VARCHAR NOT NULL,
  client_id     VARCHAR,
  other_client_id VARCHAR,
  source_system VARCHAR,
  source_key    VARCHAR,
  actor         VARCHAR,
  note          VARCHAR
);

CREATE TABLE cases (
  case_id        VARCHAR PRIMARY KEY,
  client_id      VARCHAR NOT NULL,
  program_id     VARCHAR,
  manager_id     VARCHAR,
  case_type      VARCHAR,
  opened_at      DATE NOT NULL,
  closed_at      DATE,
  status         VARCHAR NOT NULL,
  closure_reason VARCHAR
);

CREATE TABLE goals (
  goal_id     VARCHAR PRIMARY KEY,
  case_id     VARCHAR NOT NULL,
  domain_id   VARCHAR,
  description VARCHAR,
  set_at      DATE,
  target_at   DATE,
  status      VARCHAR NOT NULL,
  achieved_at DATE
);

CREATE TABLE services (
  service_id      VARCHAR PRIMARY KEY,
  case_id         VARCHAR NOT NULL,
  service_type    VARCHAR,
  staff_id        VARCHAR,
  scheduled_at    TIMESTAMP,
  delivered_at    TIMESTAMP,
  status          VARCHAR NOT NULL,
  units_planned   DOUBLE,
  units_delivered DOUBLE
);

CREATE TABLE followups (
  followup_id   VARCHAR PRIMARY KEY,
  case_id       VARCHAR NOT NULL,
  followup_type VARCHAR,
  due_at        DATE NOT NULL,
  completed_at  DATE
);

CREATE TABLE assessments (
  assessment_id   VARCHAR PRIMARY KEY,
  client_id       VARCHAR NOT NULL,
  case_id         VARCHAR,
  instrument_id   VARCHAR NOT NULL,
  domain_id       VARCHAR,
  administered_at DATE NOT NULL,
  timepoint       VARCHAR,
  total_score     DOUBLE,
  items           JSON
);

CREATE TABLE surveys (
  survey_id       VARCHAR PRIMARY KEY,
  case_id         VARCHAR NOT NULL,
  client_id       VARCHAR NOT NULL,
  responded_at    DATE,
  satisfaction    DOUBLE,
  would_recommend BOOLEAN,
  comment         VARCHAR
);

CREATE TABLE notes (
  note_id     VARCHAR PRIMARY KEY,
  case_id     VARCHAR NOT NULL,
  client_id   VARCHAR NOT NULL,
  author_id   VARCHAR,
  written_at  TIMESTAMP NOT NULL,
  note_type   VARCHAR,
  text        VARCHAR NOT NULL,
  text_sha256 VARCHAR NOT NULL
);

CREATE TABLE ingest_runs (
  run_id         INTEGER PRIMARY KEY,
  pipeline       VARCHAR NOT NULL,
  pipeline_file  VARCHAR,
  started_at     TIMESTAMP NOT NULL,
  finished_at    TIMESTAMP,
  status         VARCHAR NOT NULL,   -- succeeded | failed
  rows_read      BIGINT,
  rows_loaded    BIGINT,
  rows_inserted  BIGINT,
  rows_updated   BIGINT,
  rows_unchanged BIGINT,
  rows_rejected  BIGINT,
  message        VARCHAR
);

CREATE TABLE ingest_run_sources (
  run_id     INTEGER NOT NULL,
  source     VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  files      VARCHAR[],
  rows_read  BIGINT,
  inserted   BIGINT,
  updated    BIGINT,
  unchanged  BIGINT,
  rejected   BIGINT
);

CREATE TABLE ingest_rejects (
  run_id INTEGER NOT NULL,
  source VARCHAR NOT NULL,
  file   VARCHAR NOT NULL,
  line   BIGINT,
  field  VARCHAR,
  value  VARCHAR,
  code   VARCHAR NOT NULL,
  reason VARCHAR NOT NULL
);

CREATE TABLE audit_log (
  logged_at TIMESTAMP NOT NULL,
  actor    VARCHAR NOT NULL,
  role     VARCHAR,
  action   VARCHAR NOT NULL,
  resource VARCHAR,
  detail   VARCHAR
);
