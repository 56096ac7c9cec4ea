"""The reference for the reports bench: the same figures as Suanpan's reports, computed by DuckDB over
the same rows (CSV copies of the company's tables, loaded into memory first, not timed).

python3 reports_duckdb.py DIR RUNS  ->  one line a report: "<slug> <median ms> <rows>"
"""

import statistics
import sys
import time

import duckdb

folder, runs = sys.argv[1], int(sys.argv[2])
db = duckdb.connect()
for table in ["orders", "order_lines", "customers", "customer_sources", "products", "product_categories", "users"]:
    db.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{folder}/{table}.csv', header = true)")

COUNTED = "o.status IN ('confirmed', 'delivered')"
QUERIES = {
    "sales-trend": f"""
        SELECT strftime(CAST(o.order_date AS DATE), '%Y-%m') AS m, sum(o.total) FROM orders o WHERE {COUNTED}
        GROUP BY m ORDER BY m""",
    "sales-composition": f"""
        SELECT coalesce(s.name, '—') AS k, sum(o.total) AS v FROM orders o JOIN customers c ON c.id = o.customer_id
        LEFT JOIN customer_sources s ON s.id = c.source_id WHERE {COUNTED} GROUP BY k ORDER BY v DESC""",
    "profit": f"""
        SELECT p.sku || ' ' || p.name AS k, sum(l.amount) AS s, sum((l.quantity * coalesce(l.unit_cost, 0) + 500) // 1000) AS c
        FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.id = l.product_id
        WHERE {COUNTED} GROUP BY k ORDER BY s - c DESC""",
    "sales-ranking": f"""
        SELECT u.username, sum(o.total) AS s, sum(o.total - o.cost_total), count(*), count(DISTINCT o.customer_id)
        FROM orders o JOIN users u ON u.id = o.salesperson_id WHERE {COUNTED} GROUP BY u.username ORDER BY s DESC""",
    "customer-value": f"""
        SELECT c.code, c.name, sum(o.total) AS s, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE {COUNTED} GROUP BY c.code, c.name ORDER BY s DESC, c.code""",
    "customer-sources": f"""
        SELECT coalesce(s.name, '—') AS k, count(DISTINCT o.customer_id) AS n, sum(o.total) FROM orders o
        JOIN customers c ON c.id = o.customer_id LEFT JOIN customer_sources s ON s.id = c.source_id
        WHERE {COUNTED} GROUP BY k ORDER BY n DESC""",
    "new-customers": f"""
        SELECT year(first) AS y, count(*) FROM (SELECT o.customer_id, min(CAST(o.order_date AS DATE)) AS first
        FROM orders o WHERE {COUNTED} GROUP BY o.customer_id) GROUP BY y ORDER BY y""",
    "slow-products": f"""
        SELECT p.sku, sum(l.quantity) AS q, sum(l.amount) AS s FROM products p LEFT JOIN order_lines l ON l.product_id = p.id
        LEFT JOIN orders o ON o.id = l.order_id AND {COUNTED} GROUP BY p.sku ORDER BY q, s, p.sku""",
}

for slug, sql in QUERIES.items():
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = len(db.execute(sql).fetchall())
        times.append((time.perf_counter() - started) * 1000)
    print(f"{slug} {statistics.median(times):.1f} {rows}", flush=True)
