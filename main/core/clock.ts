/** Time as the services see it; tests inject a clock they can move. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class ManualClock implements Clock {
  constructor(private t: number = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Milliseconds of 10000-01-01T00:00:00Z: from there on toISOString writes a six-digit year. */
const YEAR_10000 = 253_402_300_800_000;
const DAY_MS = 86_400_000;
/**
 * The 24 characters of "YYYY-MM-DDTHH:MM:SS.mmmZ" in one String.fromCharCode: one flat string.
 * A template of 13 pieces allocated about 700 bytes of number strings and string ropes for each,
 * 150 KB of the ~610 KB an ORG-2 page of 100 orgs allocated on SQLite (heap sampling, issue 15),
 * and those pages' young-generation collections, one in 20 pages, were their p95 tail.
 */
const ZERO = 48; // '0'
const tens = (n: number) => ZERO + (Math.floor(n / 10) % 10);
const ones = (n: number) => ZERO + (n % 10);
/**
 * `new Date(ms).toISOString()`, the same string, without a Date: toISOString costs about 1 µs,
 * and a page of 100 orgs writes 300 of them (created_at, updated_at, the stats' as_of):
 * 0.2–0.3 ms of the ORG-2 page's ~1.4 ms of JavaScript on PostgreSQL, as measured (issue 15). Integer milliseconds from 1970
 * to 9999 are written here (days to a civil date as in H. Hinnant's days_from_civil inverse);
 * anything else (before 1970, six-digit years, fractions, NaN, which throws) goes to Date.
 */
export const iso = (ms: number): string => {
  if (!(ms >= 0 && ms < YEAR_10000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rem = ms - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rem / 3_600_000);
  rem -= hour * 3_600_000;
  const minute = Math.floor(rem / 60_000);
  rem -= minute * 60_000;
  const second = Math.floor(rem / 1000);
  const milli = rem - second * 1000;
  // prettier-ignore
  return String.fromCharCode(
    tens(Math.floor(year / 100)), ones(Math.floor(year / 100)), tens(year), ones(year),
    45, tens(month), ones(month), 45, tens(day), ones(day), // -MM-DD
    84, tens(hour), ones(hour), 58, tens(minute), ones(minute), 58, tens(second), ones(second), // THH:MM:SS
    46, ZERO + Math.floor(milli / 100), tens(milli), ones(milli), 90, // .mmmZ
  );
};
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
