-- FTS5 holds the terms of rows being written in memory up to this size before it writes them out as a
-- segment (1 MiB by default), and merges segments as they pile up. An import fills the two customer
-- search indexes in one statement each at its end: with 16 MiB a million customers make a few large
-- segments instead of hundreds of small ones to merge, and moving 200,000 customers' rows into the
-- indexes took half the time. Edits one by one are unaffected: each statement writes its own rows out.
INSERT INTO customer_search (customer_search, rank) VALUES ('hashsize', 16777216);
INSERT INTO customer_search_pairs (customer_search_pairs, rank) VALUES ('hashsize', 16777216);
