//! Leads (线索): people who may become customers. Qualifying or dropping one, and converting it in one
//! step into a customer (with the person as its contact) and an opportunity.

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::crm::contacts::{self, ContactInput};
use crate::crm::customers::{self, CustomerInput};
use crate::crm::picklists::{self, PickList};
use crate::db::{Db, now_stamp, push_contains, today};
use crate::error::{Error, FieldError, Reason, Result, StatusAction};
use crate::sales::pipeline::{self, Opportunity, OpportunityInput};
use crate::sales::salesperson;
use crate::text;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadInput {
    /// The person.
    pub name: String,
    /// Their company, if any: it becomes the customer's name when the lead converts.
    pub company: String,
    pub phone: String,
    pub email: String,
    /// A customer source (客户来源) by name.
    pub source: String,
    /// A user name; empty: the acting user.
    pub salesperson: String,
    pub notes: String,
    pub version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Lead {
    pub id: i64,
    pub name: String,
    pub company: String,
    pub phone: String,
    pub email: String,
    pub source_id: Option<i64>,
    pub source: Option<String>,
    pub salesperson_id: Option<i64>,
    pub salesperson: Option<String>,
    /// new, qualified, converted or disqualified.
    pub status: String,
    pub notes: String,
    pub customer_id: Option<i64>,
    pub customer_code: Option<String>,
    pub opportunity_id: Option<i64>,
    pub opportunity_code: Option<String>,
    pub created_on: String,
    pub version: i64,
}

const LEAD_SELECT: &str = "SELECT l.id, l.name, l.company, l.phone, l.email, l.source_id, s.name AS source,
        l.salesperson_id, u.username AS salesperson, l.status, l.notes, l.customer_id, c.code AS customer_code,
        l.opportunity_id, p.code AS opportunity_code, l.created_on, l.version
    FROM leads l LEFT JOIN customer_sources s ON s.id = l.source_id
    LEFT JOIN users u ON u.id = l.salesperson_id
    LEFT JOIN customers c ON c.id = l.customer_id
    LEFT JOIN opportunities p ON p.id = l.opportunity_id";

async fn fetch_visible_in(conn: &mut SqliteConnection, actor: &Actor, id: i64) -> Result<Lead> {
    let mut builder = QueryBuilder::<Sqlite>::new(LEAD_SELECT);
    builder.push(" WHERE l.id = ").push_bind(id);
    salesperson::push_scope(&mut builder, "l", actor.scope());
    builder.build_query_as().fetch_optional(conn).await?.ok_or_else(|| Error::not_found("lead", id))
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Lead> {
    actor.require(Permission::ReadSales)?;
    fetch_visible_in(&mut *db.pool().acquire().await?, actor, id).await
}

struct ValidLead {
    name: String,
    company: String,
    phone: String,
    email: String,
    source_id: Option<i64>,
    salesperson_id: Option<i64>,
    branch_id: Option<i64>,
    notes: String,
}

async fn validate(conn: &mut SqliteConnection, actor: &Actor, input: &LeadInput) -> Result<ValidLead> {
    let mut problems: Vec<FieldError> = Vec::new();
    let name = text::collect(text::required("name", &input.name, 100), String::new(), &mut problems);
    let company = text::collect(text::bounded("company", &input.company, 200), String::new(), &mut problems);
    let phone = text::collect(text::phone("phone", &input.phone), String::new(), &mut problems);
    let email = text::collect(text::email("email", &input.email), String::new(), &mut problems);
    let notes = text::collect(text::bounded("notes", &input.notes, 2_000), String::new(), &mut problems);
    let source_id = match input.source.trim() {
        "" => None,
        source => {
            text::collect(picklists::resolve(conn, PickList::Source, source).await.map(Some), None, &mut problems)
        }
    };
    let assignee = salesperson::resolve(conn, actor, "salesperson", &input.salesperson, None, &mut problems).await?;
    if !problems.is_empty() {
        return Err(Error::from_fields(problems));
    }
    Ok(ValidLead {
        name,
        company,
        phone,
        email,
        source_id,
        salesperson_id: assignee.salesperson_id,
        branch_id: assignee.branch_id,
        notes,
    })
}

pub async fn create(db: &Db, actor: &Actor, input: &LeadInput) -> Result<Lead> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let valid = validate(&mut tx, actor, input).await?;
    let insert = sqlx::query(
        "INSERT INTO leads (name, company, phone, email, source_id, salesperson_id, branch_id, status, notes,
             created_on, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)",
    );
    let id = bind_fields(insert, &valid)
        .bind(today().to_string())
        .bind(now_stamp())
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
    let lead = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record(&mut tx, actor, "lead", id, "create", serde_json::to_value(&lead).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(lead)
}

/// Changes a lead's fields (the salesperson stays unless another is named); a converted lead is history
/// and stays as it was.
pub async fn update(db: &Db, actor: &Actor, id: i64, input: &LeadInput) -> Result<Lead> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let before = fetch_visible_in(&mut tx, actor, id).await?;
    if before.status == "converted" {
        return Err(Error::WrongStatus { entity: "lead", status: before.status, action: StatusAction::Changed });
    }
    if input.version.is_some_and(|v| v != before.version) {
        return Err(Error::Conflict { entity: "lead" });
    }
    let mut input = input.clone();
    if input.salesperson.trim().is_empty() {
        input.salesperson = before.salesperson.clone().unwrap_or_default();
    }
    let valid = validate(&mut tx, actor, &input).await?;
    let update = sqlx::query(
        "UPDATE leads SET name = ?, company = ?, phone = ?, email = ?, source_id = ?, salesperson_id = ?,
             branch_id = ?, notes = ?, version = version + 1, updated_at = ?
         WHERE id = ?",
    );
    bind_fields(update, &valid).bind(now_stamp()).bind(id).execute(&mut *tx).await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record_changes(&mut tx, actor, "lead", id, "update", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Binds a lead's fields in the order both the INSERT and the UPDATE name them.
fn bind_fields<'q>(
    query: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>,
    valid: &'q ValidLead,
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    query
        .bind(&valid.name)
        .bind(&valid.company)
        .bind(&valid.phone)
        .bind(&valid.email)
        .bind(valid.source_id)
        .bind(valid.salesperson_id)
        .bind(valid.branch_id)
        .bind(&valid.notes)
}

/// Leads the actor sees, those still to work first; `status` filters, `text` searches names,
/// companies and phones.
pub async fn list(db: &Db, actor: &Actor, status: Option<&str>, text: &str) -> Result<Vec<Lead>> {
    actor.require(Permission::ReadSales)?;
    let mut builder = QueryBuilder::<Sqlite>::new(LEAD_SELECT);
    builder.push(" WHERE 1 = 1");
    salesperson::push_scope(&mut builder, "l", actor.scope());
    if let Some(status) = status.filter(|s| !s.is_empty()) {
        builder.push(" AND l.status = ").push_bind(status.to_string());
    }
    let text = text.trim();
    if !text.is_empty() {
        push_contains(&mut builder, &["l.name", "l.company", "l.phone"], text);
    }
    builder.push(
        " ORDER BY CASE l.status WHEN 'new' THEN 0 WHEN 'qualified' THEN 1 ELSE 2 END, l.created_on DESC, l.id DESC
          LIMIT 1000",
    );
    Ok(builder.build_query_as().fetch_all(db.pool()).await?)
}

/// Marks a lead qualified (worth pursuing) or disqualified; a converted lead stays converted.
pub async fn set_status(db: &Db, actor: &Actor, id: i64, status: &str) -> Result<Lead> {
    actor.require(Permission::WriteSales)?;
    let status = match status.trim() {
        "new" | "新线索" => "new",
        "qualified" | "有效" => "qualified",
        "disqualified" | "无效" => "disqualified",
        other => {
            let allowed = "new/新线索, qualified/有效, disqualified/无效".to_string();
            return Err(Error::invalid("status", Reason::NotAllowed { value: other.into(), allowed }));
        }
    };
    let mut tx = db.write().await?;
    let before = fetch_visible_in(&mut tx, actor, id).await?;
    if before.status == "converted" {
        return Err(Error::WrongStatus { entity: "lead", status: before.status, action: StatusAction::Changed });
    }
    sqlx::query("UPDATE leads SET status = ?, version = version + 1, updated_at = ? WHERE id = ?")
        .bind(status)
        .bind(now_stamp())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, actor, "lead", id, "status", serde_json::json!({ "status": [before.status, status] }))
        .await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    tx.commit().await?;
    Ok(after)
}

/// What converting a lead makes: the customer (new, from the lead's fields, or an existing one) and,
/// when it has a name, the opportunity.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Conversion {
    /// Link to this existing customer instead of creating one.
    pub customer_id: Option<i64>,
    /// The new customer's type (consumer, channel, institution); empty: consumer, or channel when the lead has a company.
    pub customer_type: String,
    /// Empty: no opportunity.
    pub opportunity_name: String,
    pub amount: String,
    pub expected_close: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Converted {
    pub lead: Lead,
    pub customer_id: i64,
    pub opportunity: Option<Opportunity>,
}

/// Converts a lead in one transaction: the customer (refused like a form when it looks like one that
/// exists: link to that one instead), the person as its contact when the lead names a company, the
/// opportunity, and the lead marked converted with both remembered.
pub async fn convert(db: &Db, actor: &Actor, id: i64, conversion: &Conversion) -> Result<Converted> {
    actor.require(Permission::WriteSales)?;
    actor.require(Permission::WriteCustomers)?;
    let mut tx = db.write().await?;
    let lead = fetch_visible_in(&mut tx, actor, id).await?;
    if lead.status == "converted" {
        return Err(Error::WrongStatus { entity: "lead", status: lead.status, action: StatusAction::Converted });
    }
    let salesperson = lead.salesperson.clone().unwrap_or_default();
    let customer_id = match conversion.customer_id {
        Some(existing) => customers::fetch_visible_in(&mut tx, actor, existing).await?.id,
        None => {
            let kind = match (conversion.customer_type.trim(), lead.company.is_empty()) {
                ("", true) => "consumer".to_string(),
                ("", false) => "channel".to_string(),
                (typed, _) => typed.to_string(),
            };
            let input = CustomerInput {
                name: if lead.company.is_empty() { lead.name.clone() } else { lead.company.clone() },
                kind,
                source: lead.source.clone().unwrap_or_default(),
                phone: lead.phone.clone(),
                email: lead.email.clone(),
                owner: salesperson.clone(),
                notes: lead.notes.clone(),
                ..CustomerInput::default()
            };
            let customer = customers::create_in(&mut tx, actor, &input).await?;
            if !lead.company.is_empty() {
                let contact = ContactInput {
                    name: lead.name.clone(),
                    phone: lead.phone.clone(),
                    email: lead.email.clone(),
                    ..ContactInput::default()
                };
                let contact_id =
                    contacts::insert_in(&mut tx, actor, customer.id, &contacts::validate(&contact)?).await?;
                let record = serde_json::json!({ "customer_id": customer.id, "name": lead.name, "phone": lead.phone });
                audit::record(&mut tx, actor, "contact", contact_id, "create", record).await?;
            }
            customer.id
        }
    };
    let opportunity = match conversion.opportunity_name.trim() {
        "" => None,
        name => {
            let input = OpportunityInput {
                customer_id: Some(customer_id),
                salesperson,
                name: name.to_string(),
                amount: if conversion.amount.trim().is_empty() { "0".into() } else { conversion.amount.clone() },
                expected_close: conversion.expected_close.clone(),
                ..OpportunityInput::default()
            };
            let valid = pipeline::validate(&mut tx, actor, &input).await?;
            let opportunity_id = pipeline::insert_in(&mut tx, actor, &valid, None).await?;
            let opportunity = pipeline::fetch_visible_in(&mut tx, actor, opportunity_id).await?;
            let record = serde_json::to_value(&opportunity).unwrap_or_default();
            audit::record(&mut tx, actor, "opportunity", opportunity_id, "create", record).await?;
            Some(opportunity)
        }
    };
    sqlx::query(
        "UPDATE leads SET status = 'converted', customer_id = ?, opportunity_id = ?, version = version + 1,
             updated_at = ?
         WHERE id = ?",
    )
    .bind(customer_id)
    .bind(opportunity.as_ref().map(|o| o.id))
    .bind(now_stamp())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let summary =
        serde_json::json!({ "customer_id": customer_id, "opportunity": opportunity.as_ref().map(|o| &o.code) });
    audit::record(&mut tx, actor, "lead", id, "convert", summary).await?;
    let lead = fetch_visible_in(&mut tx, actor, id).await?;
    tx.commit().await?;
    Ok(Converted { lead, customer_id, opportunity })
}
