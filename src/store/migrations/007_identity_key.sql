-- caselens schema, version 7: which identity key this database's client IDs were minted with
-- (src/identity/key.ts). Only a fingerprint is kept: the first 16 hex digits of an HMAC-SHA256 of
-- a fixed label under the key. It tells a wrong or regenerated key from the right one; it does not
-- let anyone recompute client IDs. One row, written in the transaction of the first load that mints.
CREATE TABLE identity_key (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  fingerprint  VARCHAR NOT NULL,
  recorded_at  TIMESTAMP NOT NULL
);
