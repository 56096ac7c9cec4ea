//! Customers, their contacts, activities and service requests (客户管理, SPEC §2.1, §2.4).

pub mod activities;
pub mod contacts;
pub mod customer_list;
pub mod customers;
pub mod kind;
pub mod merge;
pub mod picklists;
pub mod pinyin_key;
pub mod search;
pub mod service;

pub use customers::{Customer, CustomerInput, CustomerQuery, CustomerRow, CustomerSort, Saved};
pub use kind::CustomerKind;
