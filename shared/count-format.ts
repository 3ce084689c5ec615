// How the console writes a count (pure, shared so the Node tests can hold it against Intl).

/**
 * Locales whose integers are grouped by threes with a comma and written with ASCII digits and
 * hyphen-minus: there a count is grouped by hand, character for character what Intl prints
 * (tests/count-format.test.ts holds it against Intl itself). Console load: a window's first Intl
 * formatter loads ICU's locale data, profiled at 80–140 ms of the main thread per load on a busy
 * machine (the largest single cost after React's own), and counts are all the first screen
 * formats (renderer/lib/format.ts). Every other locale, and any number that is not a safe
 * integer, goes to Intl.
 */
export const COMMA_THREES = /^en(?:-(?:US|GB|CA|AU|NZ|IE))?$/;

/** `n` with a comma between each group of three digits, as `en-US` prints an integer. */
function groupedByThrees(n: number): string {
  const digits = String(Math.abs(n));
  const head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (let i = head; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 || Object.is(n, -0) ? `-${out}` : out;
}

/** How counts are written in `locale`: by hand where that is exactly Intl's output, else Intl. */
export function countFormatter(locale: string, intl: () => Intl.NumberFormat) {
  const byHand = COMMA_THREES.test(locale);
  return (n: number): string =>
    byHand && Number.isSafeInteger(n) ? groupedByThrees(n) : intl().format(n);
}
