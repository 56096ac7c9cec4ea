-- Products, suppliers, warehouses, stock and its moves, sales orders and purchase orders (SPEC §2.2, §2.3).
-- Money is INTEGER minor units (分); quantities are INTEGER thousandths (up to 3 decimals).

-- A level whose customers buy at the member price (会员价).
ALTER TABLE customer_levels ADD COLUMN member INTEGER NOT NULL DEFAULT 0;
UPDATE customer_levels SET member = 1 WHERE name IN ('会员', 'VIP', '金牌');

-- Two levels: a 大分类 has no parent, a 小分类 has one.
CREATE TABLE product_categories (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES product_categories (id),
    name       TEXT    NOT NULL
);
CREATE UNIQUE INDEX product_categories_name ON product_categories (coalesce(parent_id, 0), name);

CREATE TABLE products (
    id              INTEGER PRIMARY KEY,
    sku             TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    -- The 小分类 when there is one, else the 大分类.
    category_id     INTEGER REFERENCES product_categories (id),
    unit            TEXT    NOT NULL DEFAULT '',
    standard_price  INTEGER NOT NULL DEFAULT 0,
    member_price    INTEGER,
    cost_price      INTEGER NOT NULL DEFAULT 0,
    -- Cost-plus: when set, the standard price is the cost price × (1 + markup), kept so on every save.
    -- In basis points (2500 = 25%).
    markup_bp       INTEGER,
    -- Below this quantity (thousandths, all warehouses) the product is on the low-stock list.
    low_stock       INTEGER,
    active          INTEGER NOT NULL DEFAULT 1,
    notes           TEXT    NOT NULL DEFAULT '',
    -- What is on hand in all warehouses and what it is worth: the moving average cost is value / quantity.
    stock_quantity  INTEGER NOT NULL DEFAULT 0,
    stock_value     INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_name ON products (name);

CREATE TABLE suppliers (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    phone       TEXT    NOT NULL DEFAULT '',
    address     TEXT    NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE warehouses (
    id              INTEGER PRIMARY KEY,
    code            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    branch_id       INTEGER REFERENCES branches (id),
    -- Whether stock here may go below zero (selling what has not been booked in yet).
    allow_negative  INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1
);
INSERT INTO warehouses (code, name) VALUES ('MAIN', '主仓库');

-- Quantity on hand and reserved by confirmed orders, per product and warehouse.
CREATE TABLE stock_levels (
    product_id    INTEGER NOT NULL REFERENCES products (id),
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses (id),
    on_hand       INTEGER NOT NULL DEFAULT 0,
    reserved      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, warehouse_id)
) WITHOUT ROWID;

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    order_no         TEXT    NOT NULL UNIQUE,
    order_date       TEXT    NOT NULL,
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    salesperson_id   INTEGER REFERENCES users (id),
    -- The salesperson's branch when the order was made: what a branch manager sees.
    branch_id        INTEGER REFERENCES branches (id),
    warehouse_id     INTEGER NOT NULL REFERENCES warehouses (id),
    status           TEXT    NOT NULL CHECK (status IN ('draft', 'confirmed', 'delivered', 'cancelled')),
    due_date         TEXT,
    -- Sums of the lines' rounded amounts and costs, kept with the lines.
    total            INTEGER NOT NULL DEFAULT 0,
    cost_total       INTEGER NOT NULL DEFAULT 0,
    line_count       INTEGER NOT NULL DEFAULT 0,
    notes            TEXT    NOT NULL DEFAULT '',
    -- Whether confirming reserved stock and delivering moved it (imported history need not).
    moves_stock      INTEGER NOT NULL DEFAULT 1,
    import_batch_id  INTEGER REFERENCES import_batches (id),
    created_by       INTEGER REFERENCES users (id),
    confirmed_at     TEXT,
    delivered_at     TEXT,
    cancelled_at     TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX orders_date ON orders (order_date, id);
CREATE INDEX orders_customer ON orders (customer_id, order_date);
CREATE INDEX orders_salesperson ON orders (salesperson_id, order_date);
CREATE INDEX orders_branch ON orders (branch_id, order_date);

CREATE TABLE order_lines (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no     INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  INTEGER NOT NULL,
    -- Snapshot of the moving average cost (or the file's cost) when the order was confirmed.
    unit_cost   INTEGER,
    -- quantity × unit_price rounded half away from zero, once.
    amount      INTEGER NOT NULL
);
CREATE INDEX order_lines_order ON order_lines (order_id);
CREATE INDEX order_lines_product ON order_lines (product_id);

CREATE TABLE purchase_orders (
    id               INTEGER PRIMARY KEY,
    po_no            TEXT    NOT NULL UNIQUE,
    po_date          TEXT    NOT NULL,
    supplier_id      INTEGER NOT NULL REFERENCES suppliers (id),
    warehouse_id     INTEGER NOT NULL REFERENCES warehouses (id),
    status           TEXT    NOT NULL CHECK (status IN ('draft', 'ordered', 'received', 'cancelled')),
    due_date         TEXT,
    total            INTEGER NOT NULL DEFAULT 0,
    notes            TEXT    NOT NULL DEFAULT '',
    import_batch_id  INTEGER REFERENCES import_batches (id),
    created_by       INTEGER REFERENCES users (id),
    received_at      TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX purchase_orders_supplier ON purchase_orders (supplier_id, po_date);
CREATE INDEX purchase_orders_date ON purchase_orders (po_date, id);

CREATE TABLE purchase_lines (
    id           INTEGER PRIMARY KEY,
    purchase_id  INTEGER NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
    line_no      INTEGER NOT NULL,
    product_id   INTEGER NOT NULL REFERENCES products (id),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    received     INTEGER NOT NULL DEFAULT 0,
    unit_cost    INTEGER NOT NULL,
    amount       INTEGER NOT NULL
);
CREATE INDEX purchase_lines_purchase ON purchase_lines (purchase_id);
CREATE INDEX purchase_lines_product ON purchase_lines (product_id);

-- Every change of stock. Quantity is signed (+ in, − out); value is the signed cost moved with it.
CREATE TABLE stock_moves (
    id            INTEGER PRIMARY KEY,
    moved_on      TEXT    NOT NULL,
    product_id    INTEGER NOT NULL REFERENCES products (id),
    warehouse_id  INTEGER NOT NULL REFERENCES warehouses (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('receipt', 'delivery', 'transfer', 'adjustment')),
    quantity      INTEGER NOT NULL,
    value         INTEGER NOT NULL,
    reason        TEXT    NOT NULL DEFAULT '',
    order_id      INTEGER REFERENCES orders (id),
    purchase_id   INTEGER REFERENCES purchase_orders (id),
    user_id       INTEGER REFERENCES users (id),
    created_at    TEXT    NOT NULL
);
CREATE INDEX stock_moves_product ON stock_moves (product_id, moved_on);
CREATE INDEX stock_moves_order ON stock_moves (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX stock_moves_purchase ON stock_moves (purchase_id) WHERE purchase_id IS NOT NULL;
