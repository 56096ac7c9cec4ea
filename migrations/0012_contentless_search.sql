-- The trigger that removes a contact's rows names the index: it goes while the index is rebuilt (a
-- rename checks every trigger's tables) and comes back unchanged.
DROP TRIGGER contact_search_gone;

-- The trigram indexes keep no copy of their text either (content = '', deletable by id), as the pairs
-- indexes have since 0011: a search asks them only for row ids, and the rare word they cannot answer
-- (one or two characters with punctuation in them) is looked for in the records' own fields. The copy was
-- 29 of 200 MB of a 200,000-customer company, written by every import of customers or contacts.
CREATE VIRTUAL TABLE customer_search_kept USING fts5 (
    body, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO customer_search_kept (customer_search_kept, rank) VALUES ('hashsize', 16777216);
INSERT INTO customer_search_kept (rowid, body) SELECT rowid, body FROM customer_search;
DROP TABLE customer_search;
ALTER TABLE customer_search_kept RENAME TO customer_search;

CREATE VIRTUAL TABLE contact_search_kept USING fts5 (
    body, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO contact_search_kept (contact_search_kept, rank) VALUES ('hashsize', 16777216);
INSERT INTO contact_search_kept (rowid, body) SELECT rowid, body FROM contact_search;
DROP TABLE contact_search;
ALTER TABLE contact_search_kept RENAME TO contact_search;

CREATE TRIGGER contact_search_gone AFTER DELETE ON contacts BEGIN
    DELETE FROM contact_search WHERE rowid = old.id;
    DELETE FROM contact_search_pairs WHERE rowid = old.id;
END;
