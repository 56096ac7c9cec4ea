-- The sales pipeline (SPEC §2.2): leads, opportunities moving through stages, quotes that become
-- orders; expenses and service requests (SPEC §2.4).

-- Stages an open opportunity moves through, each with the probability it starts with.
CREATE TABLE opportunity_stages (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    name_en      TEXT    NOT NULL DEFAULT '',
    probability  INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    sort_order   INTEGER NOT NULL DEFAULT 0,
    active       INTEGER NOT NULL DEFAULT 1
);
INSERT INTO opportunity_stages (name, name_en, probability, sort_order) VALUES
    ('初步接洽', 'Qualification', 10, 1),
    ('需求确认', 'Needs analysis', 30, 2),
    ('方案报价', 'Proposal', 50, 3),
    ('商务谈判', 'Negotiation', 70, 4),
    ('即将签约', 'Closing', 90, 5);

-- Why deals are lost (丢单原因): a list the user edits.
CREATE TABLE lost_reasons (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    name_en     TEXT    NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1
);
INSERT INTO lost_reasons (name, name_en, sort_order) VALUES
    ('价格太高', 'Price too high', 1),
    ('选择了竞争对手', 'Chose a competitor', 2),
    ('预算不足', 'No budget', 3),
    ('需求取消', 'Need went away', 4),
    ('交期太长', 'Delivery too slow', 5),
    ('其他', 'Other', 6);

-- What expenses are for (费用类别): a list the user edits.
CREATE TABLE expense_categories (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    name_en     TEXT    NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1
);
INSERT INTO expense_categories (name, name_en, sort_order) VALUES
    ('差旅费', 'Travel', 1),
    ('招待费', 'Entertainment', 2),
    ('交通费', 'Transport', 3),
    ('通讯费', 'Phone', 4),
    ('礼品费', 'Gifts', 5),
    ('样品费', 'Samples', 6),
    ('办公费', 'Office', 7),
    ('其他', 'Other', 8);

CREATE TABLE opportunities (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL UNIQUE,
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    salesperson_id   INTEGER REFERENCES users (id),
    -- The salesperson's branch: what a branch manager sees.
    branch_id        INTEGER REFERENCES branches (id),
    name             TEXT    NOT NULL,
    -- At most 100 billion yuan: amount × probability stays far inside 64 bits.
    amount           INTEGER NOT NULL CHECK (amount BETWEEN 0 AND 10000000000000),
    stage_id         INTEGER NOT NULL REFERENCES opportunity_stages (id),
    probability      INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    expected_close   TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    closed_on        TEXT,
    lost_reason_id   INTEGER REFERENCES lost_reasons (id),
    order_id         INTEGER REFERENCES orders (id),
    notes            TEXT    NOT NULL DEFAULT '',
    created_on       TEXT    NOT NULL,
    import_batch_id  INTEGER REFERENCES import_batches (id),
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT    NOT NULL,
    CHECK ((status = 'open') = (closed_on IS NULL)),
    CHECK ((status = 'lost') = (lost_reason_id IS NOT NULL))
);
-- The board's stage columns, the forecast of open deals by expected close, won and lost ones by date.
CREATE INDEX opportunities_stage ON opportunities (status, stage_id, expected_close);
-- amount and probability ride along, so sums over a range of dates never visit the table.
CREATE INDEX opportunities_open ON opportunities (status, expected_close, amount, probability);
CREATE INDEX opportunities_closed ON opportunities (status, closed_on, amount, probability);
CREATE INDEX opportunities_customer ON opportunities (customer_id);
CREATE INDEX opportunities_salesperson ON opportunities (salesperson_id, status);
CREATE INDEX opportunities_branch ON opportunities (branch_id, status);
CREATE INDEX opportunities_order ON opportunities (order_id) WHERE order_id IS NOT NULL;

-- A lead (线索): someone who may become a customer. Converting one makes the customer and an
-- opportunity in one step and remembers both.
CREATE TABLE leads (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    company         TEXT    NOT NULL DEFAULT '',
    phone           TEXT    NOT NULL DEFAULT '',
    email           TEXT    NOT NULL DEFAULT '',
    source_id       INTEGER REFERENCES customer_sources (id),
    -- The salesperson working it, and their branch.
    salesperson_id  INTEGER REFERENCES users (id),
    branch_id       INTEGER REFERENCES branches (id),
    status          TEXT    NOT NULL CHECK (status IN ('new', 'qualified', 'converted', 'disqualified')),
    notes           TEXT    NOT NULL DEFAULT '',
    customer_id     INTEGER REFERENCES customers (id),
    opportunity_id  INTEGER REFERENCES opportunities (id),
    created_on      TEXT    NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX leads_salesperson ON leads (salesperson_id, status);
CREATE INDEX leads_branch ON leads (branch_id, status);
CREATE INDEX leads_customer ON leads (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX leads_opportunity ON leads (opportunity_id) WHERE opportunity_id IS NOT NULL;

-- A quote (报价单): priced lines for a customer, often for an opportunity; accepting it makes the order.
CREATE TABLE quotes (
    id               INTEGER PRIMARY KEY,
    quote_no         TEXT    NOT NULL UNIQUE,
    quote_date       TEXT    NOT NULL,
    valid_until      TEXT    NOT NULL,
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    salesperson_id   INTEGER REFERENCES users (id),
    branch_id        INTEGER REFERENCES branches (id),
    opportunity_id   INTEGER REFERENCES opportunities (id),
    status           TEXT    NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
    total            INTEGER NOT NULL DEFAULT 0,
    notes            TEXT    NOT NULL DEFAULT '',
    order_id         INTEGER REFERENCES orders (id),
    created_by       INTEGER REFERENCES users (id),
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT    NOT NULL,
    CHECK ((status = 'accepted') = (order_id IS NOT NULL))
);
CREATE INDEX quotes_customer ON quotes (customer_id);
CREATE INDEX quotes_order ON quotes (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX quotes_opportunity ON quotes (opportunity_id) WHERE opportunity_id IS NOT NULL;

CREATE TABLE quote_lines (
    id          INTEGER PRIMARY KEY,
    quote_id    INTEGER NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    line_no     INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  INTEGER NOT NULL,
    amount      INTEGER NOT NULL
);
CREATE INDEX quote_lines_quote ON quote_lines (quote_id, line_no);

CREATE TABLE expenses (
    id               INTEGER PRIMARY KEY,
    expense_date     TEXT    NOT NULL,
    salesperson_id   INTEGER NOT NULL REFERENCES users (id),
    branch_id        INTEGER REFERENCES branches (id),
    customer_id      INTEGER REFERENCES customers (id),
    category_id      INTEGER NOT NULL REFERENCES expense_categories (id),
    amount           INTEGER NOT NULL CHECK (amount > 0),
    note             TEXT    NOT NULL DEFAULT '',
    import_batch_id  INTEGER REFERENCES import_batches (id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL
);
-- Covering the sums and breakdowns of a period: they read the index alone.
CREATE INDEX expenses_date ON expenses (expense_date, branch_id, salesperson_id, customer_id, category_id, amount);
CREATE INDEX expenses_salesperson ON expenses (salesperson_id, expense_date);
CREATE INDEX expenses_branch ON expenses (branch_id, expense_date);
CREATE INDEX expenses_customer ON expenses (customer_id) WHERE customer_id IS NOT NULL;

-- Service requests and feedback (服务反馈). Satisfaction is 1–5, or NULL until the customer rates.
CREATE TABLE service_requests (
    id               INTEGER PRIMARY KEY,
    request_date     TEXT    NOT NULL,
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    handler_id       INTEGER REFERENCES users (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('complaint', 'consultation', 'repair', 'suggestion', 'praise')),
    satisfaction     INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    status           TEXT    NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    content          TEXT    NOT NULL DEFAULT '',
    resolution       TEXT    NOT NULL DEFAULT '',
    resolved_on      TEXT,
    import_batch_id  INTEGER REFERENCES import_batches (id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX service_requests_customer ON service_requests (customer_id, request_date);
CREATE INDEX service_requests_date ON service_requests (request_date);
CREATE INDEX service_requests_status ON service_requests (status, request_date);

-- The list of activities across customers pages newest first.
CREATE INDEX activities_date ON activities (activity_date, id);
