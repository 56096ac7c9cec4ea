//! The search index of customers and their contacts: searchable text matched by substring.
//!
//! A customer's own fields make one row of `customer_search`; each contact's name and phone make a row of
//! `contact_search`, its row id the contact's id, so that adding contacts only adds rows. Words of three
//! or more characters use the FTS5 trigram index. Shorter words (a two-character Chinese name is common)
//! use a second index of each kind whose tokens are the character pairs of the text, plus each run's last
//! character, so that "鼎盛" is one token and "鼎" a token prefix.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::crm::pinyin_key::{pinyin_keys, search_keys};
use crate::db::{Db, with_raw};
use crate::error::Result;
use crate::text::{self, escape_like};

/// Which search rows: a customer's own fields, or one contact's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    Customers,
    Contacts,
}

impl Rows {
    /// The trigram index.
    fn words(self) -> &'static str {
        match self {
            Rows::Customers => "customer_search",
            Rows::Contacts => "contact_search",
        }
    }

    /// The character-pairs index.
    fn pairs(self) -> &'static str {
        match self {
            Rows::Customers => "customer_search_pairs",
            Rows::Contacts => "contact_search_pairs",
        }
    }

    /// The temporary table [`Staging`] gathers rows in: one each, so an import can stage both kinds.
    fn staging(self) -> &'static str {
        match self {
            Rows::Customers => "temp.search_staging_customers",
            Rows::Contacts => "temp.search_staging_contacts",
        }
    }

    /// The table of the records and the fields a row is made of, in order: a customer's code, name,
    /// phone, e-mail, city, address and tags; a contact's name and phone.
    fn fields(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Rows::Customers => ("customers", &["code", "name", "phone", "email", "city", "address", "tags"]),
            Rows::Contacts => ("contacts", &["name", "phone"]),
        }
    }

    /// What a row is made of, as stored. None when there is no such record.
    fn stored_parts(self, raw: &rusqlite::Connection, id: i64) -> rusqlite::Result<Option<Vec<String>>> {
        let (table, fields) = self.fields();
        let mut select = raw.prepare_cached(&format!("SELECT {} FROM {table} WHERE id = ?", fields.join(", ")))?;
        let mut rows = select.query([id])?;
        match rows.next()? {
            Some(row) => Ok(Some((0..fields.len()).map(|i| row.get::<_, String>(i)).collect::<rusqlite::Result<_>>()?)),
            None => Ok(None),
        }
    }
}

/// Rebuilds the search row of one customer from its fields as stored (its contacts have rows of their
/// own); removes it when the customer is gone.
pub async fn reindex(conn: &mut SqliteConnection, customer_id: i64) -> Result<()> {
    rewrite(conn, Rows::Customers, customer_id).await
}

/// Rebuilds the search rows of one contact from its name and phone as stored.
pub async fn reindex_contact(conn: &mut SqliteConnection, contact_id: i64) -> Result<()> {
    rewrite(conn, Rows::Contacts, contact_id).await
}

async fn rewrite(conn: &mut SqliteConnection, rows: Rows, id: i64) -> Result<()> {
    for table in [rows.words(), rows.pairs()] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE rowid = ?")))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let parts = with_raw(conn, |raw| Ok(rows.stored_parts(raw, id)?)).await?;
    match parts {
        Some(parts) => index_new(conn, rows, id, &parts).await,
        None => Ok(()),
    }
}

/// Indexes a record that has no search rows yet (just inserted) from its parts as [`Rows`] lists them.
/// Saves re-reading what the caller just wrote.
pub async fn index_new(conn: &mut SqliteConnection, rows: Rows, id: i64, parts: &[impl AsRef<str>]) -> Result<()> {
    let text = SearchText::of(parts);
    sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {} (rowid, body) VALUES (?, ?)", rows.words())))
        .bind(id)
        .bind(&text.body)
        .execute(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {} (rowid, pairs) VALUES (?, ?)", rows.pairs())))
        .bind(id)
        .bind(&text.pairs)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The search rows of many new or changed records, gathered while an import writes them and moved into
/// the two full-text indexes by one statement each at its end. FTS5 writes the terms it holds to disk at
/// every statement that changes it inside a transaction: a few hundred rows a statement left thousands of
/// small segments to merge, most of an import's time; one statement leaves a few large ones. (A row
/// statement a record, in id order, keeps FTS5 from writing out early too, but took 0.2 s longer for
/// 200,000 customers: tokenising among the records' own inserts.)
pub struct Staging {
    rows: Rows,
    insert: String,
    staged: usize,
    /// Whether some staged records have index rows already, which go first.
    replacing: bool,
}

impl Staging {
    /// A temporary table for the rows, empty (part of the caller's transaction: a rollback removes it).
    pub async fn start(conn: &mut SqliteConnection, rows: Rows) -> Result<Staging> {
        let table = rows.staging();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TEMP TABLE IF NOT EXISTS {} (id INTEGER PRIMARY KEY, body TEXT NOT NULL, pairs TEXT NOT NULL)",
            table.trim_start_matches("temp.")
        )))
        .execute(&mut *conn)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}"))).execute(&mut *conn).await?;
        let insert = format!("INSERT INTO {table} (id, body, pairs) VALUES (?, ?, ?)");
        Ok(Staging { rows, insert, staged: 0, replacing: false })
    }

    /// Stages records that have no index rows yet, from their search text made already.
    pub async fn add_texts(
        &mut self,
        conn: &mut SqliteConnection,
        records: impl Iterator<Item = (i64, SearchText)>,
    ) -> Result<()> {
        with_raw(conn, |raw| {
            for (id, text) in records {
                self.put_text(raw, id, &text, false)?;
            }
            Ok(())
        })
        .await
    }

    /// Stages contacts written after `last_id` (an import's new ones), from what is stored.
    pub async fn add_contacts_after(&mut self, conn: &mut SqliteConnection, last_id: i64) -> Result<()> {
        debug_assert!(self.rows == Rows::Contacts);
        with_raw(conn, |raw| {
            let mut select = raw.prepare("SELECT id, name, phone FROM contacts WHERE id > ? ORDER BY id")?;
            let mut rows = select.query([last_id])?;
            while let Some(row) = rows.next()? {
                let parts: [String; 2] = [row.get(1)?, row.get(2)?];
                self.put(raw, row.get(0)?, &parts, false)?;
            }
            Ok(())
        })
        .await
    }

    /// Stages records whose search rows are rebuilt (an import changed them), from what is stored now:
    /// each once, however often it changed.
    pub async fn restage(&mut self, conn: &mut SqliteConnection, ids: &[i64]) -> Result<()> {
        with_raw(conn, |raw| {
            for id in ids {
                if let Some(parts) = self.rows.stored_parts(raw, *id)? {
                    self.put(raw, *id, &parts, true)?;
                }
            }
            Ok(())
        })
        .await
    }

    /// Stages one record's row, inside [`with_raw`]; `replacing` when it may have index rows already.
    fn put(
        &mut self,
        raw: &rusqlite::Connection,
        id: i64,
        parts: &[impl AsRef<str>],
        replacing: bool,
    ) -> rusqlite::Result<()> {
        self.put_text(raw, id, &SearchText::of(parts), replacing)
    }

    fn put_text(
        &mut self,
        raw: &rusqlite::Connection,
        id: i64,
        text: &SearchText,
        replacing: bool,
    ) -> rusqlite::Result<()> {
        raw.prepare_cached(&self.insert)?.execute(rusqlite::params![id, text.body, text.pairs])?;
        self.staged += 1;
        self.replacing |= replacing;
        Ok(())
    }

    /// Moves the staged rows into the indexes.
    pub async fn finish(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        let (words, pairs, staging) = (self.rows.words(), self.rows.pairs(), self.rows.staging());
        let mut statements = Vec::new();
        if self.replacing {
            statements.push(format!("DELETE FROM {words} WHERE rowid IN (SELECT id FROM {staging})"));
            statements.push(format!("DELETE FROM {pairs} WHERE rowid IN (SELECT id FROM {staging})"));
        }
        if self.staged > 0 {
            statements.push(format!("INSERT INTO {words} (rowid, body) SELECT id, body FROM {staging}"));
            statements.push(format!("INSERT INTO {pairs} (rowid, pairs) SELECT id, pairs FROM {staging}"));
        }
        statements.push(format!("DROP TABLE {staging}"));
        for statement in statements {
            sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&mut *conn).await?;
        }
        self.staged = 0;
        self.replacing = false;
        Ok(())
    }
}

/// The recipe of the keys derived from customers' and contacts' text in Rust (the sort key `name_pinyin`
/// and the search rows). Raise it whenever [`body`] or the pinyin keys change what they make, or what a
/// row holds: opening a file whose keys an older recipe made rebuilds them ([`refresh_keys`]). 1 read
/// every character its first reading only; 2 reads phrases and surnames and indexes the other common
/// readings; 3 gives contacts rows of their own and leaves spellings out of the pairs index.
const KEYS_RECIPE: i64 = 3;

/// Rebuilds the derived keys of every customer and contact if an older recipe made them (every search
/// row, and the sort keys that differ), in one transaction. Returns how many records it rewrote. Run when
/// a file is opened.
pub async fn refresh_keys(db: &Db) -> Result<usize> {
    if keys_recipe(&mut *db.pool().acquire().await?).await? >= KEYS_RECIPE {
        return Ok(0);
    }
    let mut tx = db.write().await?;
    let recipe = keys_recipe(&mut tx).await?;
    if recipe >= KEYS_RECIPE {
        return Ok(0);
    }
    // The indexes keep no copy of their text to compare with what the recipe makes now: every record's
    // rows are written again (once, when the file is first opened by a release with a newer recipe).
    sqlx::query("CREATE TEMP TABLE IF NOT EXISTS keys_staging (id INTEGER PRIMARY KEY, name_pinyin TEXT NOT NULL)")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM temp.keys_staging").execute(&mut *tx).await?;
    let mut customers = Staging::start(&mut tx, Rows::Customers).await?;
    let mut contacts = Staging::start(&mut tx, Rows::Contacts).await?;
    let changed = with_raw(&mut tx, |raw| {
        let customers = stage_every_customer(raw, &mut customers)?;
        stage_every_contact(raw, &mut contacts)?;
        Ok(customers)
    })
    .await?
        + contacts.staged;
    sqlx::query("UPDATE customers SET name_pinyin = k.name_pinyin FROM temp.keys_staging k WHERE k.id = customers.id")
        .execute(&mut *tx)
        .await?;
    customers.finish(&mut tx).await?;
    contacts.finish(&mut tx).await?;
    sqlx::query("DROP TABLE temp.keys_staging").execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO derived_keys (name, recipe) VALUES ('customer_search', ?)
         ON CONFLICT (name) DO UPDATE SET recipe = excluded.recipe",
    )
    .bind(KEYS_RECIPE)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if changed > 0 {
        tracing::info!(changed, "search keys rebuilt");
    }
    Ok(changed)
}

/// The recipe that made the keys in the file; 1 for a file from before recipes were recorded.
async fn keys_recipe(conn: &mut SqliteConnection) -> Result<i64> {
    let recipe: Option<i64> = sqlx::query_scalar("SELECT recipe FROM derived_keys WHERE name = 'customer_search'")
        .fetch_optional(conn)
        .await?;
    Ok(recipe.unwrap_or(1))
}

/// Stages every customer's search row, and its sort key where it differs from the one stored (in
/// `keys_staging`). Returns how many customers it staged.
fn stage_every_customer(raw: &rusqlite::Connection, staging: &mut Staging) -> Result<usize> {
    let mut customers =
        raw.prepare("SELECT id, code, name, phone, email, city, address, tags, name_pinyin FROM customers")?;
    let mut stage_name = raw.prepare("INSERT INTO temp.keys_staging (id, name_pinyin) VALUES (?, ?)")?;
    let mut rows = customers.query([])?;
    let mut staged = 0;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let parts = (1..=7).map(|i| row.get::<_, String>(i)).collect::<rusqlite::Result<Vec<String>>>()?;
        let (_, name_pinyin) = pinyin_keys(&parts[1]);
        if name_pinyin != row.get::<_, String>(8)? {
            stage_name.execute(rusqlite::params![id, name_pinyin])?;
        }
        staging.put(raw, id, &parts, true)?;
        staged += 1;
    }
    Ok(staged)
}

/// Stages every contact's search rows.
fn stage_every_contact(raw: &rusqlite::Connection, staging: &mut Staging) -> Result<()> {
    let mut contacts = raw.prepare("SELECT id, name, phone FROM contacts")?;
    let mut rows = contacts.query([])?;
    while let Some(row) = rows.next()? {
        let parts: [String; 2] = [row.get(1)?, row.get(2)?];
        staging.put(raw, row.get(0)?, &parts, true)?;
    }
    Ok(())
}

/// The character pairs of every run of letters and digits in `text`, and each run's last
/// character, each followed by a space: "上海鼎盛" → "上海 海鼎 鼎盛 盛 ".
pub fn pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    push_pairs(&mut out, text);
    out
}

fn push_pairs(out: &mut String, text: &str) {
    for run in text.split(|c: char| !c.is_alphanumeric()).filter(|r| !r.is_empty()) {
        let mut chars = run.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(c);
            if let Some(next) = chars.peek() {
                out.push(*next);
            }
            out.push(' ');
        }
    }
}

/// What a record's search rows hold, made from its parts.
pub struct SearchText {
    /// For the trigram index: every part, lower-cased, plus the pinyin keys of every part (initials and
    /// full pinyin, of every common reading: [`search_keys`]) and the bare digits of phone numbers. Parts
    /// are separated by a newline so a match never spans two fields.
    pub body: String,
    /// For the pairs index, which answers words of one or two characters: the pairs of every line but
    /// the full pinyin and the bare digits. Two letters are read as initials ("ds" for 鼎盛) or part of
    /// the text; as part of every spelling they would match most customers ("an", "zh"), and from three
    /// letters on the trigram index reads the spellings. Leaving them out halves this index.
    pub pairs: String,
}

impl SearchText {
    pub fn of(parts: &[impl AsRef<str>]) -> SearchText {
        let mut lines: Vec<String> = Vec::with_capacity(parts.len() * 2);
        let mut paired = String::new();
        for part in parts.iter().map(AsRef::as_ref).filter(|p| !p.trim().is_empty()) {
            let lower = part.to_lowercase();
            push_pairs(&mut paired, &lower);
            lines.push(lower);
            if !part.is_ascii() {
                let keys = search_keys(part);
                for initials in &keys.initials {
                    push_pairs(&mut paired, initials);
                }
                lines.extend(keys.initials);
                lines.push(keys.full);
            }
            // A phone's bare digits ("138-0013-8000" → "13800138000"), unless the text holds them already
            // (a code like C0000123): every substring of them is found in the text itself.
            let digits = text::digits(part);
            if digits.len() >= 5 && !part.contains(digits.as_str()) {
                lines.push(digits);
            }
        }
        SearchText { body: lines.join("\n"), pairs: paired }
    }

    /// This text, then `next`'s: what [`SearchText::of`] makes of this one's parts followed by the other's.
    pub fn then(self, next: &SearchText) -> SearchText {
        let body = match (self.body.is_empty(), next.body.is_empty()) {
            (_, true) => self.body,
            (true, false) => next.body.clone(),
            (false, false) => format!("{}\n{}", self.body, next.body),
        };
        SearchText { body, pairs: self.pairs + &next.pairs }
    }
}

/// The searchable text of [`SearchText::body`].
pub fn body(parts: &[impl AsRef<str>]) -> String {
    SearchText::of(parts).body
}

/// Adds `AND <id_column> IN (…)` for each word of `query`: every word must match somewhere, in the
/// customer's own fields or in one of its contacts'.
pub fn push_filter(builder: &mut QueryBuilder<Sqlite>, id_column: &str, query: &str) {
    for term in query.split_whitespace().map(str::to_lowercase) {
        builder.push(format_args!(" AND {id_column} IN ("));
        push_match(builder, Rows::Customers, &term);
        builder.push(" UNION ALL SELECT customer_id FROM contacts WHERE id IN (");
        push_match(builder, Rows::Contacts, &term);
        builder.push("))");
    }
}

/// Selects the row ids of `rows` whose text holds `term`.
fn push_match(builder: &mut QueryBuilder<Sqlite>, rows: Rows, term: &str) {
    let alphanumeric = term.chars().all(char::is_alphanumeric);
    let (words, pairs) = (rows.words(), rows.pairs());
    match term.chars().count() {
        3.. => {
            builder.push(format_args!("SELECT rowid FROM {words} WHERE {words} MATCH ")).push_bind(quoted(term));
        }
        2 if alphanumeric => {
            builder.push(format_args!("SELECT rowid FROM {pairs} WHERE {pairs} MATCH ")).push_bind(quoted(term));
        }
        1 if alphanumeric => {
            builder
                .push(format_args!("SELECT rowid FROM {pairs} WHERE {pairs} MATCH "))
                .push_bind(format!("{}*", quoted(term)));
        }
        // A short word with punctuation in it ("a@", "-1"): rare, so a scan of the fields the rows are
        // made of is fine (the indexes keep no copy of their text; pinyin and bare digits hold none).
        _ => {
            let (table, fields) = rows.fields();
            builder.push(format_args!("SELECT id FROM {table}, (SELECT "));
            builder.push_bind(format!("%{}%", escape_like(term)));
            let matches: Vec<String> = fields.iter().map(|f| format!("{f} LIKE pattern ESCAPE '\\'")).collect();
            builder.push(format_args!(" AS pattern) WHERE {}", matches.join(" OR ")));
        }
    }
}

/// An FTS5 string literal: the word in double quotes, inner quotes doubled.
fn quoted(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_holds_pinyin_and_phone_digits() {
        let body = body(&["C001".into(), "上海鼎盛".into(), "138-0013-8000".into(), String::new()]);
        assert!(body.contains("shds"));
        assert!(body.contains("shanghaidingsheng"));
        assert!(body.contains("13800138000"));
        assert!(body.contains("c001"));
        assert_eq!(super::body(&["C0000123"]), "c0000123", "a code's digits are in it already: no line of their own");
    }

    #[test]
    fn pairs_cover_every_substring_of_two_and_every_character() {
        assert_eq!(pairs("上海鼎盛\nc01"), "上海 海鼎 鼎盛 盛 c0 01 1 ");
        assert_eq!(pairs("(集团)"), "集团 团 ");
        let text = SearchText::of(&["鼎盛", "138-0013-8000"]);
        assert!(text.body.contains("dingsheng") && text.body.contains("13800138000"));
        assert_eq!(text.pairs, "鼎盛 盛 ds s 13 38 8 00 01 13 3 80 00 00 0 ", "no spelling, no bare digits");
        let joined = SearchText::of(&["C01"]).then(&SearchText::of(&["", "鼎盛", "138-0013-8000"]));
        let whole = SearchText::of(&["C01", "", "鼎盛", "138-0013-8000"]);
        assert_eq!((joined.body, joined.pairs), (whole.body, whole.pairs), "one text, then another: as one");
    }

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(escape_like("5%_\\"), "5\\%\\_\\\\");
    }
}
