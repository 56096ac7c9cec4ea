//! Selling: orders and their lines (销售管理, SPEC §2.2), a customer's timeline; the pipeline joins later.

pub mod order_list;
pub mod orders;
pub mod timeline;

pub use order_list::{OrderQuery, OrderRow};
pub use orders::{Order, OrderInput, OrderLine, OrderLineInput, OrderStatus};
