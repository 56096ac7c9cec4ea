-- Customers (SPEC §2.1): pick lists, customers, contacts, merges and the search index.

-- User-editable pick lists. `name` is what the user typed (usually Chinese);
-- `name_en` is an optional English label.
CREATE TABLE customer_sources (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    name_en     TEXT    NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE customer_levels (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    name_en     TEXT    NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    code           TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    -- Derived on every save: full pinyin (sorting by name), a normalised name and the
    -- phone's digits (duplicate detection).
    name_pinyin    TEXT    NOT NULL DEFAULT '',
    name_key       TEXT    NOT NULL DEFAULT '',
    phone_digits   TEXT    NOT NULL DEFAULT '',
    kind           TEXT    NOT NULL CHECK (kind IN ('consumer', 'channel', 'institution')),
    source_id      INTEGER REFERENCES customer_sources (id),
    level_id       INTEGER REFERENCES customer_levels (id),
    phone          TEXT    NOT NULL DEFAULT '',
    email          TEXT    NOT NULL DEFAULT '',
    address        TEXT    NOT NULL DEFAULT '',
    city           TEXT    NOT NULL DEFAULT '',
    birthday       TEXT,
    hobbies        TEXT    NOT NULL DEFAULT '',
    owner_id       INTEGER REFERENCES users (id),
    branch_id      INTEGER REFERENCES branches (id),
    created_on     TEXT    NOT NULL,
    notes          TEXT    NOT NULL DEFAULT '',
    tags           TEXT    NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX customers_name ON customers (name_pinyin);
CREATE INDEX customers_name_key ON customers (name_key);
CREATE INDEX customers_owner ON customers (owner_id, name_pinyin);
CREATE INDEX customers_branch ON customers (branch_id, name_pinyin);
CREATE INDEX customers_phone ON customers (phone_digits);
CREATE INDEX customers_city ON customers (city);
CREATE INDEX customers_created ON customers (created_on);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    title        TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT '',
    birthday     TEXT,
    hobbies      TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id);

-- Customers merged away: their old code and id keep pointing at the survivor,
-- so history recorded under the old id is still found.
CREATE TABLE customer_merges (
    merged_id    INTEGER PRIMARY KEY,
    merged_code  TEXT    NOT NULL,
    survivor_id  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    at           TEXT    NOT NULL,
    user_id      INTEGER REFERENCES users (id)
);
CREATE INDEX customer_merges_survivor ON customer_merges (survivor_id);

-- Substring search over a customer's searchable text (code, name, pinyin
-- initials, phones, e-mail, city, tags, contacts). SQLite-only; the row id is
-- the customer id. Trigrams answer words of three or more characters; a second
-- index of character pairs answers the one- and two-character words that
-- Chinese names are so often searched by ("鼎盛").
CREATE VIRTUAL TABLE customer_search USING fts5 (body, tokenize = 'trigram', columnsize = 0);
-- Single tokens and prefixes need no positions: detail = none keeps this index small.
CREATE VIRTUAL TABLE customer_search_pairs USING fts5 (
    pairs, tokenize = 'unicode61 remove_diacritics 0', detail = none, columnsize = 0
);

-- The default pick lists; users rename, add and retire entries.
INSERT INTO customer_sources (name, name_en, sort_order) VALUES
    ('转介绍', 'Referral', 1),
    ('网站', 'Website', 2),
    ('展会', 'Exhibition', 3),
    ('电话陌拜', 'Cold call', 4),
    ('广告', 'Advertising', 5),
    ('老客户', 'Existing customer', 6),
    ('其他', 'Other', 7);

INSERT INTO customer_levels (name, name_en, sort_order) VALUES
    ('普通', 'Regular', 1),
    ('银牌', 'Silver', 2),
    ('金牌', 'Gold', 3),
    ('会员', 'Member', 4),
    ('VIP', 'VIP', 5);
