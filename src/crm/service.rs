//! Service requests and feedback (服务反馈): a customer's complaint, question, repair, suggestion or
//! praise, how it was handled and how satisfied they were (1–5).

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::choice::Choice;
use crate::crm::customers::push_scope;
use crate::db::{Db, Page, fetch_page, now_stamp, push_between, today};
use crate::directory::{Directory, Wanted};
use crate::error::{Error, FieldError, RangeUnit, Reason, Result};
use crate::io::insert::{self, Insertable, Inserting};
use crate::io::plain::{Checked, PlainRecord};
use crate::text;
use rusqlite::types::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceKind {
    Complaint,
    Consultation,
    Repair,
    Suggestion,
    Praise,
}

impl Choice for ServiceKind {
    const ALL: &'static [ServiceKind] = &[
        ServiceKind::Complaint,
        ServiceKind::Consultation,
        ServiceKind::Repair,
        ServiceKind::Suggestion,
        ServiceKind::Praise,
    ];

    fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Complaint => "complaint",
            ServiceKind::Consultation => "consultation",
            ServiceKind::Repair => "repair",
            ServiceKind::Suggestion => "suggestion",
            ServiceKind::Praise => "praise",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            ServiceKind::Complaint => "投诉",
            ServiceKind::Consultation => "咨询",
            ServiceKind::Repair => "维修",
            ServiceKind::Suggestion => "建议",
            ServiceKind::Praise => "表扬",
        }
    }

    fn also(self) -> &'static [&'static str] {
        match self {
            ServiceKind::Repair => &["报修"],
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    Open,
    InProgress,
    Resolved,
    Closed,
}

impl Choice for ServiceStatus {
    const ALL: &'static [ServiceStatus] =
        &[ServiceStatus::Open, ServiceStatus::InProgress, ServiceStatus::Resolved, ServiceStatus::Closed];
    const WHEN_EMPTY: Option<ServiceStatus> = Some(ServiceStatus::Open);

    fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Open => "open",
            ServiceStatus::InProgress => "in_progress",
            ServiceStatus::Resolved => "resolved",
            ServiceStatus::Closed => "closed",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            ServiceStatus::Open => "待处理",
            ServiceStatus::InProgress => "处理中",
            ServiceStatus::Resolved => "已解决",
            ServiceStatus::Closed => "已关闭",
        }
    }

    fn also(self) -> &'static [&'static str] {
        match self {
            ServiceStatus::InProgress => &["in progress"],
            ServiceStatus::Closed => &["关闭"],
            ServiceStatus::Open | ServiceStatus::Resolved => &[],
        }
    }
}

impl ServiceStatus {
    fn is_done(self) -> bool {
        matches!(self, ServiceStatus::Resolved | ServiceStatus::Closed)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceInput {
    /// Empty: today.
    pub date: String,
    pub customer_id: Option<i64>,
    pub customer_code: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Empty, or 1 to 5.
    pub satisfaction: String,
    /// Empty: open.
    pub status: String,
    pub content: String,
    pub resolution: String,
    pub version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ServiceRequest {
    pub id: i64,
    pub date: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub kind: String,
    pub satisfaction: Option<i64>,
    pub status: String,
    pub content: String,
    pub resolution: String,
    pub resolved_on: Option<String>,
    /// Who recorded or last handled it.
    pub handler: Option<String>,
    pub version: i64,
}

const SERVICE_SELECT: &str = "SELECT s.id, s.request_date AS date, s.customer_id, c.code AS customer_code,
        c.name AS customer_name, s.kind, s.satisfaction, s.status, s.content, s.resolution, s.resolved_on,
        u.username AS handler, s.version
    FROM service_requests s JOIN customers c ON c.id = s.customer_id
    LEFT JOIN users u ON u.id = s.handler_id";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidService {
    pub date: chrono::NaiveDate,
    pub customer_id: i64,
    pub kind: ServiceKind,
    pub satisfaction: Option<i64>,
    pub status: ServiceStatus,
    pub content: String,
    pub resolution: String,
}

pub(crate) async fn validate(conn: &mut SqliteConnection, actor: &Actor, input: &ServiceInput) -> Result<ValidService> {
    let wanted = Wanted {
        customer_ids: input.customer_id.into_iter().collect(),
        customer_codes: vec![input.customer_code.as_str()],
        ..Wanted::default()
    };
    let directory = Directory::for_names(conn, &wanted).await?;
    check(actor, input, &directory).map_err(Error::from_fields)
}

/// The checks of [`validate`], against what `directory` knows: a form's and every row of a file's.
pub fn check(actor: &Actor, input: &ServiceInput, directory: &Directory) -> Checked<ValidService> {
    let mut problems: Vec<FieldError> = Vec::new();
    let date = text::collect(text::date_or("date", &input.date, today()), today(), &mut problems);
    let content = text::collect(text::bounded("content", &input.content, 2_000), String::new(), &mut problems);
    let resolution = text::collect(text::bounded("resolution", &input.resolution, 2_000), String::new(), &mut problems);
    let kind = ServiceKind::parse(&input.kind).unwrap_or_else(|| {
        let reason = match input.kind.trim() {
            "" => Reason::Required,
            typed => ServiceKind::not_allowed(typed),
        };
        problems.push(FieldError { field: "type", reason });
        ServiceKind::Consultation
    });
    let status = ServiceStatus::parse(&input.status).unwrap_or_else(|| {
        problems.push(FieldError { field: "status", reason: ServiceStatus::not_allowed(&input.status) });
        ServiceStatus::Open
    });
    let satisfaction = match input.satisfaction.trim() {
        "" => None,
        typed => match typed.parse::<i64>() {
            Ok(score) if (1..=5).contains(&score) => Some(score),
            _ => {
                let reason = Reason::OutOfRange { value: typed.into(), min: 1, max: 5, unit: RangeUnit::Score };
                problems.push(FieldError { field: "satisfaction", reason });
                None
            }
        },
    };
    let customer_id = directory
        .customer(actor, "customer_code", input.customer_id, &input.customer_code, true, &mut problems)
        .map(|c| c.id);
    match customer_id {
        Some(customer_id) if problems.is_empty() => {
            Ok(ValidService { date, customer_id, kind, satisfaction, status, content, resolution })
        }
        _ => Err(problems),
    }
}

impl Insertable for ValidService {
    const TABLE: &'static str = "service_requests";
    const INSERTED: &'static [&'static str] = &[
        "request_date",
        "customer_id",
        "handler_id",
        "kind",
        "satisfaction",
        "status",
        "content",
        "resolution",
        "resolved_on",
        "created_at",
        "updated_at",
    ];

    fn inserted(&self, inserting: &Inserting) -> Vec<Value> {
        let resolved_on = self.status.is_done().then(|| self.date.to_string());
        vec![
            insert::text(self.date.to_string()),
            Value::Integer(self.customer_id),
            Value::Integer(inserting.user_id),
            insert::text(self.kind.as_str()),
            insert::optional(self.satisfaction),
            insert::text(self.status.as_str()),
            insert::text(self.content.as_str()),
            insert::text(self.resolution.as_str()),
            insert::optional(resolved_on),
            insert::text(inserting.now.as_str()),
            insert::text(inserting.now.as_str()),
        ]
    }
}

impl PlainRecord for ValidService {
    const COMPARED: &'static [(&'static str, &'static str)] = &[
        ("date", "request_date"),
        ("customer_code", "customer_id"),
        ("type", "kind"),
        ("satisfaction", "satisfaction"),
        ("status", "status"),
        ("content", "content"),
        ("resolution", "resolution"),
    ];

    fn compared(&self) -> Vec<Value> {
        vec![
            insert::text(self.date.to_string()),
            Value::Integer(self.customer_id),
            insert::text(self.kind.as_str()),
            insert::optional(self.satisfaction),
            insert::text(self.status.as_str()),
            insert::text(self.content.as_str()),
            insert::text(self.resolution.as_str()),
        ]
    }
}

async fn fetch_visible_in(conn: &mut SqliteConnection, actor: &Actor, id: i64) -> Result<ServiceRequest> {
    let mut builder = QueryBuilder::<Sqlite>::new(SERVICE_SELECT);
    builder.push(" WHERE s.id = ").push_bind(id);
    push_scope(&mut builder, actor.scope());
    builder.build_query_as().fetch_optional(conn).await?.ok_or_else(|| Error::not_found("service request", id))
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<ServiceRequest> {
    actor.require(Permission::ReadCustomers)?;
    fetch_visible_in(&mut *db.pool().acquire().await?, actor, id).await
}

/// Records a request of a customer the actor sees.
pub async fn create(db: &Db, actor: &Actor, input: &ServiceInput) -> Result<ServiceRequest> {
    actor.require(Permission::WriteCustomers)?;
    let mut tx = db.write().await?;
    let valid = validate(&mut tx, actor, input).await?;
    let id = insert::insert_one(&mut tx, &valid, actor, None).await?;
    let created = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record(&mut tx, actor, "service", id, "create", serde_json::to_value(&created).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(created)
}

/// Changes a request (usually its status, resolution and rating); the one who changes it becomes its
/// handler, and it is dated resolved the first time it is resolved or closed.
pub async fn update(db: &Db, actor: &Actor, id: i64, input: &ServiceInput) -> Result<ServiceRequest> {
    actor.require(Permission::WriteCustomers)?;
    let mut tx = db.write().await?;
    let before = fetch_visible_in(&mut tx, actor, id).await?;
    if input.version.is_some_and(|v| v != before.version) {
        return Err(Error::Conflict { entity: "service request" });
    }
    let valid = validate(&mut tx, actor, input).await?;
    let resolved_on = match (valid.status.is_done(), &before.resolved_on) {
        (true, Some(earlier)) => Some(earlier.clone()),
        (true, None) => Some(today().to_string()),
        (false, _) => None,
    };
    sqlx::query(
        "UPDATE service_requests SET request_date = ?, customer_id = ?, handler_id = ?, kind = ?, satisfaction = ?,
             status = ?, content = ?, resolution = ?, resolved_on = ?, version = version + 1, updated_at = ?
         WHERE id = ?",
    )
    .bind(valid.date.to_string())
    .bind(valid.customer_id)
    .bind(actor.user_id)
    .bind(valid.kind.as_str())
    .bind(valid.satisfaction)
    .bind(valid.status.as_str())
    .bind(&valid.content)
    .bind(&valid.resolution)
    .bind(resolved_on)
    .bind(now_stamp())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record_changes(&mut tx, actor, "service", id, "update", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceQuery {
    pub status: Option<ServiceStatus>,
    pub kind: Option<ServiceKind>,
    /// Inclusive ISO dates.
    pub from: Option<String>,
    pub to: Option<String>,
    pub customer_id: Option<i64>,
    pub offset: i64,
    pub limit: Option<i64>,
}

fn push_filters(builder: &mut QueryBuilder<Sqlite>, actor: &Actor, query: &ServiceQuery) {
    builder.push(" WHERE 1 = 1");
    push_scope(builder, actor.scope());
    if let Some(status) = query.status {
        builder.push(" AND s.status = ").push_bind(status.as_str());
    }
    if let Some(kind) = query.kind {
        builder.push(" AND s.kind = ").push_bind(kind.as_str());
    }
    push_between(builder, "s.request_date", &query.from, &query.to);
    if let Some(customer) = query.customer_id {
        builder.push(" AND s.customer_id = ").push_bind(customer);
    }
}

/// Requests of the customers the actor sees, newest first.
pub async fn list(db: &Db, actor: &Actor, query: &ServiceQuery) -> Result<Page<ServiceRequest>> {
    actor.require(Permission::ReadCustomers)?;
    fetch_page(
        db,
        "SELECT count(*) FROM service_requests s JOIN customers c ON c.id = s.customer_id",
        SERVICE_SELECT,
        |builder| push_filters(builder, actor, query),
        "ORDER BY s.request_date DESC, s.id DESC",
        query.offset,
        query.limit,
    )
    .await
}

/// What the summary groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ServiceBy {
    #[default]
    Type,
    Customer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceGroup {
    pub key: String,
    /// Requests of any status.
    pub requests: i64,
    /// Those the customer rated.
    pub rated: i64,
    /// The rated ones' mean to one decimal ("4.3"), rounded half away from zero; None when none is rated.
    pub avg_satisfaction: Option<String>,
}

/// Tenths of the mean of `sum / count`, rounded half away from zero (scores are positive): "4.3".
fn mean_tenths(sum: i64, count: i64) -> Option<String> {
    (count > 0).then(|| {
        let tenths = (sum * 20 + count) / (count * 2);
        format!("{}.{}", tenths / 10, tenths % 10)
    })
}

/// Requests counted by type or by customer, with the average satisfaction of the rated ones.
pub async fn summary(db: &Db, actor: &Actor, query: &ServiceQuery, by: ServiceBy) -> Result<Vec<ServiceGroup>> {
    actor.require(Permission::ReadCustomers)?;
    let key = match by {
        ServiceBy::Type => "s.kind",
        ServiceBy::Customer => "c.code || ' ' || c.name",
    };
    let mut builder = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {key}, count(*), count(s.satisfaction), coalesce(sum(s.satisfaction), 0)
         FROM service_requests s JOIN customers c ON c.id = s.customer_id"
    ));
    push_filters(&mut builder, actor, query);
    builder.push(" GROUP BY 1 ORDER BY 2 DESC, 1");
    let groups: Vec<(String, i64, i64, i64)> = builder.build_query_as().fetch_all(db.pool()).await?;
    Ok(groups
        .into_iter()
        .map(|(key, requests, rated, sum)| ServiceGroup {
            key,
            requests,
            rated,
            avg_satisfaction: mean_tenths(sum, rated),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{Choice, ServiceKind, ServiceStatus, mean_tenths};

    #[test]
    fn service_kind_and_status_are_read_and_listed_from_their_variants() {
        crate::choice::tests::check::<ServiceKind>();
        crate::choice::tests::check::<ServiceStatus>();
        assert_eq!(ServiceKind::parse(""), None, "an empty type is a missing one, not a choice");
        assert_eq!(ServiceKind::parse("报修"), Some(ServiceKind::Repair));
        assert_eq!(ServiceStatus::parse(""), Some(ServiceStatus::Open));
        assert_eq!(ServiceStatus::parse("In Progress"), Some(ServiceStatus::InProgress));
    }

    #[test]
    fn the_mean_rounds_half_away_from_zero_to_tenths() {
        assert_eq!(mean_tenths(0, 0), None);
        assert_eq!(mean_tenths(4, 1).as_deref(), Some("4.0"));
        assert_eq!(mean_tenths(13, 3).as_deref(), Some("4.3"), "4.333…");
        assert_eq!(mean_tenths(29, 8).as_deref(), Some("3.6"), "3.625");
        assert_eq!(mean_tenths(9, 2).as_deref(), Some("4.5"));
        assert_eq!(mean_tenths(71, 20).as_deref(), Some("3.6"), "3.55 rounds up");
    }
}
