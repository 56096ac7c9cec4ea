-- A contact's searchable words (name and phone) get search rows of their own, the row id the contact's
-- id, in the same two kinds of index as the customers' (trigrams, and character pairs). A customer is
-- found by its contacts' words through the contacts table. Importing contacts then only adds rows,
-- instead of rebuilding the whole search row of every customer it touched (an FTS5 delete and insert of
-- the customer's text, most of the time of a large contacts import). The customers' rows lose their
-- contacts' words and these are filled when a file is opened (search keys recipe 3).
CREATE VIRTUAL TABLE contact_search USING fts5 (body, tokenize = 'trigram', columnsize = 0);
CREATE VIRTUAL TABLE contact_search_pairs USING fts5 (
    pairs, tokenize = 'unicode61 remove_diacritics 0', detail = none, columnsize = 0
);
INSERT INTO contact_search (contact_search, rank) VALUES ('hashsize', 16777216);
INSERT INTO contact_search_pairs (contact_search_pairs, rank) VALUES ('hashsize', 16777216);

-- However a contact goes (its form, its customer's deletion, an undone import), its search rows go too.
CREATE TRIGGER contact_search_gone AFTER DELETE ON contacts BEGIN
    DELETE FROM contact_search WHERE rowid = old.id;
    DELETE FROM contact_search_pairs WHERE rowid = old.id;
END;
