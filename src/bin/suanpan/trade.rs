//! The command line of trade: products, suppliers, warehouses, stock, purchases and orders.

use chrono::NaiveDate;
use clap::Subcommand;
use suanpan::catalog::products::{self, ProductInput, ProductQuery};
use suanpan::catalog::suppliers::{self, SupplierInput};
use suanpan::choice::Choice;
use suanpan::error::Reason;
use suanpan::inventory::purchases::{self, PurchaseInput, PurchaseLineInput};
use suanpan::inventory::stock::{self, AdjustmentInput};
use suanpan::inventory::warehouses::{self, Warehouse, WarehouseChange};
use suanpan::sales::order_list::{self, OrderQuery};
use suanpan::sales::orders::{self, Order, OrderInput, OrderLineInput, OrderStatus};
use suanpan::{Actor, Db, Error, branches};

use crate::{print_table, yes_no};

// Parsed once per run: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum ProductsCommand {
    /// Products by sku; words match sku or name.
    List {
        search: Option<String>,
        /// Only those under their low-stock threshold.
        #[arg(long)]
        low_stock: bool,
        /// Inactive products too.
        #[arg(long)]
        all: bool,
    },
    Show {
        sku: String,
    },
    Add {
        #[arg(long)]
        sku: String,
        #[arg(long)]
        name: String,
        /// 大分类
        #[arg(long, default_value = "")]
        category: String,
        /// 小分类
        #[arg(long, default_value = "")]
        subcategory: String,
        #[arg(long, default_value = "")]
        unit: String,
        #[arg(long, default_value = "")]
        price: String,
        #[arg(long, default_value = "")]
        member_price: String,
        #[arg(long, default_value = "")]
        cost: String,
        /// Cost-plus markup in percent: sets the price from the cost.
        #[arg(long, default_value = "")]
        markup: String,
        #[arg(long, default_value = "")]
        low_stock: String,
    },
}

#[derive(Subcommand)]
pub enum SuppliersCommand {
    List {
        search: Option<String>,
    },
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        phone: String,
        #[arg(long, default_value = "")]
        address: String,
    },
}

#[derive(Subcommand)]
pub enum StockCommand {
    /// Stock per product and warehouse: on hand, reserved, available.
    Levels {
        #[arg(long)]
        sku: Option<String>,
    },
    /// Products under their low-stock threshold.
    Low,
    /// What the stock is worth at moving average cost.
    Valuation,
    /// A product's moves, newest first.
    Moves { sku: String },
    /// Book a count difference, breakage or stock found (+5, -2) with its reason.
    Adjust {
        #[arg(long, alias = "product")]
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        quantity: String,
        #[arg(long)]
        reason: String,
        /// For stock found: what one unit cost (default: the average cost).
        #[arg(long, default_value = "")]
        cost: String,
        /// A warehouse's code or name (default: the first active one).
        #[arg(long, default_value = "")]
        warehouse: String,
        /// Default: today.
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Move stock from one warehouse to another (each by code or name) at its average cost.
    Transfer {
        #[arg(long, alias = "sku")]
        product: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long, allow_hyphen_values = true)]
        quantity: String,
        /// Default: today.
        #[arg(long)]
        date: Option<NaiveDate>,
    },
}

#[derive(Subcommand)]
pub enum WarehousesCommand {
    /// Every warehouse: code, name, branch, whether stock may go below zero, whether it is active.
    List,
    Add {
        code: String,
        #[arg(long)]
        name: String,
        /// The branch it belongs to, by code.
        #[arg(long)]
        branch: Option<String>,
        /// Stock here may go below zero (selling what has not been booked in yet).
        #[arg(long)]
        allow_negative: bool,
    },
    /// Give a warehouse (by code or name) a new name.
    Rename {
        warehouse: String,
        #[arg(long)]
        to: String,
    },
    /// Change whether stock may go below zero, or whether the warehouse is active.
    Set {
        warehouse: String,
        #[arg(long)]
        allow_negative: Option<bool>,
        #[arg(long)]
        active: Option<bool>,
    },
}

#[derive(Subcommand)]
pub enum PurchasesCommand {
    List,
    /// A purchase order: --line SKU=QUANTITY@COST (the cost defaults to the product's).
    Add {
        #[arg(long)]
        supplier: String,
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
        #[arg(long, default_value = "")]
        date: String,
    },
    /// Book the goods received: into stock at the purchase cost.
    Receive {
        po_no: String,
    },
}

#[derive(Subcommand)]
pub enum OrdersCommand {
    /// Orders newest first; words match the number, a customer's code or name.
    List {
        search: Option<String>,
        #[arg(long, help = OrderStatus::allowed())]
        status: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, default_value_t = 0)]
        offset: i64,
    },
    Show {
        order_no: String,
    },
    /// A draft order: --customer CODE --line SKU=QUANTITY[@PRICE] (the price defaults to the customer's).
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
        #[arg(long, default_value = "")]
        date: String,
        #[arg(long, default_value = "")]
        due: String,
        #[arg(long, default_value = "")]
        salesperson: String,
    },
    /// Check and reserve the stock, freeze the costs.
    Confirm {
        order_no: String,
    },
    /// Take the goods out of stock.
    Deliver {
        order_no: String,
    },
    /// Give back what a draft or confirmed order reserved.
    Cancel {
        order_no: String,
    },
}

/// "SKU=QUANTITY@PRICE" → (sku, quantity, price).
pub(crate) fn parse_line(text: &str) -> Result<(String, String, String), Error> {
    let bad =
        || Error::invalid("line", Reason::NotAllowed { value: text.into(), allowed: "SKU=QUANTITY[@PRICE]".into() });
    let (sku, rest) = text.split_once('=').ok_or_else(bad)?;
    let (quantity, price) = rest.split_once('@').unwrap_or((rest, ""));
    if sku.trim().is_empty() || quantity.trim().is_empty() {
        return Err(bad());
    }
    Ok((sku.trim().into(), quantity.trim().into(), price.trim().into()))
}

pub async fn products_command(db: &Db, actor: &Actor, command: ProductsCommand) -> Result<(), Error> {
    match command {
        ProductsCommand::List { search, low_stock, all } => {
            let query = ProductQuery {
                text: search.unwrap_or_default(),
                low_stock_only: low_stock,
                include_inactive: all,
                limit: Some(1_000),
                ..Default::default()
            };
            let page = products::list(db, actor, &query).await?;
            let rows: Vec<Vec<String>> = page
                .rows
                .iter()
                .map(|p| {
                    vec![
                        p.sku.clone(),
                        p.name.clone(),
                        p.category.clone().unwrap_or_default(),
                        p.subcategory.clone().unwrap_or_default(),
                        p.unit.clone(),
                        p.standard_price.grouped(),
                        p.member_price.map(|m| m.grouped()).unwrap_or_default(),
                        p.moving_average_cost().map(|m| m.grouped()).unwrap_or("-".into()),
                        p.stock_quantity.to_string(),
                    ]
                })
                .collect();
            print_table(
                &["sku", "name", "category", "subcategory", "unit", "price", "member", "avg cost", "on hand"],
                &rows,
            );
            println!("{} of {} products", rows.len(), page.total);
        }
        ProductsCommand::Show { sku } => {
            let p = products::by_sku(db, actor, &sku).await?;
            let category = [p.category.clone(), p.subcategory.clone()].into_iter().flatten().collect::<Vec<_>>();
            println!("{} {}", p.sku, p.name);
            println!("category: {}", category.join(" / "));
            println!("unit: {}", p.unit);
            println!(
                "price: {}  member: {}",
                p.standard_price.grouped(),
                p.member_price.map(|m| m.grouped()).unwrap_or("-".into())
            );
            println!(
                "cost: {}  markup: {}",
                p.cost_price.grouped(),
                p.markup_percent().map(|m| format!("{m}%")).unwrap_or("-".into())
            );
            println!(
                "on hand: {}  value: {}  average cost: {}",
                p.stock_quantity,
                p.stock_value.grouped(),
                p.moving_average_cost().map(|m| m.grouped()).unwrap_or("-".into())
            );
            println!("active: {}", crate::yes_no(p.active));
        }
        ProductsCommand::Add {
            sku,
            name,
            category,
            subcategory,
            unit,
            price,
            member_price,
            cost,
            markup,
            low_stock,
        } => {
            let input = ProductInput {
                sku,
                name,
                category,
                subcategory,
                unit,
                standard_price: price,
                member_price,
                cost_price: cost,
                markup,
                low_stock,
                ..Default::default()
            };
            let product = products::create(db, actor, &input).await?;
            println!("added {} {} at {}", product.sku, product.name, product.standard_price.grouped());
        }
    }
    Ok(())
}

pub async fn suppliers_command(db: &Db, actor: &Actor, command: SuppliersCommand) -> Result<(), Error> {
    match command {
        SuppliersCommand::List { search } => {
            let page = suppliers::list(db, actor, &search.unwrap_or_default(), 0, Some(1_000)).await?;
            let rows: Vec<Vec<String>> =
                page.rows.into_iter().map(|s| vec![s.code, s.name, s.phone, s.address]).collect();
            print_table(&["code", "name", "phone", "address"], &rows);
        }
        SuppliersCommand::Add { code, name, phone, address } => {
            let input = SupplierInput { code, name, phone, address, ..Default::default() };
            let supplier = suppliers::create(db, actor, &input).await?;
            println!("added {} {}", supplier.code, supplier.name);
        }
    }
    Ok(())
}

pub async fn stock_command(db: &Db, actor: &Actor, command: StockCommand) -> Result<(), Error> {
    match command {
        StockCommand::Levels { sku } => {
            let product = match sku {
                Some(sku) => Some(products::by_sku(db, actor, &sku).await?.id),
                None => None,
            };
            let rows: Vec<Vec<String>> = stock::levels(db, actor, product)
                .await?
                .into_iter()
                .map(|l| {
                    vec![
                        l.sku,
                        l.name,
                        l.warehouse,
                        l.on_hand.to_string(),
                        l.reserved.to_string(),
                        l.available.to_string(),
                    ]
                })
                .collect();
            print_table(&["sku", "name", "warehouse", "on hand", "reserved", "available"], &rows);
        }
        StockCommand::Low => {
            let rows: Vec<Vec<String>> = stock::low_stock(db, actor)
                .await?
                .into_iter()
                .map(|l| vec![l.sku, l.name, l.on_hand.to_string(), l.low_stock.to_string(), l.unit])
                .collect();
            print_table(&["sku", "name", "on hand", "threshold", "unit"], &rows);
        }
        StockCommand::Valuation => {
            let valuation = stock::valuation(db, actor).await?;
            let rows: Vec<Vec<String>> = valuation
                .rows
                .into_iter()
                .map(|r| {
                    vec![
                        r.sku,
                        r.name,
                        r.category.unwrap_or_default(),
                        r.quantity.to_string(),
                        r.average_cost.map(|m| m.grouped()).unwrap_or("-".into()),
                        r.value.grouped(),
                    ]
                })
                .collect();
            print_table(&["sku", "name", "category", "quantity", "avg cost", "value"], &rows);
            println!("total {}", valuation.total.grouped());
        }
        StockCommand::Moves { sku } => {
            let product = products::by_sku(db, actor, &sku).await?;
            let rows: Vec<Vec<String>> = stock::moves(db, actor, product.id, 100)
                .await?
                .into_iter()
                .map(|m| {
                    let document = m.order_no.or(m.po_no).unwrap_or(m.reason);
                    vec![m.moved_on, m.kind, m.warehouse, m.quantity.to_string(), m.value.grouped(), document]
                })
                .collect();
            print_table(&["date", "kind", "warehouse", "quantity", "value", "document / reason"], &rows);
        }
        StockCommand::Adjust { sku, quantity, reason, cost, warehouse, date } => {
            let product = products::by_sku(db, actor, &sku).await?;
            let warehouse = warehouses::named(db, actor, &warehouse).await?;
            let input = AdjustmentInput {
                product_id: product.id,
                warehouse_id: warehouse.id,
                quantity,
                unit_cost: cost,
                reason,
                date: date.map(|d| d.to_string()).unwrap_or_default(),
            };
            let booked = stock::adjust(db, actor, &input).await?;
            println!(
                "booked {} of {} ({}) in {}",
                booked.quantity,
                booked.sku,
                booked.value.grouped(),
                booked.warehouse
            );
        }
        StockCommand::Transfer { product, from, to, quantity, date } => {
            let product = products::by_sku(db, actor, &product).await?;
            let from = warehouses::named(db, actor, &from).await?;
            let to = warehouses::named(db, actor, &to).await?;
            stock::transfer(db, actor, product.id, from.id, to.id, &quantity, date).await?;
            println!("moved {quantity} of {} from {} to {}", product.sku, from.name, to.name);
        }
    }
    Ok(())
}

fn print_warehouse(verb: &str, w: &Warehouse) {
    println!(
        "{verb} {} {}: negative stock {}, {}",
        w.code,
        w.name,
        if w.allow_negative { "allowed" } else { "refused" },
        if w.active { "active" } else { "inactive" }
    );
}

pub async fn warehouses_command(db: &Db, actor: &Actor, command: WarehousesCommand) -> Result<(), Error> {
    match command {
        WarehousesCommand::List => {
            let branches = branches::list(db).await?;
            let branch_name = |id: Option<i64>| {
                branches.iter().find(|b| Some(b.id) == id).map(|b| b.name.clone()).unwrap_or_default()
            };
            let rows: Vec<Vec<String>> = warehouses::list(db, actor)
                .await?
                .into_iter()
                .map(|w| {
                    vec![
                        w.code,
                        w.name,
                        branch_name(w.branch_id),
                        yes_no(w.allow_negative).into(),
                        yes_no(w.active).into(),
                    ]
                })
                .collect();
            print_table(&["code", "name", "branch", "negative", "active"], &rows);
        }
        WarehousesCommand::Add { code, name, branch, allow_negative } => {
            let branch_id = match branch {
                Some(code) => Some(
                    branches::list(db)
                        .await?
                        .into_iter()
                        .find(|b| b.code == code)
                        .ok_or_else(|| Error::not_found("branch", &code))?
                        .id,
                ),
                None => None,
            };
            let warehouse = warehouses::create(db, actor, &code, &name, branch_id, allow_negative).await?;
            print_warehouse("added", &warehouse);
        }
        WarehousesCommand::Rename { warehouse, to } => {
            let id = warehouses::named(db, actor, &warehouse).await?.id;
            let change = WarehouseChange { name: Some(to), ..Default::default() };
            print_warehouse("renamed", &warehouses::update(db, actor, id, &change).await?);
        }
        WarehousesCommand::Set { warehouse, allow_negative, active } => {
            let id = warehouses::named(db, actor, &warehouse).await?.id;
            let change = WarehouseChange { allow_negative, active, ..Default::default() };
            print_warehouse("set", &warehouses::update(db, actor, id, &change).await?);
        }
    }
    Ok(())
}

pub async fn purchases_command(db: &Db, actor: &Actor, command: PurchasesCommand) -> Result<(), Error> {
    match command {
        PurchasesCommand::List => {
            let page = purchases::list(db, actor, None, 0, Some(1_000)).await?;
            let rows: Vec<Vec<String>> = page
                .rows
                .into_iter()
                .map(|p| vec![p.po_no, p.po_date, p.supplier_code, p.supplier_name, p.status, p.total.grouped()])
                .collect();
            print_table(&["po_no", "date", "supplier", "name", "status", "total"], &rows);
        }
        PurchasesCommand::Add { supplier, lines, date } => {
            let mut input = PurchaseInput { supplier_code: supplier, po_date: date, ..Default::default() };
            for line in &lines {
                let (sku, quantity, unit_cost) = parse_line(line)?;
                input.lines.push(PurchaseLineInput { sku, quantity, unit_cost, ..Default::default() });
            }
            let purchase = purchases::create(db, actor, &input).await?;
            println!("purchase order {}: {} lines, {}", purchase.po_no, purchase.lines.len(), purchase.total.grouped());
        }
        PurchasesCommand::Receive { po_no } => {
            let page = purchases::list(db, actor, None, 0, Some(1_000)).await?;
            let found = page
                .rows
                .into_iter()
                .find(|p| p.po_no == po_no)
                .ok_or_else(|| Error::not_found("purchase order", &po_no))?;
            let received = purchases::receive(db, actor, found.id, None).await?;
            println!("received {}: {}", received.po_no, received.total.grouped());
        }
    }
    Ok(())
}

fn print_order(order: &Order) {
    println!("{} {} {} {}", order.order_no, order.order_date, order.customer_code, order.customer_name);
    println!(
        "status: {}  salesperson: {}  due: {}",
        order.status,
        order.salesperson.as_deref().unwrap_or("-"),
        order.due_date.as_deref().unwrap_or("-")
    );
    let rows: Vec<Vec<String>> = order
        .lines
        .iter()
        .map(|l| {
            vec![
                l.line_no.to_string(),
                l.sku.clone(),
                l.name.clone(),
                l.quantity.to_string(),
                l.unit_price.grouped(),
                l.amount.grouped(),
                l.unit_cost.map(|c| c.grouped()).unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["#", "sku", "name", "quantity", "price", "amount", "unit cost"], &rows);
    println!("total {}", order.total.grouped());
}

pub async fn orders_command(db: &Db, actor: &Actor, command: OrdersCommand) -> Result<(), Error> {
    let by_number = async |order_no: &str| orders::by_number(db, actor, order_no).await;
    match command {
        OrdersCommand::List { search, status, from, to, limit, offset } => {
            let status = match status {
                Some(text) => Some(OrderStatus::read("status", &text)?),
                None => None,
            };
            let query = OrderQuery {
                text: search.unwrap_or_default(),
                status,
                from,
                to,
                offset,
                limit: Some(limit),
                ..Default::default()
            };
            let page = order_list::list(db, actor, &query).await?;
            let rows: Vec<Vec<String>> = page
                .rows
                .into_iter()
                .map(|o| {
                    vec![
                        o.order_no,
                        o.order_date,
                        o.customer_code,
                        o.customer_name,
                        o.salesperson.unwrap_or_default(),
                        o.status,
                        o.total.grouped(),
                    ]
                })
                .collect();
            print_table(&["order_no", "date", "customer", "name", "salesperson", "status", "total"], &rows);
            println!("{} of {} orders", rows.len(), page.total);
        }
        OrdersCommand::Show { order_no } => print_order(&by_number(&order_no).await?),
        OrdersCommand::Add { customer, lines, date, due, salesperson } => {
            let mut input = OrderInput {
                customer_code: customer,
                order_date: date,
                due_date: due,
                salesperson,
                ..Default::default()
            };
            for line in &lines {
                let (sku, quantity, unit_price) = parse_line(line)?;
                input.lines.push(OrderLineInput { sku, quantity, unit_price, ..Default::default() });
            }
            print_order(&orders::create(db, actor, &input).await?);
        }
        OrdersCommand::Confirm { order_no } => {
            let order = orders::confirm(db, actor, by_number(&order_no).await?.id).await?;
            println!("{} confirmed; cost {}", order.order_no, order.cost_total.grouped());
        }
        OrdersCommand::Deliver { order_no } => {
            let order = orders::deliver(db, actor, by_number(&order_no).await?.id).await?;
            println!("{} delivered", order.order_no);
        }
        OrdersCommand::Cancel { order_no } => {
            let order = orders::cancel(db, actor, by_number(&order_no).await?.id).await?;
            println!("{} cancelled", order.order_no);
        }
    }
    Ok(())
}
