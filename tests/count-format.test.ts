// Console load: counts in English locales are grouped by hand (shared/count-format.ts), so the
// first screen builds no Intl formatter and never loads ICU's locale data. Only correct if the
// output is Intl's own, character for character: checked here against Intl itself.
import { describe, expect, it } from 'vitest';
import { countFormatter } from '../shared/count-format';

const NUMBERS = [
  0,
  -0,
  1,
  7,
  42,
  999,
  1000,
  1001,
  9999,
  10_000,
  12_345,
  99_999,
  100_000,
  123_456,
  999_999,
  1_000_000,
  1_234_567,
  10_000_000,
  123_456_789,
  1_000_000_000,
  Number.MAX_SAFE_INTEGER,
  -1,
  -999,
  -1000,
  -1_234_567,
  Number.MIN_SAFE_INTEGER,
];

describe('countFormatter', () => {
  for (const locale of ['en', 'en-US', 'en-GB', 'en-CA', 'en-AU', 'en-NZ', 'en-IE']) {
    it(`writes integers in ${locale} exactly as Intl does, without building a formatter`, () => {
      const intl = new Intl.NumberFormat(locale);
      let built = 0;
      const format = countFormatter(locale, () => {
        built++;
        return intl;
      });
      for (const n of NUMBERS) expect(format(n), String(n)).toBe(intl.format(n));
      expect(built).toBe(0);
    });
  }

  it('leaves other numbers of an English locale to Intl', () => {
    const intl = new Intl.NumberFormat('en-US');
    const format = countFormatter('en-US', () => intl);
    for (const n of [1.5, -2.25, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(format(n)).toBe(intl.format(n));
    }
  });

  it('leaves every other locale to Intl: its digits, separators and grouping are its own', () => {
    // de: dots; fr: narrow no-break spaces; es: no separator in a four-digit number; en-IN:
    // lakh grouping; ar-EG and hi-IN-u-nu-deva: other digits; en-ZA: spaces.
    for (const locale of [
      'de-DE',
      'fr-FR',
      'es-ES',
      'en-IN',
      'en-ZA',
      'ar-EG',
      'hi-IN-u-nu-deva',
    ]) {
      const intl = new Intl.NumberFormat(locale);
      let built = 0;
      const format = countFormatter(locale, () => {
        built++;
        return intl;
      });
      for (const n of NUMBERS) expect(format(n), `${locale} ${n}`).toBe(intl.format(n));
      expect(built, locale).toBeGreaterThan(0);
    }
  });
});
