// Small SQL pieces the PostgreSQL repositories share (issue 15).
import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * Whether a read asked `{ forUpdate }` takes the row lock: in a write, yes (the row is about to
 * be changed from what was read); in a read, never: PostgreSQL refuses FOR UPDATE in a READ ONLY
 * transaction (SQLSTATE 25006), and a service may share one check between the read before real
 * I/O and the write after it (LOC-4's delete preview and delete, a password change).
 */
export const lockRow = (readOnly: boolean | undefined, opts?: { forUpdate?: boolean }): boolean =>
  opts?.forUpdate === true && readOnly !== true;

/**
 * An id list as ONE bound parameter (`= ANY($1::int8[])`), SQLite's `json_each(?)`: one
 * statement text whatever the list's length (no 65,535-parameter ceiling, one plan).
 */
export const idArray = (ids: number[]): SQL => sql`${sql.param(ids)}::int8[]`;

/**
 * ORDER BY on a nullable column in SQLite's order: SQLite sorts NULL below every value (first
 * ascending, last descending), PostgreSQL above it (last ascending, first descending), so the
 * NULLs placement is spelled out. Non-nullable columns keep a plain ASC/DESC (their index walks).
 */
export const byNullable = (column: PgColumn | SQL, descending: boolean): SQL =>
  descending ? sql`${column} DESC NULLS LAST` : sql`${column} ASC NULLS FIRST`;

/** `%term%` for LIKE … ESCAPE '\': the term's \ % _ mean themselves (tests/pg/search-index). */
export const likeContains = (term: string): string =>
  `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * An int8 of a raw `db.execute` row as a number. Drizzle's node-postgres driver hands each query
 * its own type parsers (pg's global ones, for its date handling), which replace the pool's int8
 * parser (main/db/pg/database.ts): a bigint arrives as a string there. The builder's int8 columns
 * map it back; raw statements must, here, with the pool's refusal past 2^53.
 */
export function int8(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(
      `int8 value ${String(value)} is outside JavaScript's exact integers (2^53)`,
    );
  }
  return n;
}
