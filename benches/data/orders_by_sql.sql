-- What the sqlite3 shell itself takes to load the orders file into Suanpan's own tables, with no
-- validation at all: the floor for any import into this schema, beside `.import` into one bare table.
-- `cargo bench --bench import` runs it on a copy of a company holding the customers and products;
-- {file} is the orders file. Amounts are worked out in floating point here: fine for a timing, never
-- for the books (the importer itself parses them as decimals).
PRAGMA foreign_keys=OFF; PRAGMA cache_size=-262144; PRAGMA threads=2;
BEGIN;
CREATE TEMP TABLE raw(order_no TEXT, order_date TEXT, customer_code TEXT, salesperson TEXT, sku TEXT, quantity TEXT, unit_price TEXT, unit_cost TEXT, due_date TEXT, status TEXT);
.import --csv --skip 1 {file} raw
DROP INDEX orders_date; DROP INDEX orders_customer; DROP INDEX orders_salesperson; DROP INDEX orders_branch; DROP INDEX order_lines_product;
INSERT INTO orders (order_no, order_date, customer_id, salesperson_id, branch_id, warehouse_id, status, due_date, total, cost_total, line_count, moves_stock, import_batch_id, created_by, confirmed_at, delivered_at, updated_at)
 SELECT r.order_no, r.order_date, c.id, u.id, u.branch_id, 1,
   CASE r.status WHEN '已发货' THEN 'delivered' WHEN '已确认' THEN 'confirmed' WHEN '草稿' THEN 'draft' ELSE 'cancelled' END,
   r.due_date, sum(CAST(round(r.quantity * r.unit_price * 100) AS INTEGER)), 0, count(*), 0, NULL, 1,
   '2026-11-27T12:00:00', '2026-11-27T12:00:00', '2026-11-27T12:00:00'
 FROM raw r JOIN customers c ON c.code = r.customer_code LEFT JOIN users u ON u.username = r.salesperson
 GROUP BY r.order_no;
INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price, unit_cost, amount)
 SELECT o.id, 1, p.id, CAST(r.quantity AS INTEGER) * 1000, CAST(round(r.unit_price * 100) AS INTEGER), p.cost_price,
   CAST(round(r.quantity * r.unit_price * 100) AS INTEGER)
 FROM raw r JOIN orders o ON o.order_no = r.order_no JOIN products p ON p.sku = r.sku;
CREATE INDEX orders_date ON orders (order_date, id);
CREATE INDEX orders_customer ON orders (customer_id, order_date);
CREATE INDEX orders_salesperson ON orders (salesperson_id, order_date);
CREATE INDEX orders_branch ON orders (branch_id, order_date);
CREATE INDEX order_lines_product ON order_lines (product_id);
COMMIT;
