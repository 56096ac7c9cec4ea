-- Keys the engine derives from text in Rust, which SQL cannot recompute: customers' pinyin sort key and
-- search rows. Each row records the recipe that made those in this file; opening a file whose keys an
-- older recipe made rebuilds them (crm::search::refresh_keys). No row: recipe 1, where the pinyin of a
-- character was its first reading only (重庆 found by "zq", not "cq").
CREATE TABLE derived_keys (
    name   TEXT PRIMARY KEY,
    recipe INTEGER NOT NULL
);
