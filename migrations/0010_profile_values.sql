-- A saved import profile (导入方案) keeps, beside its header mapping, what the person chose for values
-- the lists did not know (column key → value in the file → entry): `{}` for profiles saved before.
ALTER TABLE import_profiles ADD COLUMN value_map TEXT NOT NULL DEFAULT '{}';
