//! The command line of activities and a customer's timeline.

use clap::Subcommand;
use suanpan::choice::Choice;
use suanpan::crm::activities::{self, ActivityInput, ActivityKind};
use suanpan::crm::customers;
use suanpan::sales::timeline;
use suanpan::{Actor, Db, Error};

use crate::print_table;

#[derive(Subcommand)]
pub enum ActivitiesCommand {
    /// Record a call, visit, email, meeting or service with a customer.
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long = "type", default_value = "call", help = ActivityKind::allowed())]
        kind: String,
        #[arg(long, default_value = "")]
        minutes: String,
        #[arg(long, default_value = "")]
        subject: String,
        /// When to follow up (YYYY-MM-DD).
        #[arg(long, default_value = "")]
        next: String,
        /// Default: today.
        #[arg(long, default_value = "")]
        date: String,
    },
    /// A customer's orders and activities, newest first.
    Timeline {
        customer: String,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

pub async fn activities_command(db: &Db, actor: &Actor, command: ActivitiesCommand) -> Result<(), Error> {
    match command {
        ActivitiesCommand::Add { customer, kind, minutes, subject, next, date } => {
            let input = ActivityInput {
                date,
                customer_code: customer.clone(),
                kind,
                minutes,
                subject,
                next_follow_up: next,
                ..Default::default()
            };
            let id = activities::create(db, actor, &input).await?;
            println!("recorded activity {id} with {customer}");
        }
        ActivitiesCommand::Timeline { customer, limit } => {
            let found = customers::get_by_code(db, actor, &customer).await?;
            let page = timeline::timeline(db, actor, found.id, 0, Some(limit)).await?;
            let rows: Vec<Vec<String>> = page
                .rows
                .into_iter()
                .map(|e| {
                    vec![
                        e.date,
                        e.kind,
                        e.title,
                        e.status.unwrap_or_default(),
                        e.amount.map(|a| a.grouped()).unwrap_or_default(),
                        e.minutes.map(|m| m.to_string()).unwrap_or_default(),
                        e.who.unwrap_or_default(),
                        e.next_follow_up.unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(&["date", "kind", "order / subject", "status", "amount", "minutes", "who", "follow up"], &rows);
            println!("{} of {} events", rows.len(), page.total);
        }
    }
    Ok(())
}
