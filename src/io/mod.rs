//! Files in and out: decoding, reading CSV, matching headers, importing in batches, exporting.

pub mod batch;
pub mod bulk;
pub mod columns;
pub mod csv_source;
pub mod decode;
pub mod entity;
pub mod export;
pub mod fields;
pub mod formula;
pub mod import;
pub mod import_activities;
pub mod import_contacts;
pub mod import_customers;
pub mod import_expenses;
pub mod import_opportunities;
pub mod import_orders;
pub mod import_products;
pub mod import_purchases;
pub mod import_service;
pub mod import_suppliers;
pub mod notice;
pub mod plain;
pub mod profiles;
pub mod read_ahead;
pub mod values;
