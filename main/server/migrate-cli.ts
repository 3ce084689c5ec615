// `npm run migrate` (orgdesk migrate, issue 15, SCALE-2): applies the PostgreSQL migrations of
// ORGDESK_DATABASE_URL once, under the migration lock (main/db/pg/migrate.ts), before the
// replicas start; any number of these may run at once. SQLite needs no such step: the server
// and the desktop app migrate their own file at start.
// The first admin is provisioned by the first replica to start (main/server/open-storage.ts:
// under a lock of its own, so replicas starting together provision once).
import { migratePg, PG_MIGRATIONS_FOLDER, codeMigrations } from '../db/pg/migrate';

async function main(): Promise<number> {
  const url = process.env.ORGDESK_DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    process.stderr.write(
      'orgdesk migrate: set ORGDESK_DATABASE_URL=postgres://user:password@host:5432/database ' +
        '(PostgreSQL only: SQLite migrates its file itself at start)\n',
    );
    return 2;
  }
  // Never the URL itself in the output: it may carry the password.
  const { applied } = await migratePg(url);
  const total = codeMigrations(PG_MIGRATIONS_FOLDER).length;
  process.stdout.write(
    applied.length > 0
      ? `orgdesk migrate: applied ${applied.join(', ')} (${total} in all)\n`
      : `orgdesk migrate: the database is current (${total} migrations)\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `orgdesk migrate failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
