// GDPR-2 export sections on PostgreSQL: the decisions of main/features/gdpr/gdpr-sections.ts
// (which tables, which columns, which rows, in which order) read over ./schema instead of
// SQLite's tables. Nothing is decided here: each exported table is looked up by its SQL name, its
// exported columns by their drizzle names (the PG schema keeps both, see its header), and the
// registry's own `where` and `orderBy` are handed the PostgreSQL table. The rows then go through
// the same record mapping and caps (toSection), so a section never depends on the engine.
import { eq, getTableColumns, getTableName, is, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import { toSection } from '../../features/gdpr/gdpr-export';
import {
  GDPR_TABLES,
  isExcluded,
  type ExportedTable,
  type SectionSpec,
} from '../../features/gdpr/gdpr-sections';
import type { ExportSection } from '../../../shared/schemas/gdpr.schema';
import * as schema from './schema';

interface Twin {
  table: PgTable;
  columns: Record<string, PgColumn>;
}

const pgTables = new Map<string, PgTable>(
  (Object.values(schema) as unknown[])
    .filter((v): v is PgTable => is(v, PgTable))
    .map((t) => [getTableName(t), t]),
);

const twins = new Map<ExportedTable, Twin>();

/** The PostgreSQL table and columns of an exported SQLite table (same SQL and drizzle names). */
function twinOf(entry: ExportedTable): Twin {
  let twin = twins.get(entry);
  if (twin) return twin;
  const name = getTableName(entry.table);
  const table = pgTables.get(name);
  if (!table) {
    throw new Error(
      `GDPR export: table ${name} is exported (gdpr-sections.ts) but main/db/pg/schema.ts has no table of that name`,
    );
  }
  const all = getTableColumns(table) as Record<string, PgColumn>;
  const columns: Record<string, PgColumn> = {};
  for (const key of Object.keys(entry.columns)) {
    const column = all[key];
    if (!column) {
      throw new Error(
        `GDPR export: column ${key} of ${name} is exported but main/db/pg/schema.ts's ${name} has no column of that drizzle name`,
      );
    }
    columns[key] = column;
  }
  twins.set(entry, (twin = { table, columns }));
  return twin;
}

/** The sections one kind of export takes from the registry, in its order (gdpr-export.ts). */
async function sectionsOf<S>(
  db: NodePgDatabase,
  specOf: (t: ExportedTable) => SectionSpec<S> | undefined,
  subject: S,
  cap: number,
): Promise<Record<string, ExportSection>> {
  const out: Record<string, ExportSection> = {};
  for (const entry of Object.values(GDPR_TABLES)) {
    if (isExcluded(entry)) continue;
    const spec = specOf(entry);
    if (!spec) continue;
    const { table, columns } = twinOf(entry);
    // The spec is typed over the SQLite table; its operators (eq, inArray, asc…) are the
    // dialect-free ones of drizzle-orm, and the PG table has the same column properties.
    const t = table as never;
    const orderBy: SQL[] = spec.orderBy?.(t) ?? [];
    const rows = (await db
      .select(columns)
      .from(table)
      .where(spec.where(subject, t))
      .orderBy(...orderBy)
      .limit(cap + 1)) as Record<string, unknown>[];
    out[spec.section] = toSection(rows, cap);
  }
  return out;
}

/** gdpr-export.ts userSections on PostgreSQL. */
export function pgUserSections(
  db: NodePgDatabase,
  userId: number,
  accountId: number,
  from: number,
  cap: number,
): Promise<Record<string, ExportSection>> {
  return sectionsOf(db, (t) => t.user, { userId, accountId, from }, cap);
}

/** gdpr-export.ts accountSections on PostgreSQL. */
export function pgAccountSections(
  db: NodePgDatabase,
  accountId: number,
  from: number,
  cap: number,
): Promise<Record<string, ExportSection>> {
  const { organizations, users } = schema;
  const orgIds = db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.accountId, accountId));
  const userIds = db.select({ id: users.id }).from(users).where(eq(users.accountId, accountId));
  return sectionsOf(db, (t) => t.account, { accountId, from, orgIds, userIds }, cap);
}
