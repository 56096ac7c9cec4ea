//! The `suanpan` command line: parse arguments, call the engine, print.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use suanpan::choice::Choice;
use suanpan::crm::{self, CustomerInput, CustomerQuery, CustomerSort};
use suanpan::error::{Reason, Refusal};
use suanpan::io::csv_source::SourceOptions;
use suanpan::io::decode::Encoding;
use suanpan::io::export;
use suanpan::io::import::{self, Entity, ImportOptions, Mode};
use suanpan::io::profiles;
use suanpan::io::values::ValueOutcome;
use suanpan::{Actor, Db, Error, Role, auth, backup, branches, db, demo, reports, text, users};
use unicode_width::UnicodeWidthStr;

mod activities;
mod lists;
mod pipeline;
mod trade;
use trade::{OrdersCommand, ProductsCommand, PurchasesCommand, StockCommand, SuppliersCommand, WarehousesCommand};

#[derive(Parser)]
#[command(name = "suanpan", version, about = "算盘 Suanpan: customers, sales, stock and books of a small business")]
struct Cli {
    /// The company file (default: the desktop app's own file).
    #[arg(long, global = true, env = "SUANPAN_DB")]
    db: Option<PathBuf>,
    /// Act as this user; the password comes from SUANPAN_PASSWORD or a prompt.
    #[arg(long, global = true, env = "SUANPAN_USER")]
    user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Create a new company file and its owner.
    Init {
        #[arg(long, default_value = "owner")]
        owner: String,
        /// The owner's name as shown on screen (default: the user name).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Write a realistic demo company into a new company file (scale × 1,000 customers).
    Demo {
        #[arg(long, default_value_t = 1)]
        scale: u32,
    },
    /// Customers: list, show, add.
    #[command(subcommand)]
    Customers(CustomersCommand),
    /// Users: list, add (owner only).
    #[command(subcommand)]
    Users(UsersCommand),
    /// Branches and departments: list, add (owner only).
    #[command(subcommand)]
    Branches(BranchesCommand),
    /// Company settings: payment terms.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Products: list, show, add.
    #[command(subcommand)]
    Products(ProductsCommand),
    /// Suppliers: list, add.
    #[command(subcommand)]
    Suppliers(SuppliersCommand),
    /// Pick lists (customer sources and levels, lost reasons, expense categories): show, add, rename,
    /// deactivate, activate, delete.
    #[command(subcommand)]
    Lists(lists::ListsCommand),
    /// Warehouses: list, add, rename, set (allow negative stock, active).
    #[command(subcommand)]
    Warehouses(WarehousesCommand),
    /// Stock: levels, low, valuation, moves, adjust, transfer.
    #[command(subcommand)]
    Stock(StockCommand),
    /// Purchase orders: list, add, receive.
    #[command(subcommand)]
    Purchases(PurchasesCommand),
    /// Sales orders: list, show, add, confirm, deliver, cancel.
    #[command(subcommand)]
    Orders(OrdersCommand),
    /// Activities with customers: add; a customer's timeline.
    #[command(subcommand)]
    Activities(activities::ActivitiesCommand),
    /// The pipeline: list, show, add, move, win, lose; the board and the forecast.
    #[command(subcommand)]
    Opportunities(pipeline::OpportunitiesCommand),
    /// Quotes: list, show, add, accept (makes the order), reject.
    #[command(subcommand)]
    Quotes(pipeline::QuotesCommand),
    /// Leads: list, add, mark, convert (makes the customer and an opportunity).
    #[command(subcommand)]
    Leads(pipeline::LeadsCommand),
    /// Sales expenses: list, add.
    #[command(subcommand)]
    Expenses(pipeline::ExpensesCommand),
    /// Service requests and feedback: list, add, resolve.
    #[command(subcommand)]
    Service(pipeline::ServiceCommand),
    /// Import a CSV file; nothing is written unless every row is good.
    Import {
        /// What the file holds: customers, contacts, products, suppliers, orders, purchases, activities,
        /// opportunities, expenses or service.
        entity: String,
        file: PathBuf,
        /// utf-8, gbk / gb18030, utf-16le, utf-16be (default: detected).
        #[arg(long)]
        encoding: Option<String>,
        /// comma, semicolon, tab, or the character itself (default: detected).
        #[arg(long)]
        delimiter: Option<String>,
        /// insert: add new codes, skip existing ones; upsert: also update existing ones.
        #[arg(long, default_value = "insert")]
        mode: String,
        /// Check every row and report, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the bad rows, with a column saying why, to this CSV.
        #[arg(long)]
        errors: Option<PathBuf>,
        /// A header the importer does not know, and the column it means: --map 微信=notes.
        #[arg(long = "map", value_name = "HEADER=COLUMN")]
        map: Vec<String>,
        /// A value a list (sources, levels, stages, lost reasons, expense categories, salespeople) does not
        /// know, and the entry it means: --map-value 来源:展会会务=展会. Unknown values not mapped are added,
        /// each with a notice.
        #[arg(long = "map-value", value_name = "COLUMN:FROM=TO")]
        map_value: Vec<String>,
        /// Use the header and value mappings saved under this name (--map and --map-value add to them).
        #[arg(long)]
        profile: Option<String>,
        /// Save the mappings (--profile, --map and --map-value together) under this name for next time.
        #[arg(long)]
        save_profile: Option<String>,
        /// Orders and purchases: book their stock (delivered out, confirmed reserved, purchases in).
        /// Imported history moves no stock by default.
        #[arg(long)]
        moves_stock: bool,
    },
    /// Export a list in the import format, within what you may see: CSV (UTF-8 with BOM) or XLSX.
    Export {
        entity: String,
        /// csv or xlsx.
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run an analysis (分析报表) within what you may see; `report --list` names every report.
    Report {
        /// The report, e.g. sales-trend.
        slug: Option<String>,
        /// List the reports and the question each answers.
        #[arg(long)]
        list: bool,
        /// First day counted (YYYY-MM-DD; absent: from the beginning).
        #[arg(long)]
        from: Option<String>,
        /// Last day counted (inclusive; absent: to the end).
        #[arg(long)]
        to: Option<String>,
        /// The day receivables are reckoned on (default today).
        #[arg(long)]
        as_of: Option<String>,
        /// A granularity (day, week, month, quarter, year) or a dimension, as the report takes.
        #[arg(long)]
        by: Option<String>,
        /// What the report is about: a user name, a sku or category, a year.
        #[arg(long)]
        key: Option<String>,
        /// How many rows a ranking keeps.
        #[arg(long)]
        limit: Option<usize>,
        /// table, csv or xlsx.
        #[arg(long, default_value = "table")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Headings in English rather than Chinese.
        #[arg(long)]
        english: bool,
    },
    /// Write an import template: the headers and one example row.
    Template {
        entity: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Imports done so far; undo one.
    #[command(subcommand)]
    Imports(ImportsCommand),
    /// Copy the company file, consistently, while it may be in use.
    Backup { file: PathBuf },
    /// Replace the company file with a backup (the replaced file is kept beside it).
    Restore { file: PathBuf },
}

#[derive(Subcommand)]
enum ImportsCommand {
    List,
    Undo { id: i64 },
}

#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum CustomersCommand {
    /// List customers you may see, optionally searched and sorted.
    List {
        /// Words to find in code, name, pinyin initials, phone, city, tags, contacts.
        #[arg(long, short)]
        search: Option<String>,
        /// code, name, kind, city, created_on, owner, source, level.
        #[arg(long, default_value = "name")]
        sort: String,
        #[arg(long)]
        desc: bool,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, default_value_t = 0)]
        offset: i64,
        /// table, csv or xlsx.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Show one customer with its contacts.
    Show { code: String },
    /// Add a customer.
    Add(AddCustomer),
}

#[derive(Args)]
struct AddCustomer {
    #[arg(long)]
    name: String,
    #[arg(long, default_value = "")]
    code: String,
    #[arg(long = "type", default_value = "", help = crm::CustomerKind::allowed())]
    kind: String,
    #[arg(long, default_value = "")]
    source: String,
    #[arg(long, default_value = "")]
    level: String,
    #[arg(long, default_value = "")]
    phone: String,
    #[arg(long, default_value = "")]
    email: String,
    #[arg(long, default_value = "")]
    address: String,
    #[arg(long, default_value = "")]
    city: String,
    #[arg(long, default_value = "")]
    birthday: String,
    #[arg(long, default_value = "")]
    hobbies: String,
    #[arg(long, default_value = "")]
    owner: String,
    #[arg(long, default_value = "")]
    tags: String,
    #[arg(long, default_value = "")]
    notes: String,
    /// Save even if a customer with the same name or phone exists.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum UsersCommand {
    List,
    /// Change a user's name, role, branch or whether they are active (owner only).
    Set {
        username: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, help = Role::allowed())]
        role: Option<String>,
        /// A branch code, or "" for none.
        #[arg(long)]
        branch: Option<String>,
        #[arg(long)]
        active: Option<bool>,
    },
    /// Set a user's password (the owner for anyone, everyone for themselves); from SUANPAN_NEW_PASSWORD or a prompt.
    Password {
        username: String,
    },
    /// Add a user; with --no-login they are a record only (a salesperson named on orders).
    Add {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long, help = Role::allowed())]
        role: String,
        #[arg(long)]
        branch: Option<String>,
        #[arg(long)]
        no_login: bool,
    },
}

#[derive(Subcommand)]
enum BranchesCommand {
    List,
    Add {
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long, help = branches::BranchKind::allowed())]
        kind: Option<String>,
        #[arg(long)]
        parent: Option<String>,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Show the payment terms, or set them (the owner): days after an order or a purchase that payment
    /// falls due when the document does not say.
    Terms {
        #[arg(long)]
        customer_days: Option<u32>,
        #[arg(long)]
        supplier_days: Option<u32>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // RUST_LOG=suanpan=debug shows, for instance, the phases of an import; nothing is logged otherwise.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_user_error() { 1 } else { 2 })
        }
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let path = cli.db.clone().unwrap_or_else(db::default_path);
    let (db, opened) = suanpan::company::open(&path).await?;
    if let db::Opened::Upgraded { from_version, safety_copy } = &opened {
        eprintln!(
            "upgraded the company file from version {from_version}; the old file is kept as {}",
            safety_copy.display()
        );
    }
    match cli.command {
        Command::Init { owner, display_name } => {
            let password = password_for(&owner, true)?;
            let actor = users::create_owner(&db, &owner, display_name.as_deref().unwrap_or(&owner), &password).await?;
            println!("created {} with owner {}", path.display(), actor.username);
        }
        Command::Demo { scale } => {
            let summary = demo::generate(&db, scale).await?;
            println!(
                "demo company in {}: {} users, {} customers, {} contacts, {} products, {} orders ({} lines), \
                 {} purchase lines, {} activities, {} opportunities ({} open, {} lost), {} quotes, {} leads, \
                 {} expenses, {} service requests; every user's password is {}",
                path.display(),
                summary.users,
                summary.customers,
                summary.contacts,
                summary.trade.products,
                summary.trade.orders,
                summary.trade.order_lines,
                summary.trade.purchase_lines,
                summary.trade.activities,
                summary.pipeline.opportunities,
                summary.pipeline.open,
                summary.pipeline.lost,
                summary.pipeline.quotes,
                summary.pipeline.leads,
                summary.pipeline.expenses,
                summary.pipeline.service,
                demo::PASSWORD
            );
        }
        Command::Customers(command) => customers(&db, &login(&db, cli.user.as_deref()).await?, command).await?,
        Command::Users(command) => users_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?,
        Command::Branches(command) => branches_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?,
        Command::Settings(command) => settings_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?,
        Command::Products(command) => {
            trade::products_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Suppliers(command) => {
            trade::suppliers_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Lists(command) => lists::lists_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?,
        Command::Warehouses(command) => {
            trade::warehouses_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Stock(command) => trade::stock_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?,
        Command::Purchases(command) => {
            trade::purchases_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Orders(command) => {
            trade::orders_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Activities(command) => {
            activities::activities_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Opportunities(command) => {
            pipeline::opportunities_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Quotes(command) => {
            pipeline::quotes_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Leads(command) => {
            pipeline::leads_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Expenses(command) => {
            pipeline::expenses_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Service(command) => {
            pipeline::service_command(&db, &login(&db, cli.user.as_deref()).await?, command).await?
        }
        Command::Import {
            entity,
            file,
            encoding,
            delimiter,
            mode,
            dry_run,
            errors,
            map,
            map_value,
            profile,
            save_profile,
            moves_stock,
        } => {
            let actor = login(&db, cli.user.as_deref()).await?;
            let entity = parse_entity(&entity)?;
            let mut options = import_options(encoding, delimiter, &mode, dry_run, &map)?;
            options.moves_stock = moves_stock;
            if let Some(profile) = profile {
                let saved = profiles::find(&db, entity, &profile).await?;
                let mut mapping: std::collections::HashMap<_, _> = saved.mapping.into_iter().collect();
                mapping.extend(options.mapping.drain());
                options.mapping = mapping;
                options.values = saved.values;
            }
            for spec in &map_value {
                options.values.add_spec(entity, spec)?;
            }
            if let Some(name) = save_profile {
                profiles::save(&db, &actor, entity, &name, &options.mapping, &options.values).await?;
                eprintln!("saved the header and value mappings as '{name}'");
            }
            let report = import::import_file(&db, &actor, entity, &file, options).await?;
            print_import_report(&report, errors.as_deref())?;
        }
        Command::Export { entity, format, out } => {
            let actor = login(&db, cli.user.as_deref()).await?;
            let format = export::Format::parse(&format).ok_or_else(|| {
                Error::invalid("format", Reason::NotAllowed { value: format, allowed: "csv, xlsx".into() })
            })?;
            let entity = parse_entity(&entity)?;
            let extension = if format == export::Format::Xlsx { "xlsx" } else { "csv" };
            let out = out.unwrap_or_else(|| PathBuf::from(format!("{}.{extension}", entity.as_str())));
            let rows = export::export(&db, &actor, entity, format, &out).await?;
            println!("exported {rows} {} to {}", entity.as_str(), out.display());
        }
        Command::Report { slug, list, from, to, as_of, by, key, limit, format, out, english } => {
            let lang = if english { reports::write::Lang::En } else { reports::write::Lang::Zh };
            if list {
                let rows: Vec<Vec<String>> = reports::CATALOG
                    .iter()
                    .map(|r| vec![r.slug.to_string(), if english { r.en } else { r.zh }.to_string()])
                    .collect();
                print_table(&["report", if english { "question" } else { "回答的问题" }], &rows);
                return Ok(());
            }
            let slug = slug.ok_or_else(|| Error::invalid("report", Reason::Required))?;
            reports::find(&slug)?;
            let query = reports::ReportQuery {
                from: text::optional_date("from", from.as_deref())?,
                to: text::optional_date("to", to.as_deref())?,
                as_of: text::optional_date("as_of", as_of.as_deref())?,
                by,
                key,
                limit,
            };
            let actor = login(&db, cli.user.as_deref()).await?;
            let table = reports::run(&db, &actor, &slug, &query).await?;
            match format.as_str() {
                "table" => {
                    let text = reports::write::text(&table, lang);
                    match out {
                        Some(path) => std::fs::write(&path, text)
                            .map_err(|source| Error::Io { path: path.display().to_string(), source })?,
                        None => print!("{text}"),
                    }
                }
                "csv" => match out {
                    Some(path) => reports::write_file(&db, &table, &query, lang, &path)?,
                    None => reports::write::csv(&table, lang, std::io::stdout().lock())?,
                },
                "xlsx" => {
                    let out = out.unwrap_or_else(|| PathBuf::from(format!("{slug}.xlsx")));
                    reports::write_file(&db, &table, &query, lang, &out.with_extension("xlsx"))?;
                    println!("wrote {}", out.with_extension("xlsx").display());
                }
                _ => {
                    let allowed = "table, csv, xlsx".into();
                    return Err(Error::invalid("format", Reason::NotAllowed { value: format, allowed }));
                }
            }
        }
        Command::Template { entity, out } => {
            let entity = parse_entity(&entity)?;
            let out = out.unwrap_or_else(|| PathBuf::from(format!("{}-template.csv", entity.as_str())));
            export::template_csv(entity, &out)?;
            println!("wrote {}", out.display());
        }
        Command::Imports(ImportsCommand::List) => {
            let actor = login(&db, cli.user.as_deref()).await?;
            let rows: Vec<Vec<String>> = import::batches(&db, &actor)
                .await?
                .into_iter()
                .map(|b| {
                    vec![
                        b.id.to_string(),
                        b.started_at,
                        b.username.unwrap_or_default(),
                        b.entity,
                        b.file_name,
                        b.rows.to_string(),
                        b.inserted.to_string(),
                        b.updated.to_string(),
                        b.skipped.to_string(),
                        b.undone_at.unwrap_or_default(),
                    ]
                })
                .collect();
            let header = ["id", "at", "user", "entity", "file", "rows", "inserted", "updated", "skipped", "undone"];
            print_table(&header, &rows);
        }
        Command::Imports(ImportsCommand::Undo { id }) => {
            let actor = login(&db, cli.user.as_deref()).await?;
            let batch = import::undo(&db, &actor, id).await?;
            println!(
                "undid import {} of {}: {} inserted removed, {} updated restored",
                batch.id, batch.file_name, batch.inserted, batch.updated
            );
        }
        Command::Backup { file } => {
            let actor = login(&db, cli.user.as_deref()).await?;
            backup::backup(&db, &actor, &file).await?;
            println!("backed up {} to {}", path.display(), file.display());
        }
        Command::Restore { file } => {
            let actor = login(&db, cli.user.as_deref()).await?;
            let kept = backup::restore(db, &actor, &file).await?;
            println!(
                "restored {} from {}; the replaced file is kept as {}",
                path.display(),
                file.display(),
                kept.display()
            );
            return Ok(());
        }
    }
    db.close().await;
    Ok(())
}

fn parse_entity(text: &str) -> Result<Entity, Error> {
    Entity::parse(text).ok_or_else(|| {
        Error::invalid(
            "entity",
            Reason::NotAllowed {
                value: text.into(),
                allowed: "customers, contacts, products, suppliers, orders, purchases".into(),
            },
        )
    })
}

fn import_options(
    encoding: Option<String>,
    delimiter: Option<String>,
    mode: &str,
    dry_run: bool,
    map: &[String],
) -> Result<ImportOptions, Error> {
    let encoding = encoding
        .map(|e| {
            Encoding::parse(&e).ok_or_else(|| {
                Error::invalid(
                    "encoding",
                    Reason::NotAllowed { value: e, allowed: "utf-8, gbk, gb18030, utf-16le, utf-16be".into() },
                )
            })
        })
        .transpose()?;
    let delimiter = delimiter
        .map(|d| match d.as_str() {
            "comma" | "," => Ok(b','),
            "semicolon" | ";" => Ok(b';'),
            "tab" | "\\t" | "\t" => Ok(b'\t'),
            _ => Err(Error::invalid(
                "delimiter",
                Reason::NotAllowed { value: d, allowed: "comma, semicolon, tab".into() },
            )),
        })
        .transpose()?;
    let mode = match mode {
        "insert" => Mode::Insert,
        "upsert" => Mode::Upsert,
        other => {
            return Err(Error::invalid(
                "mode",
                Reason::NotAllowed { value: other.into(), allowed: "insert, upsert".into() },
            ));
        }
    };
    let mut mapping = std::collections::HashMap::new();
    for pair in map {
        let (header, column) = pair.split_once('=').ok_or_else(|| {
            Error::invalid("map", Reason::NotAllowed { value: pair.clone(), allowed: "HEADER=COLUMN".into() })
        })?;
        mapping.insert(header.trim().to_string(), column.trim().to_string());
    }
    Ok(ImportOptions { source: SourceOptions { encoding, delimiter }, mapping, mode, dry_run, ..Default::default() })
}

/// One line of summary; with bad rows, one line for each problem, and exit code 1.
fn print_import_report(report: &import::ImportReport, errors_out: Option<&std::path::Path>) -> Result<(), Error> {
    let delimiter = if report.delimiter == "\t" { "tab".to_string() } else { report.delimiter.clone() };
    eprintln!("{}: {} rows, encoding {}, delimiter {delimiter}", report.file, report.rows, report.encoding);
    for column in &report.ignored_columns {
        eprintln!("ignored column '{column}'");
    }
    for notice in &report.notices {
        eprintln!("{notice}");
    }
    for unknown in &report.unknown_values {
        let what = match &unknown.outcome {
            ValueOutcome::Added => "added to its list".to_string(),
            ValueOutcome::MappedTo { mapped_to } => format!("read as '{mapped_to}'"),
            ValueOutcome::Refused => "not in its list (your role may not add to it; map it with --map-value)".into(),
        };
        eprintln!("{} '{}': {} rows, {what}", unknown.column, unknown.value, unknown.count);
    }
    if report.errors.is_empty() {
        // Why rows were skipped, after their count: "2 skipped (2 already imported by an earlier import)".
        let why =
            report.skipped_reasons.iter().map(|s| format!("{} {}", s.count, s.code.describe())).collect::<Vec<_>>();
        let why = if why.is_empty() { String::new() } else { format!(" ({})", why.join(", ")) };
        match report.batch_id {
            Some(batch) => println!(
                "imported as batch {batch}: {} inserted, {} updated, {} skipped{why}",
                report.inserted, report.updated, report.skipped
            ),
            None => println!(
                "dry run: all {} rows are good ({} would be inserted, {} updated, {} skipped{why}); nothing was written",
                report.rows, report.inserted, report.updated, report.skipped
            ),
        }
        return Ok(());
    }
    for error in &report.errors {
        let column = if error.column.is_empty() { String::new() } else { format!(", {}", error.column) };
        eprintln!("line {}{column}: {}", error.line, error.message);
    }
    if report.more_errors > 0 {
        eprintln!("… and {} more problems", report.more_errors);
    }
    if let Some(out) = errors_out {
        import::write_error_csv(report, out)?;
        eprintln!("the bad rows, with the reasons, are in {}", out.display());
    }
    Err(Error::ImportRefused { bad_rows: report.bad_rows.len() })
}

async fn login(db: &Db, user: Option<&str>) -> Result<Actor, Error> {
    let username = user.ok_or(Error::Refused(Refusal::NoUser))?;
    let password = password_for(username, false)?;
    auth::login(db, username, &password).await
}

fn password_for(username: &str, confirm: bool) -> Result<String, Error> {
    if let Ok(password) = std::env::var("SUANPAN_PASSWORD") {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Refused(Refusal::NoPassword));
    }
    let read = |prompt: String| {
        rpassword::prompt_password(prompt).map_err(|source| Error::Io { path: "terminal".into(), source })
    };
    let password = read(format!("password for {username}: "))?;
    if confirm && read("again: ".to_string())? != password {
        return Err(Error::Refused(Refusal::PasswordsDiffer));
    }
    Ok(password)
}

async fn customers(db: &Db, actor: &Actor, command: CustomersCommand) -> Result<(), Error> {
    match command {
        CustomersCommand::List { search, sort, desc, limit, offset, format } => {
            let sort = CustomerSort::parse(&sort).ok_or_else(|| {
                Error::invalid(
                    "sort",
                    Reason::NotAllowed {
                        value: sort.clone(),
                        allowed: "code, name, kind, city, created_on, owner, source, level".into(),
                    },
                )
            })?;
            let query = CustomerQuery {
                search: search.unwrap_or_default(),
                sort,
                descending: desc,
                limit,
                offset,
                ..Default::default()
            };
            let page = crm::customers::list(db, actor, &query).await?;
            let header = ["code", "name", "type", "source", "level", "phone", "city", "owner", "created_on", "tags"];
            let rows: Vec<Vec<String>> = page
                .rows
                .into_iter()
                .map(|c| {
                    vec![
                        c.code,
                        c.name,
                        c.kind,
                        c.source.unwrap_or_default(),
                        c.level.unwrap_or_default(),
                        c.phone,
                        c.city,
                        c.owner_name.unwrap_or_default(),
                        c.created_on,
                        c.tags,
                    ]
                })
                .collect();
            match format.as_str() {
                "csv" => print_csv(&header, &rows)?,
                "table" => {
                    print_table(&header, &rows);
                    println!("{} of {} customers", rows.len(), page.total);
                }
                other => {
                    return Err(Error::invalid(
                        "format",
                        Reason::NotAllowed { value: other.into(), allowed: "table, csv".into() },
                    ));
                }
            }
        }
        CustomersCommand::Show { code } => {
            let customer = crm::customers::get_by_code(db, actor, &code).await?;
            let contacts = crm::contacts::list(db, actor, customer.id).await?;
            let fields = [
                ("code", customer.code.clone()),
                ("name", customer.name.clone()),
                ("type", customer.kind.clone()),
                ("source", customer.source.clone().unwrap_or_default()),
                ("level", customer.level.clone().unwrap_or_default()),
                ("phone", customer.phone.clone()),
                ("email", customer.email.clone()),
                ("address", customer.address.clone()),
                ("city", customer.city.clone()),
                ("birthday", customer.birthday.clone().unwrap_or_default()),
                ("hobbies", customer.hobbies.clone()),
                ("owner", customer.owner_name.clone().unwrap_or_default()),
                ("created_on", customer.created_on.clone()),
                ("tags", customer.tags.clone()),
                ("notes", customer.notes.clone()),
            ];
            for (label, value) in fields {
                println!("{label:>10}  {value}");
            }
            if !contacts.is_empty() {
                println!();
                let rows: Vec<Vec<String>> =
                    contacts.into_iter().map(|c| vec![c.name, c.title, c.phone, c.email]).collect();
                print_table(&["contact", "title", "phone", "email"], &rows);
            }
        }
        CustomersCommand::Add(add) => {
            let input = CustomerInput {
                code: add.code,
                name: add.name,
                kind: add.kind,
                source: add.source,
                level: add.level,
                phone: add.phone,
                email: add.email,
                address: add.address,
                city: add.city,
                birthday: add.birthday,
                hobbies: add.hobbies,
                owner: add.owner,
                tags: add.tags,
                notes: add.notes,
                allow_duplicate: add.force,
                ..Default::default()
            };
            let saved = crm::customers::create(db, actor, &input).await?;
            println!("added {} {}", saved.customer.code, saved.customer.name);
        }
    }
    Ok(())
}

async fn users_command(db: &Db, actor: &Actor, command: UsersCommand) -> Result<(), Error> {
    match command {
        UsersCommand::List => {
            let rows: Vec<Vec<String>> = users::list(db, actor)
                .await?
                .into_iter()
                .map(|u| {
                    vec![
                        u.username,
                        u.display_name,
                        u.role,
                        u.branch_name.unwrap_or_default(),
                        yes_no(u.can_login).into(),
                    ]
                })
                .collect();
            print_table(&["username", "name", "role", "branch", "login"], &rows);
        }
        UsersCommand::Set { username, name, role, branch, active } => {
            let id = users::id_by_username(db, &username).await?;
            let change = users::UserChange { display_name: name, role, branch_code: branch, active };
            let user = users::update(db, actor, id, &change).await?;
            println!(
                "{}: {} ({}), {}",
                user.username,
                user.display_name,
                user.role,
                if user.active { "active" } else { "inactive" }
            );
        }
        UsersCommand::Password { username } => {
            let id = users::id_by_username(db, &username).await?;
            users::set_password(db, actor, id, &new_user_password(&username)?).await?;
            println!("set the password of {username}");
        }
        UsersCommand::Add { username, name, role, branch, no_login } => {
            let password = if no_login { None } else { Some(new_user_password(&username)?) };
            let new = users::NewUser { username, display_name: name, role, branch_code: branch, password };
            let user = users::create(db, actor, &new).await?;
            println!("added user {} ({})", user.username, user.role);
        }
    }
    Ok(())
}

/// The new user's password: SUANPAN_NEW_PASSWORD for scripts, else a prompt.
fn new_user_password(username: &str) -> Result<String, Error> {
    match std::env::var("SUANPAN_NEW_PASSWORD") {
        Ok(password) => Ok(password),
        Err(_) if std::io::stdin().is_terminal() => {
            let read = |prompt: String| {
                rpassword::prompt_password(prompt).map_err(|source| Error::Io { path: "terminal".into(), source })
            };
            let password = read(format!("new password for {username}: "))?;
            if read("again: ".into())? != password {
                return Err(Error::Refused(Refusal::PasswordsDiffer));
            }
            Ok(password)
        }
        Err(_) => Err(Error::Refused(Refusal::NoNewPassword)),
    }
}

async fn branches_command(db: &Db, actor: &Actor, command: BranchesCommand) -> Result<(), Error> {
    match command {
        BranchesCommand::List => {
            let rows: Vec<Vec<String>> =
                branches::list(db).await?.into_iter().map(|b| vec![b.code, b.name, b.kind]).collect();
            print_table(&["code", "name", "kind"], &rows);
        }
        BranchesCommand::Add { code, name, kind, parent } => {
            let branch =
                branches::create(db, actor, &branches::NewBranch { code, name, kind, parent_code: parent }).await?;
            println!("added {} {}", branch.code, branch.name);
        }
    }
    Ok(())
}

async fn settings_command(db: &Db, actor: &Actor, command: SettingsCommand) -> Result<(), Error> {
    match command {
        SettingsCommand::Terms { customer_days, supplier_days } => {
            let mut terms = suanpan::settings::payment_terms(db).await?;
            if customer_days.is_some() || supplier_days.is_some() {
                terms.customer_days = customer_days.unwrap_or(terms.customer_days);
                terms.supplier_days = supplier_days.unwrap_or(terms.supplier_days);
                terms = suanpan::settings::set_payment_terms(db, actor, terms).await?;
            }
            println!(
                "customers pay {} days after an order; suppliers are paid {} days after a purchase",
                terms.customer_days, terms.supplier_days
            );
        }
    }
    Ok(())
}

pub(crate) fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// Columns padded by display width, so Chinese text lines up.
pub(crate) fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.width())))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

fn print_csv(header: &[&str], rows: &[Vec<String>]) -> Result<(), Error> {
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    let io = |e: csv::Error| Error::Io { path: "stdout".into(), source: std::io::Error::other(e) };
    writer.write_record(header).map_err(io)?;
    for row in rows {
        writer.write_record(row).map_err(io)?;
    }
    writer.flush().map_err(|source| Error::Io { path: "stdout".into(), source })
}
