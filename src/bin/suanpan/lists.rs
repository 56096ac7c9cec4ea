//! The command line of pick lists: customer sources and levels, lost reasons, expense categories.

use clap::Subcommand;
use suanpan::choice::Choice;
use suanpan::crm::picklists::{self, PickItem, PickList};
use suanpan::{Actor, Db, Error};

use crate::{print_table, yes_no};

const LIST_HELP: &str = "sources/客户来源, levels/客户等级, lost-reasons/丢单原因, expense-categories/费用类别";

#[derive(Subcommand)]
pub enum ListsCommand {
    /// Every entry of a list: whether it is offered and how many records use it.
    Show {
        #[arg(help = LIST_HELP)]
        list: String,
    },
    /// Add an entry, with its English name when there is one.
    Add {
        #[arg(help = LIST_HELP)]
        list: String,
        name: String,
        #[arg(long, default_value = "")]
        en: String,
    },
    /// Rename an entry (by its Chinese or English name); records keep pointing at it.
    Rename {
        #[arg(help = LIST_HELP)]
        list: String,
        name: String,
        #[arg(long)]
        to: String,
        /// A new English name too.
        #[arg(long)]
        en: Option<String>,
    },
    /// Stop offering an entry; records that use it keep it.
    Deactivate {
        #[arg(help = LIST_HELP)]
        list: String,
        name: String,
    },
    /// Offer an entry again.
    Activate {
        #[arg(help = LIST_HELP)]
        list: String,
        name: String,
    },
    /// Delete an entry no record uses.
    Delete {
        #[arg(help = LIST_HELP)]
        list: String,
        name: String,
    },
}

fn print_item(verb: &str, list: PickList, item: &PickItem) {
    let english = if item.name_en.is_empty() { String::new() } else { format!(" ({})", item.name_en) };
    let state = if item.active { "active" } else { "inactive" };
    println!("{verb} {} {}{english}, {state}", list.chinese(), item.name);
}

pub async fn lists_command(db: &Db, actor: &Actor, command: ListsCommand) -> Result<(), Error> {
    match command {
        ListsCommand::Show { list } => {
            let list = PickList::read("list", &list)?;
            let rows: Vec<Vec<String>> = picklists::list(db, list)
                .await?
                .into_iter()
                .map(|i| vec![i.name, i.name_en, yes_no(i.active).into(), i.used.to_string()])
                .collect();
            print_table(&["name", "english", "active", "used"], &rows);
        }
        ListsCommand::Add { list, name, en } => {
            let list = PickList::read("list", &list)?;
            let item = picklists::add(db, actor, list, &name, &en).await?;
            print_item("added", list, &item);
        }
        ListsCommand::Rename { list, name, to, en } => {
            let list = PickList::read("list", &list)?;
            let item = picklists::by_name(db, list, &name).await?;
            let en = en.unwrap_or(item.name_en);
            let item = picklists::update(db, actor, list, item.id, &to, &en, item.active).await?;
            print_item("renamed", list, &item);
        }
        ListsCommand::Deactivate { list, name } => set_active(db, actor, &list, &name, false).await?,
        ListsCommand::Activate { list, name } => set_active(db, actor, &list, &name, true).await?,
        ListsCommand::Delete { list, name } => {
            let list = PickList::read("list", &list)?;
            let item = picklists::by_name(db, list, &name).await?;
            picklists::delete(db, actor, list, item.id).await?;
            println!("deleted {} {}", list.chinese(), item.name);
        }
    }
    Ok(())
}

async fn set_active(db: &Db, actor: &Actor, list: &str, name: &str, active: bool) -> Result<(), Error> {
    let list = PickList::read("list", list)?;
    let item = picklists::by_name(db, list, name).await?;
    let item = picklists::update(db, actor, list, item.id, &item.name, &item.name_en, active).await?;
    print_item(if active { "activated" } else { "deactivated" }, list, &item);
    Ok(())
}
