// @ts-check
/**
 * Issue 14: the services not yet converted to the unit of work, the one allow-list of the storage
 * fence in eslint.config.js (a service imports no drizzle, no better-sqlite3, nothing of main/db/).
 * Each line is a decision to be undone: converting a file (docs/architecture.md, "Converting a
 * feature") deletes its line, and tests/uow-fence.test.ts fails if a line is added, or if a
 * listed file no longer needs it. Empty since issue 15 moved the SQLite audit append to
 * main/db/sqlite/audit-log.ts.
 */
/** @type {string[]} */
export const NOT_CONVERTED = [];
