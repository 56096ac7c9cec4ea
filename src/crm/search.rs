//! The customer search index: one row of searchable text per customer, matched by substring.
//!
//! Terms of three or more characters use the FTS5 trigram index; shorter terms (a two-character
//! Chinese name is common) fall back to a LIKE scan of the same, narrow table.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::crm::pinyin_key::pinyin_keys;
use crate::error::Result;
use crate::text;

/// Rebuilds the searchable text of one customer from the customer and its contacts.
pub async fn reindex(conn: &mut SqliteConnection, customer_id: i64) -> Result<()> {
    let fields: Option<(String, String, String, String, String, String, String)> =
        sqlx::query_as("SELECT code, name, phone, email, city, address, tags FROM customers WHERE id = ?")
            .bind(customer_id)
            .fetch_optional(&mut *conn)
            .await?;
    sqlx::query("DELETE FROM customer_search WHERE rowid = ?").bind(customer_id).execute(&mut *conn).await?;
    let Some((code, name, phone, email, city, address, tags)) = fields else {
        return Ok(());
    };
    let contacts: Vec<(String, String)> = sqlx::query_as("SELECT name, phone FROM contacts WHERE customer_id = ?")
        .bind(customer_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut parts = vec![code, name, phone, email, city, address, tags];
    for (contact_name, contact_phone) in contacts {
        parts.push(contact_name);
        parts.push(contact_phone);
    }
    sqlx::query("INSERT INTO customer_search (rowid, body) VALUES (?, ?)")
        .bind(customer_id)
        .bind(body(&parts))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The searchable text: every part, lower-cased, plus the pinyin initials and full pinyin of
/// every part and the bare digits of phone numbers. Parts are separated by a newline so a
/// match never spans two fields.
pub fn body(parts: &[String]) -> String {
    let mut lines: Vec<String> = Vec::with_capacity(parts.len() * 2);
    for part in parts.iter().filter(|p| !p.trim().is_empty()) {
        lines.push(part.to_lowercase());
        let (initials, full) = pinyin_keys(part);
        if !part.is_ascii() {
            lines.push(initials);
            lines.push(full);
        }
        let digits = text::digits(part);
        if digits.len() >= 5 && digits != *part {
            lines.push(digits);
        }
    }
    lines.join("\n")
}

/// Adds `AND c.id IN (…)` for each word of `query`; every word must match somewhere.
pub fn push_filter(builder: &mut QueryBuilder<Sqlite>, id_column: &str, query: &str) {
    for term in query.split_whitespace().map(str::to_lowercase) {
        builder.push(format_args!(" AND {id_column} IN (SELECT rowid FROM customer_search WHERE "));
        if term.chars().count() >= 3 {
            builder.push("customer_search MATCH ").push_bind(format!("\"{}\"", term.replace('"', "\"\"")));
        } else {
            builder.push("body LIKE ").push_bind(format!("%{}%", escape_like(&term))).push(" ESCAPE '\\'");
        }
        builder.push(")");
    }
}

fn escape_like(term: &str) -> String {
    term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
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
    fn like_wildcards_are_taken_literally() {
        assert_eq!(escape_like("5%_\\"), "5\\%\\_\\\\");
    }
}
