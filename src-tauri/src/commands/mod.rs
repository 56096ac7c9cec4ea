//! The commands the window may invoke, one thin file per area.

pub mod admin;
pub mod customers;
pub mod files;
pub mod pipeline;
pub mod reports;
pub mod session;
pub mod trade;
