// What a failed PostgreSQL statement may tell the rest of the server. drizzle's
// DrizzleQueryError puts the statement's parameters into its message ("Failed query: …
// params: …"), and PostgreSQL's own error repeats the offending values in its `detail` ("Key
// (token_digest)=(…) already exists"): a log line, a 500's report or a job's failure printing
// either would carry whatever the statement was given — a token digest, a password hash, an
// org secret's digest. SQLite's errors carry no values. So an error leaving the unit of work is
// redacted here, once: the statement's text and the SQLSTATE (what services map errors by, and
// what an operator needs) stay; the values go.

const MAX_DEPTH = 5;
const NOT_SHOWN = '(parameters not shown)';

interface QueryErrorLike extends Error {
  query: string;
  params?: unknown;
}

const isQueryError = (e: Error): e is QueryErrorLike =>
  typeof (e as Partial<QueryErrorLike>).query === 'string' && 'params' in e;

/** `err` and its causes with statement parameters and PostgreSQL's value details removed. */
export function withoutParameters<E>(err: E): E {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < MAX_DEPTH; depth++, e = e.cause) {
    if (isQueryError(e)) {
      const message = `Failed query: ${e.query} ${NOT_SHOWN}`;
      const frames = (e.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
      e.message = message;
      e.stack = [`${e.name}: ${message}`, ...frames].join('\n');
      e.params = undefined;
    }
    const pgError = e as Error & { detail?: unknown; where?: unknown };
    if (typeof pgError.detail === 'string') pgError.detail = NOT_SHOWN;
  }
  return err;
}
