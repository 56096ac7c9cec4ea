//! Products, their two-level categories and prices, and suppliers (进销存, SPEC §2.3).

pub mod categories;
pub mod products;
pub mod suppliers;

pub use products::{Product, ProductInput, ProductQuery};
pub use suppliers::{Supplier, SupplierInput};
