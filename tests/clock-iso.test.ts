// iso() writes the ISO 8601 string itself for integer milliseconds in 1970–9999 (a page of 100
// orgs writes 300 of them; main/core/clock.ts): it must be toISOString's string, to the
// character, wherever it does, and hand everything else to Date.
import { describe, expect, it } from 'vitest';
import { iso, isoOrNull } from '../main/core/clock';

const DAY = 86_400_000;
const YEAR_10000 = Date.UTC(10000, 0, 1);
const date = (ms: number) => new Date(ms).toISOString();

describe('iso()', () => {
  it('is toISOString at both ends of every day from 1970 to 2400, and of every 37th day to 9999', () => {
    const wrong: string[] = [];
    const until2400 = Date.UTC(2400, 11, 31) / DAY;
    for (let day = 0; day * DAY < YEAR_10000; day += day < until2400 ? 1 : 37) {
      for (const ms of [day * DAY, day * DAY + DAY - 1]) {
        if (iso(ms) !== date(ms)) wrong.push(`${ms}: ${iso(ms)} ≠ ${date(ms)}`);
      }
      if (wrong.length > 5) break;
    }
    expect(wrong).toEqual([]);
  });

  it('is toISOString at random instants and at leap days, month ends and centuries', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const samples = Array.from({ length: 200_000 }, () => Math.floor(next() * YEAR_10000));
    for (const [y, m, d] of [
      [2000, 1, 29],
      [2000, 2, 1],
      [2100, 1, 28],
      [2100, 2, 1],
      [2400, 1, 29],
      [1972, 1, 29],
      [9999, 11, 31],
    ]) {
      samples.push(
        Date.UTC(y!, m!, d!),
        Date.UTC(y!, m!, d!) - 1,
        Date.UTC(y!, m!, d!, 23, 59, 59, 999),
      );
    }
    expect(samples.filter((ms) => iso(ms) !== date(ms))).toEqual([]);
  });

  it('hands what it does not write to Date: before 1970, six-digit years, fractions, NaN', () => {
    for (const ms of [-1, -DAY * 365, YEAR_10000, YEAR_10000 + 1, 1.5, 1_700_000_000_000.25]) {
      expect(iso(ms)).toBe(date(ms));
    }
    expect(() => iso(Number.NaN)).toThrow(RangeError);
    expect(isoOrNull(null)).toBeNull();
    expect(isoOrNull(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
