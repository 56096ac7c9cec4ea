//! Stock: warehouses, stock levels and moves at moving average cost, purchases and goods received (SPEC §2.3).

pub mod purchases;
pub mod stock;
pub mod warehouses;

pub use stock::{MoveKind, StockLevel, StockMove};
pub use warehouses::Warehouse;
