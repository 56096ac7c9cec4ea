-- Activities with customers (SPEC §2.4): calls, visits, e-mails, meetings, service, other — who, how
-- long, about what, and when to follow up.

CREATE TABLE activities (
    id               INTEGER PRIMARY KEY,
    activity_date    TEXT    NOT NULL,
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    operator_id      INTEGER REFERENCES users (id),
    -- The operator's branch when it was recorded: what a branch manager sees.
    branch_id        INTEGER REFERENCES branches (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('call', 'visit', 'email', 'meeting', 'service', 'other')),
    minutes          INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
    subject          TEXT    NOT NULL DEFAULT '',
    next_follow_up   TEXT,
    import_batch_id  INTEGER REFERENCES import_batches (id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL
);
CREATE INDEX activities_customer ON activities (customer_id, activity_date);
CREATE INDEX activities_operator ON activities (operator_id, activity_date);
CREATE INDEX activities_follow_up ON activities (next_follow_up) WHERE next_follow_up IS NOT NULL;
