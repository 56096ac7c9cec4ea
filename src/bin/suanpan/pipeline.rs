//! The command line of the pipeline (opportunities, quotes, leads), expenses and service requests.

use chrono::NaiveDate;
use clap::Subcommand;
use suanpan::choice::Choice;
use suanpan::crm::picklists::{self, PickList};
use suanpan::crm::service::{self, ServiceInput, ServiceKind, ServiceQuery, ServiceStatus};
use suanpan::error::Reason;
use suanpan::money::Money;
use suanpan::sales::expenses::{self, ExpenseInput, ExpenseQuery};
use suanpan::sales::leads::{self, Conversion, LeadInput};
use suanpan::sales::orders::OrderLineInput;
use suanpan::sales::pipeline::{self, Opportunity, OpportunityInput, OpportunityQuery, OpportunityStatus, Outcome};
use suanpan::sales::quotes::{self, QuoteInput};
use suanpan::{Actor, Db, Error};

use crate::print_table;
use crate::trade::parse_line;

#[derive(Subcommand)]
pub enum OpportunitiesCommand {
    /// Open ones by expected close, then closed ones.
    List {
        #[arg(long, help = OpportunityStatus::allowed())]
        status: Option<String>,
        #[arg(long, default_value = "")]
        search: String,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    Show {
        code: String,
    },
    /// Open an opportunity: --customer CODE --name TEXT --amount 36000 [--stage 方案报价 --close 2026-09-30].
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "")]
        stage: String,
        /// Percent; default: the stage's.
        #[arg(long, default_value = "")]
        probability: String,
        /// Expected close (default: in 30 days).
        #[arg(long, default_value = "")]
        close: String,
        #[arg(long, default_value = "")]
        salesperson: String,
    },
    /// Move to a stage (a closed one opens again).
    Move {
        code: String,
        #[arg(long)]
        stage: String,
    },
    /// Close as won.
    Win {
        code: String,
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Close as lost, with a reason from the list (丢单原因).
    Lose {
        code: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Counts and sums per stage, and the deals won and lost in the last 90 days.
    Board,
    /// Open amount × probability by expected close month, and what was won.
    Forecast {
        /// The first month (any day in it; default: this month).
        #[arg(long)]
        from: Option<NaiveDate>,
        #[arg(long, default_value_t = 6)]
        months: u32,
    },
}

#[derive(Subcommand)]
pub enum QuotesCommand {
    List {
        #[arg(long)]
        customer: Option<String>,
    },
    Show {
        quote_no: String,
    },
    /// A quote: --customer CODE (or --opportunity CODE) --line SKU=QUANTITY[@PRICE] …
    Add {
        #[arg(long, default_value = "")]
        customer: String,
        #[arg(long)]
        opportunity: Option<String>,
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
        #[arg(long, default_value = "")]
        valid_until: String,
    },
    /// The customer accepted: make the draft order (and win the opportunity).
    Accept {
        quote_no: String,
    },
    Reject {
        quote_no: String,
    },
}

#[derive(Subcommand)]
pub enum LeadsCommand {
    List {
        /// new, qualified, converted, disqualified.
        #[arg(long)]
        status: Option<String>,
    },
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        company: String,
        #[arg(long, default_value = "")]
        phone: String,
        #[arg(long, default_value = "")]
        source: String,
    },
    /// Mark a lead: new, qualified or disqualified.
    Mark { id: i64, status: String },
    /// Make the customer (and an opportunity when --opportunity is given) from a lead.
    Convert {
        id: i64,
        #[arg(long, default_value = "")]
        opportunity: String,
        #[arg(long, default_value = "")]
        amount: String,
        /// Link to this existing customer instead of creating one.
        #[arg(long)]
        customer: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ExpensesCommand {
    List {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    Add {
        #[arg(long)]
        category: String,
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "")]
        customer: String,
        #[arg(long, default_value = "")]
        date: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, default_value = "")]
        salesperson: String,
    },
}

#[derive(Subcommand)]
pub enum ServiceCommand {
    List {
        #[arg(long, help = ServiceStatus::allowed())]
        status: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Record a request: --customer CODE --type 投诉 [--content … --satisfaction 1-5].
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long = "type", help = ServiceKind::allowed())]
        kind: String,
        #[arg(long, default_value = "")]
        content: String,
        #[arg(long, default_value = "")]
        satisfaction: String,
        #[arg(long, default_value = "")]
        date: String,
    },
    /// Resolve a request, with what was done and the customer's rating.
    Resolve {
        id: i64,
        #[arg(long)]
        resolution: String,
        #[arg(long, default_value = "")]
        satisfaction: String,
    },
}

fn print_opportunities(rows: &[Opportunity]) {
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|o| {
            vec![
                o.code.clone(),
                o.customer_code.clone(),
                o.name.clone(),
                o.amount.grouped(),
                o.stage.clone(),
                format!("{}%", o.probability),
                o.expected_close.clone(),
                o.status.clone(),
                o.closed_on.clone().unwrap_or_default(),
                o.lost_reason.clone().unwrap_or_default(),
                o.salesperson.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(
        &["code", "customer", "name", "amount", "stage", "prob.", "close", "status", "closed", "reason", "salesperson"],
        &table,
    );
}

pub async fn opportunities_command(db: &Db, actor: &Actor, command: OpportunitiesCommand) -> Result<(), Error> {
    match command {
        OpportunitiesCommand::List { status, search, limit } => {
            let status = match status.as_deref() {
                None => None,
                Some(text) => Some(OpportunityStatus::read("status", text)?),
            };
            let query = OpportunityQuery { status, text: search, limit: Some(limit), ..Default::default() };
            let page = pipeline::list(db, actor, &query).await?;
            print_opportunities(&page.rows);
            println!("{} of {} opportunities", page.rows.len(), page.total);
        }
        OpportunitiesCommand::Show { code } => print_opportunities(&[pipeline::by_code(db, actor, &code).await?]),
        OpportunitiesCommand::Add { customer, name, amount, stage, probability, close, salesperson } => {
            let input = OpportunityInput {
                customer_code: customer,
                name,
                amount,
                stage,
                probability,
                expected_close: close,
                salesperson,
                ..Default::default()
            };
            print_opportunities(&[pipeline::create(db, actor, &input).await?]);
        }
        OpportunitiesCommand::Move { code, stage } => {
            let found = pipeline::by_code(db, actor, &code).await?;
            let stages = pipeline::stages(db).await?;
            let chosen = stages
                .iter()
                .find(|s| s.name == stage || s.name_en.eq_ignore_ascii_case(&stage))
                .ok_or_else(|| Error::invalid("stage", Reason::Unknown { value: stage.clone() }))?;
            print_opportunities(&[pipeline::move_to_stage(db, actor, found.id, chosen.id).await?]);
        }
        OpportunitiesCommand::Win { code, date } => {
            let found = pipeline::by_code(db, actor, &code).await?;
            print_opportunities(&[pipeline::close(db, actor, found.id, Outcome::Won, date).await?]);
        }
        OpportunitiesCommand::Lose { code, reason, date } => {
            let found = pipeline::by_code(db, actor, &code).await?;
            let reason_id = picklists::list(db, PickList::LostReason)
                .await?
                .into_iter()
                .find(|r| r.name == reason || r.name_en.eq_ignore_ascii_case(&reason))
                .ok_or_else(|| Error::invalid("lost_reason", Reason::Unknown { value: reason.clone() }))?
                .id;
            print_opportunities(&[pipeline::close(db, actor, found.id, Outcome::Lost { reason_id }, date).await?]);
        }
        OpportunitiesCommand::Board => {
            let columns = pipeline::board(db, actor, None).await?;
            let rows: Vec<Vec<String>> = columns
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.probability.map(|p| format!("{p}%")).unwrap_or_default(),
                        c.count.to_string(),
                        c.amount.grouped(),
                        c.weighted.grouped(),
                    ]
                })
                .collect();
            print_table(&["column", "prob.", "count", "amount", "weighted"], &rows);
        }
        OpportunitiesCommand::Forecast { from, months } => {
            let forecast = pipeline::forecast(db, actor, from, months).await?;
            let rows: Vec<Vec<String>> = forecast
                .months
                .iter()
                .map(|m| {
                    vec![
                        m.month.clone(),
                        m.open_count.to_string(),
                        m.open_amount.grouped(),
                        m.weighted.grouped(),
                        m.won_count.to_string(),
                        m.won_amount.grouped(),
                    ]
                })
                .collect();
            print_table(&["month", "open", "open amount", "forecast", "won", "won amount"], &rows);
            let total = Money::sum_checked(forecast.months.iter().map(|m| m.weighted))?;
            println!(
                "forecast {}; {} overdue worth {}",
                total.grouped(),
                forecast.overdue_count,
                forecast.overdue_weighted.grouped()
            );
        }
    }
    Ok(())
}

fn print_quote(quote: &quotes::Quote) {
    println!(
        "{}  {}  {} {}  valid until {}  {}  total {}",
        quote.quote_no,
        quote.quote_date,
        quote.customer_code,
        quote.customer_name,
        quote.valid_until,
        quote.status,
        quote.total.grouped()
    );
    let rows: Vec<Vec<String>> = quote
        .lines
        .iter()
        .map(|l| {
            vec![l.sku.clone(), l.name.clone(), l.quantity.to_string(), l.unit_price.grouped(), l.amount.grouped()]
        })
        .collect();
    print_table(&["sku", "name", "quantity", "price", "amount"], &rows);
}

pub async fn quotes_command(db: &Db, actor: &Actor, command: QuotesCommand) -> Result<(), Error> {
    match command {
        QuotesCommand::List { customer } => {
            let customer_id = match customer {
                Some(code) => Some(suanpan::crm::customers::get_by_code(db, actor, &code).await?.id),
                None => None,
            };
            let rows: Vec<Vec<String>> = quotes::list(db, actor, customer_id, None)
                .await?
                .into_iter()
                .map(|q| {
                    vec![
                        q.quote_no,
                        q.quote_date,
                        q.customer_code,
                        q.status,
                        q.total.grouped(),
                        q.order_no.unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(&["quote", "date", "customer", "status", "total", "order"], &rows);
        }
        QuotesCommand::Show { quote_no } => print_quote(&quotes::by_number(db, actor, &quote_no).await?),
        QuotesCommand::Add { customer, opportunity, lines, valid_until } => {
            let opportunity_id = match opportunity {
                Some(code) => Some(pipeline::by_code(db, actor, &code).await?.id),
                None => None,
            };
            let mut input = QuoteInput { customer_code: customer, opportunity_id, valid_until, ..Default::default() };
            for line in &lines {
                let (sku, quantity, unit_price) = parse_line(line)?;
                input.lines.push(OrderLineInput { sku, quantity, unit_price, ..Default::default() });
            }
            print_quote(&quotes::create(db, actor, &input).await?);
        }
        QuotesCommand::Accept { quote_no } => {
            let quote = quotes::by_number(db, actor, &quote_no).await?;
            let order = quotes::accept(db, actor, quote.id, None).await?;
            println!("{} accepted: draft order {} for {}", quote.quote_no, order.order_no, order.total.grouped());
        }
        QuotesCommand::Reject { quote_no } => {
            let quote = quotes::by_number(db, actor, &quote_no).await?;
            print_quote(&quotes::reject(db, actor, quote.id).await?);
        }
    }
    Ok(())
}

pub async fn leads_command(db: &Db, actor: &Actor, command: LeadsCommand) -> Result<(), Error> {
    match command {
        LeadsCommand::List { status } => {
            let rows: Vec<Vec<String>> = leads::list(db, actor, status.as_deref(), "")
                .await?
                .into_iter()
                .map(|l| {
                    vec![
                        l.id.to_string(),
                        l.name,
                        l.company,
                        l.phone,
                        l.source.unwrap_or_default(),
                        l.status,
                        l.customer_code.unwrap_or_default(),
                        l.salesperson.unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(&["id", "name", "company", "phone", "source", "status", "customer", "salesperson"], &rows);
        }
        LeadsCommand::Add { name, company, phone, source } => {
            let lead =
                leads::create(db, actor, &LeadInput { name, company, phone, source, ..Default::default() }).await?;
            println!("lead {} recorded: {} {}", lead.id, lead.name, lead.company);
        }
        LeadsCommand::Mark { id, status } => {
            let lead = leads::set_status(db, actor, id, &status).await?;
            println!("lead {} is {}", lead.id, lead.status);
        }
        LeadsCommand::Convert { id, opportunity, amount, customer } => {
            let customer_id = match customer {
                Some(code) => Some(suanpan::crm::customers::get_by_code(db, actor, &code).await?.id),
                None => None,
            };
            let conversion = Conversion { customer_id, opportunity_name: opportunity, amount, ..Default::default() };
            let converted = leads::convert(db, actor, id, &conversion).await?;
            let customer = converted.lead.customer_code.unwrap_or_default();
            match converted.opportunity {
                Some(o) => println!("lead {id} converted: customer {customer}, opportunity {}", o.code),
                None => println!("lead {id} converted: customer {customer}"),
            }
        }
    }
    Ok(())
}

pub async fn expenses_command(db: &Db, actor: &Actor, command: ExpensesCommand) -> Result<(), Error> {
    match command {
        ExpensesCommand::List { from, to, limit } => {
            let page =
                expenses::list(db, actor, &ExpenseQuery { from, to, limit: Some(limit), ..Default::default() }).await?;
            let rows: Vec<Vec<String>> = page
                .rows
                .into_iter()
                .map(|e| {
                    vec![
                        e.date,
                        e.salesperson,
                        e.customer_code.unwrap_or_default(),
                        e.category,
                        e.amount.grouped(),
                        e.note,
                    ]
                })
                .collect();
            print_table(&["date", "salesperson", "customer", "category", "amount", "note"], &rows);
            println!("{} of {} expenses; total {}", rows.len(), page.total, page.sum.grouped());
        }
        ExpensesCommand::Add { category, amount, customer, date, note, salesperson } => {
            let input = ExpenseInput {
                date,
                salesperson,
                customer_code: customer,
                category,
                amount,
                note,
                ..Default::default()
            };
            let expense = expenses::create(db, actor, &input).await?;
            println!(
                "expense {} recorded: {} {} {}",
                expense.id,
                expense.date,
                expense.category,
                expense.amount.grouped()
            );
        }
    }
    Ok(())
}

pub async fn service_command(db: &Db, actor: &Actor, command: ServiceCommand) -> Result<(), Error> {
    match command {
        ServiceCommand::List { status, limit } => {
            let status = match status.as_deref() {
                None => None,
                Some(text) => Some(ServiceStatus::read("status", text)?),
            };
            let page =
                service::list(db, actor, &ServiceQuery { status, limit: Some(limit), ..Default::default() }).await?;
            let rows: Vec<Vec<String>> = page
                .rows
                .into_iter()
                .map(|s| {
                    vec![
                        s.id.to_string(),
                        s.date,
                        s.customer_code,
                        s.kind,
                        s.satisfaction.map(|n| n.to_string()).unwrap_or_default(),
                        s.status,
                        s.content,
                        s.resolution,
                    ]
                })
                .collect();
            print_table(&["id", "date", "customer", "type", "rating", "status", "content", "resolution"], &rows);
            println!("{} of {} requests", rows.len(), page.total);
        }
        ServiceCommand::Add { customer, kind, content, satisfaction, date } => {
            let input =
                ServiceInput { date, customer_code: customer, kind, content, satisfaction, ..Default::default() };
            let request = service::create(db, actor, &input).await?;
            println!("service request {} recorded ({})", request.id, request.status);
        }
        ServiceCommand::Resolve { id, resolution, satisfaction } => {
            let current = service::get(db, actor, id).await?;
            let input = ServiceInput {
                date: current.date,
                customer_id: Some(current.customer_id),
                kind: current.kind,
                satisfaction: if satisfaction.is_empty() {
                    current.satisfaction.map(|n| n.to_string()).unwrap_or_default()
                } else {
                    satisfaction
                },
                status: "resolved".into(),
                content: current.content,
                resolution,
                version: Some(current.version),
                ..Default::default()
            };
            let request = service::update(db, actor, id, &input).await?;
            println!("service request {} resolved on {}", request.id, request.resolved_on.unwrap_or_default());
        }
    }
    Ok(())
}
