// Port (SCALE-2): the sign-in throttle's counts in the database (`sign_in_throttle`), so every
// process on one database shares them. The policy stays in throttle.ts (`decide` and the
// transitions are pure); these methods only read, lock and write one attempt's keys.
import type { SignInThrottleRow } from '../../domain/rows';

export interface ThrottleRepo {
  /**
   * The rows of these keys (absent keys have none), locked for the rest of the write: SQLite's
   * write lock, PostgreSQL's `FOR UPDATE` after the rows are made to exist, so two attempts on one
   * key in two processes take turns instead of both reading the same count.
   */
  lockKeys(keys: readonly string[]): Promise<SignInThrottleRow[]>;
  /** Writes these rows (insert or replace) and deletes the keys in `forget`. */
  saveKeys(rows: readonly SignInThrottleRow[], forget: readonly string[]): Promise<void>;
  /** Deletes at most `limit` rows forgotten by `now` (`expires_at <= now`); how many. */
  purgeExpired(now: number, limit: number): Promise<number>;
}
