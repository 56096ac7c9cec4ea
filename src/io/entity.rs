//! What can be imported: each entity's name in English and Chinese, its file format, what identifies
//! a record in a file, and the permission importing it needs.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::auth::Permission;
use crate::io::columns::{self, Column, RowFields};

/// What can be imported. Each later module adds its entities here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Entity {
    Customers,
    Contacts,
    Products,
    Suppliers,
    Orders,
    Purchases,
    Activities,
    Opportunities,
    Expenses,
    Service,
}

impl Entity {
    pub fn parse(text: &str) -> Option<Entity> {
        match text {
            "customers" | "customer" | "客户" => Some(Entity::Customers),
            "contacts" | "contact" | "联系人" => Some(Entity::Contacts),
            "products" | "product" | "商品" | "产品" => Some(Entity::Products),
            "suppliers" | "supplier" | "供应商" => Some(Entity::Suppliers),
            "orders" | "order" | "订单" | "销售订单" => Some(Entity::Orders),
            "purchases" | "purchase" | "采购" | "采购单" => Some(Entity::Purchases),
            "activities" | "activity" | "活动" | "跟进记录" => Some(Entity::Activities),
            "opportunities" | "opportunity" | "商机" => Some(Entity::Opportunities),
            "expenses" | "expense" | "费用" => Some(Entity::Expenses),
            "service" | "services" | "服务" | "服务反馈" => Some(Entity::Service),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Customers => "customers",
            Entity::Contacts => "contacts",
            Entity::Products => "products",
            Entity::Suppliers => "suppliers",
            Entity::Orders => "orders",
            Entity::Purchases => "purchases",
            Entity::Activities => "activities",
            Entity::Opportunities => "opportunities",
            Entity::Expenses => "expenses",
            Entity::Service => "service",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Entity::Customers => columns::CUSTOMERS,
            Entity::Contacts => columns::CONTACTS,
            Entity::Products => columns::PRODUCTS,
            Entity::Suppliers => columns::SUPPLIERS,
            Entity::Orders => columns::ORDERS,
            Entity::Purchases => columns::PURCHASES,
            Entity::Activities => columns::ACTIVITIES,
            Entity::Opportunities => columns::OPPORTUNITIES,
            Entity::Expenses => columns::EXPENSES,
            Entity::Service => columns::SERVICE,
        }
    }

    /// The column that identifies a record within its parent: re-importing matches rows by it.
    pub(crate) fn key_column(self) -> &'static str {
        match self {
            Entity::Customers | Entity::Suppliers | Entity::Opportunities => "code",
            Entity::Contacts => "name",
            Entity::Products => "sku",
            Entity::Orders => "order_no",
            Entity::Purchases => "po_no",
            Entity::Activities | Entity::Expenses | Entity::Service => "date",
        }
    }

    /// What identifies a row's record in the file: a second row with the same key is an error.
    /// Orders and purchases have one row per line: their writers check that a document's lines agree.
    /// Customers keep the line of each code with the code's id (a file of a million customers would
    /// otherwise hold every code twice).
    pub(crate) fn record_key(self, fields: &RowFields<'_>) -> CompactString {
        match self {
            Entity::Suppliers | Entity::Opportunities => fields.get("code").trim().into(),
            Entity::Products => fields.get("sku").trim().into(),
            Entity::Customers
            | Entity::Orders
            | Entity::Purchases
            | Entity::Activities
            | Entity::Expenses
            | Entity::Service
            // A contact is found twice by its importer, which matches it to its customer's contacts anyway.
            | Entity::Contacts => CompactString::default(),

        }
    }

    pub(crate) fn permission(self) -> Permission {
        match self {
            Entity::Customers | Entity::Contacts | Entity::Activities | Entity::Service => Permission::WriteCustomers,
            Entity::Products | Entity::Suppliers => Permission::WriteProducts,
            Entity::Orders | Entity::Opportunities | Entity::Expenses => Permission::WriteSales,
            Entity::Purchases => Permission::ManageStock,
        }
    }
}
