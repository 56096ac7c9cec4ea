// The one door from the window to the engine: every Tauri command is called here and nowhere else.
// Errors arrive as {code, message, fields, matches, params} objects and are thrown as they are.

const invoke = (command, args = {}) => window.__TAURI__.core.invoke(command, args);

export const startup = () => invoke("startup");
export const createOwner = (username, displayName, password) =>
  invoke("create_owner", { username, displayName, password });
export const login = (username, password) => invoke("login", { username, password });
export const logout = () => invoke("logout");
export const setLanguage = (language) => invoke("set_language", { language });
export const openDemo = () => invoke("open_demo");

export const listCustomers = (query) => invoke("customers_list", { query });
export const getCustomer = (id) => invoke("customer_get", { id });
export const createCustomer = (input) => invoke("customer_create", { input });
export const updateCustomer = (id, input) => invoke("customer_update", { id, input });
export const deleteCustomer = (id) => invoke("customer_delete", { id });
export const mergeCustomers = (survivorId, mergedId) => invoke("customer_merge", { survivorId, mergedId });
export const findDuplicates = (name, phone, except) => invoke("customer_duplicates", { name, phone, except });
export const customerHistory = (id) => invoke("customer_history", { id });

export const addContact = (customerId, input) => invoke("contact_add", { customerId, input });
export const updateContact = (id, input) => invoke("contact_update", { id, input });
export const deleteContact = (id) => invoke("contact_delete", { id });

export const pickList = (list) => invoke("picklist", { list });
export const addPickItem = (list, name, nameEn) => invoke("picklist_add", { list, name, nameEn });
export const updatePickItem = (list, id, name, nameEn, active) =>
  invoke("picklist_update", { list, id, name, nameEn, active });
export const deletePickItem = (list, id) => invoke("picklist_delete", { list, id });

export const listUsers = () => invoke("users_list");
export const createUser = (user) => invoke("user_create", { new: user });
export const updateUser = (id, change) => invoke("user_update", { id, change });
export const setUserPassword = (id, password) => invoke("user_set_password", { id, password });
export const listBranches = () => invoke("branches_list");
/** The company's payment terms: `{customer_days, supplier_days}`. */
export const paymentTerms = () => invoke("payment_terms");
export const setPaymentTerms = (terms) => invoke("payment_terms_set", { terms });
export const createBranch = (branch) => invoke("branch_create", { new: branch });

// Products, stock, purchases and orders.
export const listProducts = (query) => invoke("products_list", { query });
export const getProduct = (id) => invoke("product_get", { id });
export const createProduct = (input) => invoke("product_create", { input });
export const updateProduct = (id, input) => invoke("product_update", { id, input });
export const listCategories = () => invoke("categories_list");
export const listSuppliers = (words = "") => invoke("suppliers_list", { words });
export const createSupplier = (input) => invoke("supplier_create", { input });
export const listWarehouses = () => invoke("warehouses_list");
export const stockLevels = (productId = null) => invoke("stock_levels", { productId });
export const lowStock = () => invoke("stock_low");
export const stockValuation = () => invoke("stock_valuation");
export const stockMoves = (productId) => invoke("stock_moves", { productId });
export const adjustStock = (input) => invoke("stock_adjust", { input });
export const listPurchases = () => invoke("purchases_list");
export const createPurchase = (input) => invoke("purchase_create", { input });
export const receivePurchase = (id) => invoke("purchase_receive", { id });
export const listOrders = (query) => invoke("orders_list", { query });
export const getOrder = (id) => invoke("order_get", { id });
export const createOrder = (input) => invoke("order_create", { input });
export const updateOrder = (id, input) => invoke("order_update", { id, input });
export const customerTimeline = (customerId) => invoke("customer_timeline", { customerId });
export const createActivity = (input) => invoke("activity_create", { input });
/** step: "confirm", "deliver" or "cancel". */
export const orderStep = (id, step) => invoke("order_step", { id, step });

// Files: import, export, templates, backups. Paths come from the native dialogs below.
export const importPreview = (entity, path, encoding, mapping) =>
  invoke("import_preview", { entity, path, encoding, mapping });
/** `values`: column key → value in the file → the list's entry it means (unknown values not in it are added). */
export const importRun = (entity, path, encoding, mapping, values, mode, dryRun, movesStock = false) =>
  invoke("import_run", { request: { entity, path, encoding, mapping, values, mode, dry_run: dryRun, moves_stock: movesStock } });
export const importProfiles = (entity) => invoke("profiles_list", { entity });
export const saveImportProfile = (entity, name, mapping, values) => invoke("profile_save", { entity, name, mapping, values });
export const importCancel = () => invoke("import_cancel");
export const importSaveErrors = (path) => invoke("import_save_errors", { path });
export const importBatches = () => invoke("import_batches");
export const importUndo = (id) => invoke("import_undo", { id });
/** Exports a list; the path's extension (.xlsx or .csv) chooses the format. */
export const exportList = (entity, path) => invoke("export_list", { entity, path });
export const templateCsv = (entity, path) => invoke("template_csv", { entity, path });
export const backupNow = (path) => invoke("backup_now", { path });
/** Replaces the company file with a backup; resolves to where the replaced file was kept. Logs out. */
export const restoreBackup = (path) => invoke("restore_backup", { path });

/** Progress of a running import: calls `handler({rows, bytes, total_bytes})`; returns a function that stops listening. */
export const onImportProgress = (handler) => window.__TAURI__.event.listen("import-progress", (e) => handler(e.payload));

const CSV_FILTER = [{ name: "CSV", extensions: ["csv", "txt", "tsv"] }];
/** The native "open file" dialog; resolves to a path, or null when cancelled. */
export const chooseFile = (filters = CSV_FILTER) => window.__TAURI__.dialog.open({ multiple: false, directory: false, filters });
/** The "open" dialog for a company file or a backup of one. */
export const chooseCompanyFile = () => chooseFile([{ name: "Suanpan", extensions: ["sqlite", "db"] }]);
/** The native "save as" dialog. */
export const chooseSavePath = (defaultPath, extensions = ["csv"]) =>
  window.__TAURI__.dialog.save({ defaultPath, filters: extensions.map((e) => ({ name: e.toUpperCase(), extensions: [e] })) });

// Activities, expenses and service.
export const listActivities = (query) => invoke("activities_list", { query });
export const listExpenses = (query) => invoke("expenses_list", { query });
/** by: "salesperson", "customer" or "category"; largest first. */
export const expenseBreakdown = (query, by) => invoke("expense_breakdown", { query, by });
export const createExpense = (input) => invoke("expense_create", { input });
export const deleteExpense = (id) => invoke("expense_delete", { id });
export const listService = (query) => invoke("service_list", { query });
/** Requests and average satisfaction per type, for the same filters as the list. */
export const serviceSummary = (query) => invoke("service_summary", { query });
export const createService = (input) => invoke("service_create", { input });
export const updateService = (id, input) => invoke("service_update", { id, input });

// The sales pipeline.
export const stages = () => invoke("stages_list");
/** Columns: each open stage, then the deals won and lost since `closedSince` (default: the last 90 days). */
export const opportunitiesBoard = (closedSince = null) => invoke("opportunities_board", { closedSince });
/** query: { text, status, stage_id, customer_id, salesperson_id, from, to, offset, limit }. */
export const listOpportunities = (query) => invoke("opportunities_list", { query });
export const getOpportunity = (id) => invoke("opportunity_get", { id });
export const createOpportunity = (input) => invoke("opportunity_create", { input });
export const updateOpportunity = (id, input) => invoke("opportunity_update", { id, input });
export const moveOpportunity = (id, stageId) => invoke("opportunity_move", { id, stageId });
/** outcome: {outcome: "won"} or {outcome: "lost", reason_id}; `on` defaults to today. */
export const closeOpportunity = (id, outcome, on = null) => invoke("opportunity_close", { id, outcome, on });
export const forecast = (from = null, months = 6) => invoke("forecast", { from, months });
export const listQuotes = (customerId = null, opportunityId = null) => invoke("quotes_list", { customerId, opportunityId });
export const getQuote = (id) => invoke("quote_get", { id });
export const createQuote = (input) => invoke("quote_create", { input });
/** Accepting a quote makes a draft order, which it returns. */
export const acceptQuote = (id) => invoke("quote_accept", { id });
export const rejectQuote = (id) => invoke("quote_reject", { id });
export const listLeads = (status = null, text = "") => invoke("leads_list", { status, text });
/** input: { name, company, phone, email, source, notes }. */
export const createLead = (input) => invoke("lead_create", { input });
/** status: "qualified" or "disqualified" (or "new" again). */
export const updateLead = (id, input) => invoke("lead_update", { id, input });
export const markLead = (id, status) => invoke("lead_mark", { id, status });
/** conversion: { opportunity_name, amount, … }; resolves to { lead, customer_id, opportunity }. */
export const convertLead = (id, conversion) => invoke("lead_convert", { id, conversion });

export const reportsCatalog = () => invoke("reports_catalog");
/** A report's table as the engine computed it: typed cells, the totals row, the chart's description. */
export const runReport = (slug, query) => invoke("report_run", { slug, query });
/** Writes a report to `path` (XLSX or CSV by its name); resolves to its number of rows. */
export const exportReport = (slug, query, path, english) => invoke("report_export", { slug, query, path, english });
