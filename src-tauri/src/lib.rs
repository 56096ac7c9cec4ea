//! The Suanpan desktop shell: builds the Tauri app and registers the commands; no SQL and no rules here.

mod commands;
mod state;

pub use state::AppState;

/// Registers every command and the native file dialogs (open, save) the import, export and backup
/// buttons ask for; shared by the real app and the command tests.
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.plugin(tauri_plugin_dialog::init()).invoke_handler(tauri::generate_handler![
        commands::session::startup,
        commands::session::create_owner,
        commands::session::login,
        commands::session::logout,
        commands::session::set_language,
        commands::session::open_demo,
        commands::customers::customers_list,
        commands::customers::customer_get,
        commands::customers::customer_create,
        commands::customers::customer_update,
        commands::customers::customer_delete,
        commands::customers::customer_merge,
        commands::customers::customer_duplicates,
        commands::customers::customer_history,
        commands::customers::contact_add,
        commands::customers::contact_update,
        commands::customers::contact_delete,
        commands::customers::picklist,
        commands::customers::picklist_add,
        commands::customers::picklist_update,
        commands::customers::picklist_delete,
        commands::admin::users_list,
        commands::admin::user_create,
        commands::admin::user_update,
        commands::admin::user_set_password,
        commands::admin::branches_list,
        commands::admin::payment_terms,
        commands::admin::payment_terms_set,
        commands::admin::branch_create,
        commands::files::import_preview,
        commands::files::import_run,
        commands::files::import_cancel,
        commands::files::profiles_list,
        commands::files::profile_save,
        commands::files::import_save_errors,
        commands::files::import_batches,
        commands::files::import_undo,
        commands::files::export_list,
        commands::files::template_csv,
        commands::files::backup_now,
        commands::files::restore_backup,
        commands::trade::products_list,
        commands::trade::product_get,
        commands::trade::product_create,
        commands::trade::product_update,
        commands::trade::categories_list,
        commands::trade::suppliers_list,
        commands::trade::supplier_create,
        commands::trade::warehouses_list,
        commands::trade::stock_levels,
        commands::trade::stock_low,
        commands::trade::stock_valuation,
        commands::trade::stock_moves,
        commands::trade::stock_adjust,
        commands::trade::purchases_list,
        commands::trade::purchase_create,
        commands::trade::purchase_receive,
        commands::trade::orders_list,
        commands::trade::order_get,
        commands::trade::order_create,
        commands::trade::order_update,
        commands::trade::order_step,
        commands::trade::customer_timeline,
        commands::trade::activity_create,
        commands::pipeline::stages_list,
        commands::pipeline::opportunities_board,
        commands::pipeline::opportunities_list,
        commands::pipeline::opportunity_get,
        commands::pipeline::opportunity_create,
        commands::pipeline::opportunity_update,
        commands::pipeline::opportunity_move,
        commands::pipeline::opportunity_close,
        commands::pipeline::forecast,
        commands::pipeline::quotes_list,
        commands::pipeline::quote_get,
        commands::pipeline::quote_create,
        commands::pipeline::quote_accept,
        commands::pipeline::quote_reject,
        commands::pipeline::leads_list,
        commands::pipeline::lead_create,
        commands::pipeline::lead_update,
        commands::pipeline::lead_mark,
        commands::pipeline::lead_convert,
        commands::pipeline::activities_list,
        commands::pipeline::expenses_list,
        commands::pipeline::expense_breakdown,
        commands::reports::reports_catalog,
        commands::reports::report_run,
        commands::reports::report_export,
        commands::pipeline::expense_create,
        commands::pipeline::expense_delete,
        commands::pipeline::service_list,
        commands::pipeline::service_summary,
        commands::pipeline::service_create,
        commands::pipeline::service_update,
    ])
}

/// Starts the desktop app on the company file named by `--db PATH`, `SUANPAN_DB`, or the default.
pub fn run() {
    let company_file = state::company_file_from_args(std::env::args());
    let result =
        with_commands(tauri::Builder::default()).manage(AppState::new(company_file)).run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("suanpan-app: {error}");
        std::process::exit(1);
    }
}
