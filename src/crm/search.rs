//! The customer search index: one row of searchable text per customer, matched by substring.
//!
//! Words of three or more characters use the FTS5 trigram index. Shorter words (a two-character
//! Chinese name is common) use a second index whose tokens are the character pairs of the text,
//! plus each run's last character, so that "鼎盛" is one token and "鼎" a token prefix.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::crm::pinyin_key::{pinyin_keys, search_keys};
use crate::db::{Db, with_raw};
use crate::error::Result;
use crate::text::{self, escape_like};

/// Rebuilds the searchable text of one customer from the customer and its contacts.
pub async fn reindex(conn: &mut SqliteConnection, customer_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM customer_search WHERE rowid = ?").bind(customer_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM customer_search_pairs WHERE rowid = ?").bind(customer_id).execute(&mut *conn).await?;
    let parts = with_raw(conn, |raw| Ok(stored_parts(raw, customer_id)?)).await?;
    match parts {
        Some(parts) => index_new(conn, customer_id, &parts).await,
        None => Ok(()),
    }
}

/// What a customer's search row is made of, as stored: code, name, phone, e-mail, city, address, tags,
/// then each contact's name and phone. None when there is no such customer.
fn stored_parts(raw: &rusqlite::Connection, customer_id: i64) -> rusqlite::Result<Option<Vec<String>>> {
    let mut customer =
        raw.prepare_cached("SELECT code, name, phone, email, city, address, tags FROM customers WHERE id = ?")?;
    let mut rows = customer.query([customer_id])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let mut parts = (0..7).map(|i| row.get::<_, String>(i)).collect::<rusqlite::Result<Vec<_>>>()?;
    let mut contacts = raw.prepare_cached("SELECT name, phone FROM contacts WHERE customer_id = ? ORDER BY id")?;
    let mut rows = contacts.query([customer_id])?;
    while let Some(row) = rows.next()? {
        parts.push(row.get(0)?);
        parts.push(row.get(1)?);
    }
    Ok(Some(parts))
}

/// Indexes a customer that has no index rows yet (just inserted, no contacts), from its fields:
/// code, name, phone, e-mail, city, address, tags. Saves re-reading what the caller just wrote.
pub async fn index_new(conn: &mut SqliteConnection, customer_id: i64, parts: &[String]) -> Result<()> {
    let body = body(parts);
    sqlx::query("INSERT INTO customer_search (rowid, body) VALUES (?, ?)")
        .bind(customer_id)
        .bind(&body)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO customer_search_pairs (rowid, pairs) VALUES (?, ?)")
        .bind(customer_id)
        .bind(pairs(&body))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The search rows of many new customers, gathered while an import writes them and moved into the two
/// full-text indexes by one statement each at its end. FTS5 writes the terms it holds to disk at every
/// statement that changes it inside a transaction: a few hundred rows a statement left thousands of small
/// segments to merge, most of an import's time; one statement leaves a few large ones.
pub struct Staging {
    staged: usize,
    /// Whether some staged customers have index rows already, which go first.
    replacing: bool,
}

impl Staging {
    /// A temporary table for the rows, empty (part of the caller's transaction: a rollback removes it).
    pub async fn start(conn: &mut SqliteConnection) -> Result<Staging> {
        sqlx::query(
            "CREATE TEMP TABLE IF NOT EXISTS search_staging (id INTEGER PRIMARY KEY, body TEXT NOT NULL, pairs TEXT NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM temp.search_staging").execute(&mut *conn).await?;
        Ok(Staging { staged: 0, replacing: false })
    }

    /// Stages customers that have no index rows yet, from their fields (see [`index_new`]).
    /// Each customer's words: its fields as [`index_new`] takes them, then its contacts' names and phones.
    pub async fn add(&mut self, conn: &mut SqliteConnection, customers: &[(i64, Vec<&str>)]) -> Result<()> {
        with_raw(conn, |raw| {
            let mut insert =
                raw.prepare_cached("INSERT INTO temp.search_staging (id, body, pairs) VALUES (?, ?, ?)")?;
            for (id, parts) in customers {
                let body = body(parts);
                let pairs = pairs(&body);
                insert.execute(rusqlite::params![id, body, pairs])?;
            }
            Ok(())
        })
        .await?;
        self.staged += customers.len();
        Ok(())
    }

    /// Stages customers whose search rows are rebuilt (an import changed their contacts), from what is
    /// stored now: each once, however many of its contacts changed.
    pub async fn restage(&mut self, conn: &mut SqliteConnection, customer_ids: &[i64]) -> Result<()> {
        let staged = with_raw(conn, |raw| {
            let mut insert =
                raw.prepare_cached("INSERT INTO temp.search_staging (id, body, pairs) VALUES (?, ?, ?)")?;
            let mut staged = 0;
            for id in customer_ids {
                if let Some(parts) = stored_parts(raw, *id)? {
                    let body = body(&parts);
                    let pairs = pairs(&body);
                    insert.execute(rusqlite::params![id, body, pairs])?;
                    staged += 1;
                }
            }
            Ok(staged)
        })
        .await?;
        self.staged += staged;
        self.replacing = true;
        Ok(())
    }

    /// Moves the staged rows into the indexes.
    pub async fn finish(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        if self.replacing {
            for table in ["customer_search", "customer_search_pairs"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE rowid IN (SELECT id FROM temp.search_staging)"
                )))
                .execute(&mut *conn)
                .await?;
            }
        }
        if self.staged > 0 {
            sqlx::query("INSERT INTO customer_search (rowid, body) SELECT id, body FROM temp.search_staging")
                .execute(&mut *conn)
                .await?;
            sqlx::query("INSERT INTO customer_search_pairs (rowid, pairs) SELECT id, pairs FROM temp.search_staging")
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("DROP TABLE temp.search_staging").execute(&mut *conn).await?;
        self.staged = 0;
        self.replacing = false;
        Ok(())
    }
}

/// The recipe of the keys derived from customers' text in Rust (the sort key `name_pinyin` and the
/// search rows). Raise it whenever [`body`] or the pinyin keys change what they make: opening a file
/// whose keys an older recipe made rebuilds them ([`refresh_keys`]). 1 read every character its first
/// reading only; 2 reads phrases and surnames and indexes the other common readings.
const KEYS_RECIPE: i64 = 2;

/// Rebuilds the derived keys of every customer if an older recipe made them, rewriting only the rows
/// that change, in one transaction. Returns how many customers it rewrote. Run when a file is opened.
pub async fn refresh_keys(db: &Db) -> Result<usize> {
    if keys_recipe(&mut *db.pool().acquire().await?).await? >= KEYS_RECIPE {
        return Ok(0);
    }
    let mut tx = db.write().await?;
    if keys_recipe(&mut tx).await? >= KEYS_RECIPE {
        return Ok(0);
    }
    sqlx::query(
        "CREATE TEMP TABLE IF NOT EXISTS keys_staging
             (id INTEGER PRIMARY KEY, name_pinyin TEXT NOT NULL, body TEXT NOT NULL, pairs TEXT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM temp.keys_staging").execute(&mut *tx).await?;
    let changed = with_raw(&mut tx, stage_changed_keys).await?;
    if changed > 0 {
        // One statement an index: FTS5 writes out what it holds at every statement (see `Staging`).
        for statement in [
            "UPDATE customers SET name_pinyin = k.name_pinyin FROM temp.keys_staging k
             WHERE k.id = customers.id AND customers.name_pinyin <> k.name_pinyin",
            "DELETE FROM customer_search WHERE rowid IN (SELECT id FROM temp.keys_staging)",
            "DELETE FROM customer_search_pairs WHERE rowid IN (SELECT id FROM temp.keys_staging)",
            "INSERT INTO customer_search (rowid, body) SELECT id, body FROM temp.keys_staging",
            "INSERT INTO customer_search_pairs (rowid, pairs) SELECT id, pairs FROM temp.keys_staging",
        ] {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
    }
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
        tracing::info!(changed, "customers' pinyin keys rebuilt");
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

/// Computes every customer's keys afresh, reading customers, their contacts and their search rows in
/// id order side by side, and stages those that differ from what the file holds.
fn stage_changed_keys(raw: &rusqlite::Connection) -> Result<usize> {
    let mut customers = raw.prepare(
        "SELECT c.id, c.code, c.name, c.phone, c.email, c.city, c.address, c.tags, c.name_pinyin, s.body
         FROM customers c LEFT JOIN customer_search s ON s.rowid = c.id ORDER BY c.id",
    )?;
    let mut contacts = raw.prepare("SELECT customer_id, name, phone FROM contacts ORDER BY customer_id, id")?;
    let mut stage = raw.prepare("INSERT INTO temp.keys_staging (id, name_pinyin, body, pairs) VALUES (?, ?, ?, ?)")?;
    let mut contacts = contacts.query([])?;
    let read_contact = |row: Option<&rusqlite::Row>| -> rusqlite::Result<Option<(i64, String, String)>> {
        row.map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).transpose()
    };
    let mut next_contact = read_contact(contacts.next()?)?;
    let mut rows = customers.query([])?;
    let mut changed = 0;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let mut parts = (1..=7).map(|i| row.get::<_, String>(i)).collect::<rusqlite::Result<Vec<String>>>()?;
        while let Some((customer_id, name, phone)) = next_contact.take() {
            if customer_id > id {
                next_contact = Some((customer_id, name, phone));
                break;
            }
            if customer_id == id {
                parts.push(name);
                parts.push(phone);
            }
            next_contact = read_contact(contacts.next()?)?;
        }
        let (_, name_pinyin) = pinyin_keys(&parts[1]);
        let body = body(&parts);
        let held_pinyin: String = row.get(8)?;
        let held_body: Option<String> = row.get(9)?;
        if name_pinyin != held_pinyin || held_body.as_deref() != Some(body.as_str()) {
            stage.execute(rusqlite::params![id, name_pinyin, body, pairs(&body)])?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// The character pairs of every run of letters and digits in `body`, and each run's last
/// character, separated by spaces: "上海鼎盛" → "上海 海鼎 鼎盛 盛".
pub fn pairs(body: &str) -> String {
    let mut out = String::with_capacity(body.len() * 3);
    for run in body.split(|c: char| !c.is_alphanumeric()).filter(|r| !r.is_empty()) {
        let chars: Vec<char> = run.chars().collect();
        for pair in chars.windows(2) {
            out.extend(pair);
            out.push(' ');
        }
        if let Some(last) = chars.last() {
            out.push(*last);
            out.push(' ');
        }
    }
    out
}

/// The searchable text: every part, lower-cased, plus the pinyin keys of every part (initials and
/// full pinyin, of every common reading: [`search_keys`]) and the bare digits of phone numbers.
/// Parts are separated by a newline so a match never spans two fields.
pub fn body(parts: &[impl AsRef<str>]) -> String {
    let mut lines: Vec<String> = Vec::with_capacity(parts.len() * 2);
    for part in parts.iter().map(AsRef::as_ref).filter(|p| !p.trim().is_empty()) {
        lines.push(part.to_lowercase());
        if !part.is_ascii() {
            let keys = search_keys(part);
            lines.extend(keys.initials);
            lines.push(keys.full);
        }
        let digits = text::digits(part);
        if digits.len() >= 5 && digits != part {
            lines.push(digits);
        }
    }
    lines.join("\n")
}

/// Adds `AND <id_column> IN (…)` for each word of `query`; every word must match somewhere.
pub fn push_filter(builder: &mut QueryBuilder<Sqlite>, id_column: &str, query: &str) {
    for term in query.split_whitespace().map(str::to_lowercase) {
        builder.push(format_args!(" AND {id_column} IN ("));
        let alphanumeric = term.chars().all(char::is_alphanumeric);
        match term.chars().count() {
            3.. => {
                builder.push("SELECT rowid FROM customer_search WHERE customer_search MATCH ").push_bind(quoted(&term));
            }
            2 if alphanumeric => {
                builder.push(PAIRS_MATCH).push_bind(quoted(&term));
            }
            1 if alphanumeric => {
                builder.push(PAIRS_MATCH).push_bind(format!("{}*", quoted(&term)));
            }
            // A short word with punctuation in it: rare, so a scan of the text is fine.
            _ => {
                builder
                    .push("SELECT rowid FROM customer_search WHERE body LIKE ")
                    .push_bind(format!("%{}%", escape_like(&term)))
                    .push(" ESCAPE '\\'");
            }
        }
        builder.push(")");
    }
}

const PAIRS_MATCH: &str = "SELECT rowid FROM customer_search_pairs WHERE customer_search_pairs MATCH ";

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
    }

    #[test]
    fn pairs_cover_every_substring_of_two_and_every_character() {
        assert_eq!(pairs("上海鼎盛\nc01"), "上海 海鼎 鼎盛 盛 c0 01 1 ");
        assert_eq!(pairs("(集团)"), "集团 团 ");
    }

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(escape_like("5%_\\"), "5\\%\\_\\\\");
    }
}
