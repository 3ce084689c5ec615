// The PostgreSQL schema's migrations (issue 15): generated from main/db/pg/schema.ts with
// `npx drizzle-kit generate --config drizzle.pg.config.ts`. The SQLite ones (drizzle.config.ts)
// never move: existing desktop files upgrade from them.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './main/db/pg/schema.ts',
  out: './main/db/pg/migrations',
});
