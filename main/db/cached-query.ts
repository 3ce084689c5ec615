import type Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { Db } from './database';

const dialect = new SQLiteSyncDialect();
const MAX_STATEMENTS = 200;
const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * Runs a raw drizzle `sql` query through a per-connection cache of prepared statements keyed by
 * its SQL text (values stay bound parameters, so the text repeats). Drizzle prepares every query
 * that is not `.prepare()`d anew, and for ORG-2's statements (the trigram CTE, the stats
 * subqueries) preparing cost about as much as running them. Rows come back as SQLite gives them.
 */
export function allCached<T>(db: Db, query: SQL): T[] {
  const { sql, params } = dialect.sqlToQuery(query);
  let cache = caches.get(db.$client);
  if (!cache) caches.set(db.$client, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) {
    // Oldest first out: a Map iterates in insertion order.
    if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    statement = db.$client.prepare(sql);
    cache.set(sql, statement);
  }
  return statement.all(...params) as T[];
}
