//! Activities with customers: record a call, visit, e-mail, meeting or service with its operator,
//! minutes and next follow-up date; list them across customers, with the follow-ups that are due.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::choice::Choice;
use crate::crm::customers;
use crate::db::{Db, Page, fetch_page, push_between, today};
use crate::directory::{Directory, Wanted};
use crate::error::{Error, FieldError, RangeUnit, Reason, Result};
use crate::io::insert::{self, Insertable, Inserting};
use crate::io::plain::{Checked, PlainRecord};
use crate::text;
use rusqlite::types::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivityKind {
    Call,
    Visit,
    Email,
    Meeting,
    Service,
    Other,
}

impl Choice for ActivityKind {
    const ALL: &'static [ActivityKind] = &[
        ActivityKind::Call,
        ActivityKind::Visit,
        ActivityKind::Email,
        ActivityKind::Meeting,
        ActivityKind::Service,
        ActivityKind::Other,
    ];
    const WHEN_EMPTY: Option<ActivityKind> = Some(ActivityKind::Other);

    fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Visit => "visit",
            ActivityKind::Email => "email",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Service => "service",
            ActivityKind::Other => "other",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            ActivityKind::Call => "电话",
            ActivityKind::Visit => "拜访",
            ActivityKind::Email => "邮件",
            ActivityKind::Meeting => "会议",
            ActivityKind::Service => "服务",
            ActivityKind::Other => "其他",
        }
    }

    fn also(self) -> &'static [&'static str] {
        match self {
            ActivityKind::Call => &["打电话"],
            ActivityKind::Visit => &["上门"],
            ActivityKind::Email => &["e-mail", "电子邮件"],
            ActivityKind::Meeting => &["会面"],
            ActivityKind::Service | ActivityKind::Other => &[],
        }
    }
}

/// An activity as a form, an import row or the CLI sends it. Empty means "not given".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityInput {
    /// Empty: today.
    pub date: String,
    pub customer_id: Option<i64>,
    pub customer_code: String,
    /// A user name; empty: the acting user (a salesperson always records their own).
    pub operator: String,
    pub kind: String,
    pub minutes: String,
    pub subject: String,
    pub next_follow_up: String,
}

/// An activity once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidActivity {
    pub date: NaiveDate,
    pub customer_id: i64,
    pub operator_id: i64,
    pub branch_id: Option<i64>,
    pub kind: ActivityKind,
    pub minutes: i64,
    pub subject: String,
    pub next_follow_up: Option<NaiveDate>,
}

/// Checks every field, naming every problem; the customer must be one the actor sees.
pub async fn validate(conn: &mut SqliteConnection, actor: &Actor, input: &ActivityInput) -> Result<ValidActivity> {
    let wanted = Wanted {
        customer_ids: input.customer_id.into_iter().collect(),
        customer_codes: vec![input.customer_code.as_str()],
        ..Wanted::default()
    };
    let directory = Directory::for_names(conn, &wanted).await?;
    check(actor, input, &directory).map_err(Error::from_fields)
}

/// The checks of [`validate`], against what `directory` knows: a form's and every row of a file's.
pub fn check(actor: &Actor, input: &ActivityInput, directory: &Directory) -> Checked<ValidActivity> {
    let mut problems: Vec<FieldError> = Vec::new();
    let date = text::collect(text::date_or("date", &input.date, today()), today(), &mut problems);
    let next_follow_up =
        text::collect(text::optional_date("next_follow_up", Some(&input.next_follow_up)), None, &mut problems);
    let kind = ActivityKind::parse(&input.kind).unwrap_or_else(|| {
        problems.push(FieldError { field: "type", reason: ActivityKind::not_allowed(&input.kind) });
        ActivityKind::Other
    });
    let minutes = match input.minutes.trim() {
        "" => 0,
        text => match text.parse::<i64>() {
            Ok(m) if (0..=24 * 60).contains(&m) => m,
            _ => {
                let reason = Reason::OutOfRange { value: text.into(), min: 0, max: 24 * 60, unit: RangeUnit::Minutes };
                problems.push(FieldError { field: "minutes", reason });
                0
            }
        },
    };
    let subject = text::collect(text::bounded("subject", &input.subject, 500), String::new(), &mut problems);
    let customer =
        directory.customer(actor, "customer_code", input.customer_id, &input.customer_code, true, &mut problems);
    let operator = directory.operator(actor, "operator", &input.operator, &mut problems);
    match (customer, operator, problems.is_empty()) {
        (Some(customer), Some(operator), true) => Ok(ValidActivity {
            date,
            customer_id: customer.id,
            operator_id: operator.id,
            branch_id: operator.branch_id,
            kind,
            minutes,
            subject,
            next_follow_up,
        }),
        _ => Err(problems),
    }
}

impl Insertable for ValidActivity {
    const TABLE: &'static str = "activities";
    const INSERTED: &'static [&'static str] = &[
        "activity_date",
        "customer_id",
        "operator_id",
        "branch_id",
        "kind",
        "minutes",
        "subject",
        "next_follow_up",
        "created_at",
    ];

    fn inserted(&self, inserting: &Inserting) -> Vec<Value> {
        vec![
            insert::text(self.date.to_string()),
            Value::Integer(self.customer_id),
            Value::Integer(self.operator_id),
            insert::optional(self.branch_id),
            insert::text(self.kind.as_str()),
            Value::Integer(self.minutes),
            insert::text(self.subject.as_str()),
            insert::optional(self.next_follow_up.map(|d| d.to_string())),
            insert::text(inserting.now.as_str()),
        ]
    }
}

impl PlainRecord for ValidActivity {
    const COMPARED: &'static [(&'static str, &'static str)] = &[
        ("date", "activity_date"),
        ("customer_code", "customer_id"),
        ("operator", "operator_id"),
        ("type", "kind"),
        ("minutes", "minutes"),
        ("subject", "subject"),
        ("next_follow_up", "next_follow_up"),
    ];

    fn compared(&self) -> Vec<Value> {
        vec![
            insert::text(self.date.to_string()),
            Value::Integer(self.customer_id),
            Value::Integer(self.operator_id),
            insert::text(self.kind.as_str()),
            Value::Integer(self.minutes),
            insert::text(self.subject.as_str()),
            insert::optional(self.next_follow_up.map(|d| d.to_string())),
        ]
    }
}

/// Records an activity with a customer the actor sees.
pub async fn create(db: &Db, actor: &Actor, input: &ActivityInput) -> Result<i64> {
    actor.require(Permission::WriteCustomers)?;
    let mut tx = db.write().await?;
    let valid = validate(&mut tx, actor, input).await?;
    let id = insert::insert_one(&mut tx, &valid, actor, None).await?;
    let record = serde_json::json!({
        "customer_id": valid.customer_id, "date": valid.date, "type": valid.kind.as_str(),
        "minutes": valid.minutes, "subject": valid.subject, "next_follow_up": valid.next_follow_up,
    });
    audit::record(&mut tx, actor, "activity", id, "create", record).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityQuery {
    pub kind: Option<ActivityKind>,
    /// Inclusive ISO dates.
    pub from: Option<String>,
    pub to: Option<String>,
    pub customer_id: Option<i64>,
    pub operator_id: Option<i64>,
    /// Only those whose next follow-up is today or earlier.
    pub follow_up_due: bool,
    pub offset: i64,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: i64,
    pub date: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub kind: String,
    pub operator: Option<String>,
    pub minutes: i64,
    pub subject: String,
    pub next_follow_up: Option<String>,
}

fn push_filters(builder: &mut QueryBuilder<Sqlite>, actor: &Actor, query: &ActivityQuery) {
    builder.push(" WHERE 1 = 1");
    customers::push_scope(builder, actor.scope());
    if let Some(kind) = query.kind {
        builder.push(" AND a.kind = ").push_bind(kind.as_str());
    }
    push_between(builder, "a.activity_date", &query.from, &query.to);
    if let Some(customer) = query.customer_id {
        builder.push(" AND a.customer_id = ").push_bind(customer);
    }
    if let Some(operator) = query.operator_id {
        builder.push(" AND a.operator_id = ").push_bind(operator);
    }
    if query.follow_up_due {
        builder.push(" AND a.next_follow_up <= ").push_bind(today().to_string());
    }
}

/// Activities with the customers the actor sees, newest first (follow-ups due: soonest first).
pub async fn list(db: &Db, actor: &Actor, query: &ActivityQuery) -> Result<Page<ActivityRow>> {
    actor.require(Permission::ReadCustomers)?;
    let order = if query.follow_up_due {
        "ORDER BY a.next_follow_up, a.id"
    } else {
        "ORDER BY a.activity_date DESC, a.id DESC"
    };
    fetch_page(
        db,
        "SELECT count(*) FROM activities a JOIN customers c ON c.id = a.customer_id",
        "SELECT a.id, a.activity_date AS date, a.customer_id, c.code AS customer_code, c.name AS customer_name,
                a.kind, u.username AS operator, a.minutes, a.subject, a.next_follow_up
         FROM activities a JOIN customers c ON c.id = a.customer_id LEFT JOIN users u ON u.id = a.operator_id",
        |builder| push_filters(builder, actor, query),
        order,
        query.offset,
        query.limit,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_kind_is_read_and_listed_from_its_variants() {
        crate::choice::tests::check::<ActivityKind>();
        assert_eq!(ActivityKind::parse(""), Some(ActivityKind::Other));
        assert_eq!(ActivityKind::parse("E-Mail"), Some(ActivityKind::Email));
        assert_eq!(ActivityKind::parse("打电话"), Some(ActivityKind::Call));
    }
}
