// What the logged-in user may do, as the engine said at login (`api::Session`): views ask these, never
// compare role names, so the rule stays in one place (`Actor::can` in the engine).

/** True when the engine lists `permission` (a `Permission::key`, e.g. "write_customers") for the session `me`. */
export const can = (me, permission) => me.permissions.includes(permission);

/** True when the user sees only their own records, and so records only as themselves. */
export const onlyOwnRecords = (me) => me.scope === "own";
