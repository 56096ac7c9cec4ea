//! Suanpan (算盘): the engine of a small business's books — every rule, the storage, reports and files.
//!
//! The map, in dependency order (a module uses only those above it):

pub mod api; // what the shell and the CLI exchange: errors as data, start-up facts
pub mod audit; // who changed what, old → new
pub mod auth; // roles, permissions, scopes, passwords, login
pub mod backup; // consistent copies of the company file, restore, daily backups
pub mod branches; // branches and departments
pub mod catalog; // products, categories, prices, suppliers
pub mod choice; // values chosen from a fixed list: code, Chinese word, parsing, the allowed list
pub mod company; // opening a company file for work: schema, then keys derived in Rust
pub mod crm; // customers, contacts, pick lists, search, merge
pub mod db; // opening a company file, pragmas, migrations, safety copy
pub mod demo; // a deterministic, realistic demo company
pub mod directory; // customers, people and list entries found by what a person types, for checks that run without the database
pub mod error; // typed errors with stable codes
pub mod inventory; // warehouses, stock levels and moves, moving average cost, purchases
pub mod io; // import and export of files: encodings, CSV, batches
pub mod lines; // the rules every line of an order, a quote or a purchase keeps, in a form or a file
pub mod money; // exact money in minor units
pub mod period; // days, ISO weeks, months, quarters, years
pub mod quantity; // exact quantities of goods in thousandths
pub mod reports; // the analyses: a query in, a table out, in the actor's scope; CSV and text writers
pub mod sales; // sales orders: confirm, deliver, cancel; the orders list
pub mod settings; // company-wide preferences (the language before login)
pub mod text; // checking and normalising typed text and dates
pub mod users; // users: the first owner, adding, listing

pub use auth::{Actor, Role};
pub use db::Db;
pub use error::{Error, Result};
pub use money::Money;
