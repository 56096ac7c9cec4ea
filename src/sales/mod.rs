//! Selling (销售管理, SPEC §2.2): the pipeline (opportunities, quotes), orders and their lines, a customer's timeline.

pub mod expenses;
pub mod leads;
pub mod order_list;
pub mod orders;
pub mod pipeline;
pub mod quotes;
pub mod salesperson;
pub mod timeline;

pub use order_list::{OrderQuery, OrderRow};
pub use orders::{Order, OrderInput, OrderLine, OrderLineInput, OrderStatus};
