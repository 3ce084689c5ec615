import { COMMA_THREES, countFormatter } from '../../shared/count-format';
import type { AutomationLevel, RecordingPolicy } from '../../shared/schemas/organizations.schema';

/**
 * An Intl formatter built on its first use, then kept. Building one is not free (its locale data;
 * a window's very first one loads ICU itself, 15–130 ms on a busy machine), and a module's
 * formatters are mostly for views and columns not on screen: built at import, the first screen
 * paid for every one of them.
 */
export function lazyFormat<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

const number = lazyFormat(() => new Intl.NumberFormat());

// The window's locale is Intl's default: in Chromium (and Electron) both are the browser's UI
// language, the one navigator.language names.
const count = lazyFormat(() =>
  countFormatter(typeof navigator === 'undefined' ? '' : navigator.language, number),
);

export const formatCount = (n: number): string => count()(n);

/**
 * Console load: where counts need Intl (another locale), the entry builds the number format, and
 * with it ICU, in a task of its own while the console's code is still compiling on another
 * thread, instead of inside the first render. Where they do not, nothing is built.
 */
export const warmFormats = (): void => {
  if (typeof navigator !== 'undefined' && COMMA_THREES.test(navigator.language)) return;
  void number();
};

export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

export function formatDateTime(isoText: string | null | undefined): string {
  if (!isoText) return '—';
  return new Date(isoText).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

/** "Tue 14:05 (GMT+2)": the wall clock in an IANA zone right now. */
export function localTimeIn(timeZone: string, now: Date): string | null {
  try {
    return new Intl.DateTimeFormat(undefined, {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'shortOffset',
    }).format(now);
  } catch {
    return null;
  }
}

export const AUTOMATION_LABELS: Record<AutomationLevel, string> = {
  manual: 'Manual',
  semi_auto: 'Semi-automatic',
  full_auto: 'Fully automatic',
};

/** AUT-1, in the words of the automation seed. */
export const AUTOMATION_EXPLANATIONS: Record<AutomationLevel, string> = {
  manual: 'Every action needs approval; nothing runs by itself.',
  semi_auto: 'Security and critical patches are approved automatically; runbooks need approval.',
  full_auto: 'Everything is approved and deployed automatically.',
};

export const RECORDING_LABELS: Record<RecordingPolicy, string> = {
  off: 'Off — nothing is recorded',
  metadata: 'Metadata only — who, when, which host',
  full: 'Full — terminal and remote-desktop sessions are recorded',
};
