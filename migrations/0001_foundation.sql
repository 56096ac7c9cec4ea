-- The foundation: organisation, users, the audit log and settings.
-- Money columns (none yet) are INTEGER minor units; dates are TEXT 'YYYY-MM-DD';
-- time stamps are TEXT UTC ISO-8601.

CREATE TABLE branches (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL DEFAULT 'branch' CHECK (kind IN ('branch', 'department')),
    parent_id   INTEGER REFERENCES branches (id),
    created_at  TEXT    NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('owner', 'accountant', 'branch_manager', 'salesperson', 'clerk')),
    branch_id     INTEGER REFERENCES branches (id),
    password_hash TEXT,
    can_login     INTEGER NOT NULL DEFAULT 1,
    active        INTEGER NOT NULL DEFAULT 1,
    language      TEXT,
    created_at    TEXT    NOT NULL
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    user_id    INTEGER REFERENCES users (id),
    entity     TEXT    NOT NULL,
    entity_id  INTEGER,
    action     TEXT    NOT NULL,
    changes    TEXT    NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
