-- A contact a customers import made along with its customer (the row's 联系人) carries the batch, so that
-- undoing the batch takes it back and does not count it as a record added to the customer since.
ALTER TABLE contacts ADD COLUMN import_batch_id INTEGER REFERENCES import_batches (id);
