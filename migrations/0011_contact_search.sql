-- A contact's searchable words (name and phone) get search rows of their own, the row id the contact's
-- id, in the same two kinds of index as the customers' (trigrams, and character pairs). A customer is
-- found by its contacts' words through the contacts table. Importing contacts then only adds rows,
-- instead of rebuilding the whole search row of every customer it touched (an FTS5 delete and insert of
-- the customer's text, most of the time of a large contacts import). The customers' rows lose their
-- contacts' words and these are filled when a file is opened (search keys recipe 3).
CREATE VIRTUAL TABLE contact_search USING fts5 (body, tokenize = 'trigram', columnsize = 0);
CREATE VIRTUAL TABLE contact_search_pairs USING fts5 (
    pairs, tokenize = 'unicode61 remove_diacritics 0', detail = none, content = '', contentless_delete = 1
);
INSERT INTO contact_search (contact_search, rank) VALUES ('hashsize', 16777216);
INSERT INTO contact_search_pairs (contact_search_pairs, rank) VALUES ('hashsize', 16777216);

-- However a contact goes (its form, its customer's deletion, an undone import), its search rows go too.
CREATE TRIGGER contact_search_gone AFTER DELETE ON contacts BEGIN
    DELETE FROM contact_search WHERE rowid = old.id;
    DELETE FROM contact_search_pairs WHERE rowid = old.id;
END;

-- The character-pairs indexes keep no copy of their text (content = ''): a search only asks them for row
-- ids, and the copy was the largest table of a company (77 of 290 MB for 200,000 customers), written by
-- every import. Rows are still deleted by id (contentless_delete). The customers' index is rebuilt so.
CREATE VIRTUAL TABLE customer_search_pairs_kept USING fts5 (
    pairs, tokenize = 'unicode61 remove_diacritics 0', detail = none, content = '', contentless_delete = 1
);
INSERT INTO customer_search_pairs_kept (customer_search_pairs_kept, rank) VALUES ('hashsize', 16777216);
INSERT INTO customer_search_pairs_kept (rowid, pairs) SELECT rowid, pairs FROM customer_search_pairs;
DROP TABLE customer_search_pairs;
ALTER TABLE customer_search_pairs_kept RENAME TO customer_search_pairs;
