-- Imports: every import is a batch that can be listed and undone; saved header mappings.

-- Contacts get a version, as customers have, so an import's undo can tell whether one changed since.
ALTER TABLE contacts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE import_batches (
    id           INTEGER PRIMARY KEY,
    entity       TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    encoding     TEXT    NOT NULL,
    mode         TEXT    NOT NULL CHECK (mode IN ('insert', 'upsert')),
    user_id      INTEGER REFERENCES users (id),
    started_at   TEXT    NOT NULL,
    finished_at  TEXT,
    rows         INTEGER NOT NULL DEFAULT 0,
    inserted     INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    undone_at    TEXT,
    undone_by    INTEGER REFERENCES users (id)
);

-- What a batch did to each record, so it can be undone: the record's id, whether it was
-- inserted or updated, its fields before an update (JSON), and its version right after.
-- This is also the audit trail of an import's rows; the audit log holds one entry per batch.
CREATE TABLE import_batch_records (
    batch_id       INTEGER NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    record_id      INTEGER NOT NULL,
    action         TEXT    NOT NULL CHECK (action IN ('insert', 'update')),
    before         TEXT,
    version_after  INTEGER NOT NULL
);
CREATE INDEX import_batch_records_batch ON import_batch_records (batch_id);

CREATE TABLE import_profiles (
    id       INTEGER PRIMARY KEY,
    entity   TEXT NOT NULL,
    name     TEXT NOT NULL,
    mapping  TEXT NOT NULL,
    UNIQUE (entity, name)
);
