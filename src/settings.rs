//! Company-wide preferences kept in the company file: the language shown before anyone logs in, payment terms.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::choice::Choice;
use crate::db::Db;
use crate::error::{Error, RangeUnit, Reason, Result};

pub const LANGUAGE: &str = "ui.language";

/// A language the window speaks; its code is what the window's translations are named by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "zh-CN")]
    Chinese,
    #[serde(rename = "en")]
    English,
}

impl Choice for Language {
    const ALL: &'static [Language] = &[Language::Chinese, Language::English];

    fn as_str(self) -> &'static str {
        match self {
            Language::Chinese => "zh-CN",
            Language::English => "en",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            Language::Chinese => "中文",
            Language::English => "英文",
        }
    }

    fn also(self) -> &'static [&'static str] {
        match self {
            Language::Chinese => &["zh"],
            Language::English => &["en-US"],
        }
    }
}

pub async fn get(db: &Db, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(key).fetch_optional(db.pool()).await?)
}

pub async fn set(db: &Db, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db.pool())
    .await?;
    Ok(())
}

const CUSTOMER_TERMS: &str = "terms.customer_days";
const SUPPLIER_TERMS: &str = "terms.supplier_days";

/// The company's payment terms: how many days after a document's date payment falls due, when the
/// document does not say. One rule for the order form, a quote's order, the purchase form and every
/// file of orders or purchases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTerms {
    /// Days a customer has to pay an order.
    pub customer_days: u32,
    /// Days the company has to pay a supplier's purchase.
    pub supplier_days: u32,
}

impl Default for PaymentTerms {
    fn default() -> PaymentTerms {
        PaymentTerms { customer_days: 30, supplier_days: 30 }
    }
}

/// The longest terms a company may set (five years): a due date stays a real date.
pub const MAX_TERMS_DAYS: u32 = 1_830;

impl PaymentTerms {
    /// When an order dated `date` is due from the customer.
    pub fn customer_due(&self, date: NaiveDate) -> NaiveDate {
        date + Days::new(u64::from(self.customer_days))
    }

    /// When a purchase dated `date` is due to the supplier.
    pub fn supplier_due(&self, date: NaiveDate) -> NaiveDate {
        date + Days::new(u64::from(self.supplier_days))
    }

    /// The terms in force, read inside the caller's transaction.
    pub async fn read(conn: &mut SqliteConnection) -> Result<PaymentTerms> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings WHERE key IN (?, ?)")
            .bind(CUSTOMER_TERMS)
            .bind(SUPPLIER_TERMS)
            .fetch_all(conn)
            .await?;
        let mut terms = PaymentTerms::default();
        for (key, value) in rows {
            let days = value.parse().unwrap_or(30).min(MAX_TERMS_DAYS);
            if key == CUSTOMER_TERMS {
                terms.customer_days = days;
            } else {
                terms.supplier_days = days;
            }
        }
        Ok(terms)
    }
}

/// The payment terms in force.
pub async fn payment_terms(db: &Db) -> Result<PaymentTerms> {
    PaymentTerms::read(&mut *db.pool().acquire().await?).await
}

/// Sets the payment terms (the owner's decision), audited.
pub async fn set_payment_terms(db: &Db, actor: &Actor, terms: PaymentTerms) -> Result<PaymentTerms> {
    actor.require(Permission::EditSettings)?;
    for (field, days) in [("customer_days", terms.customer_days), ("supplier_days", terms.supplier_days)] {
        if days > MAX_TERMS_DAYS {
            return Err(Error::invalid(
                field,
                Reason::OutOfRange {
                    value: days.to_string(),
                    min: 0,
                    max: MAX_TERMS_DAYS.into(),
                    unit: RangeUnit::Days,
                },
            ));
        }
    }
    let mut tx = db.write().await?;
    let before = PaymentTerms::read(&mut tx).await?;
    for (key, days) in [(CUSTOMER_TERMS, terms.customer_days), (SUPPLIER_TERMS, terms.supplier_days)] {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(days.to_string())
        .execute(&mut *tx)
        .await?;
    }
    audit::record_changes(&mut tx, actor, "settings", 0, "update", &before, &terms).await?;
    tx.commit().await?;
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_is_read_and_listed_from_its_variants() {
        crate::choice::tests::check::<Language>();
        assert_eq!(Language::parse("zh"), Some(Language::Chinese));
        assert_eq!(Language::parse("en-US"), Some(Language::English));
        assert_eq!(Language::parse(""), None);
    }
}
