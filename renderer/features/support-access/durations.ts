import { MAX_DURATION_HOURS, MIN_DURATION_HOURS } from '../../../shared/constants';
// SUP-1/SUP-4: the durations offered for a grant, within the range the server accepts (one
// outside it is never offered). DEFAULT_DURATION_HOURS is preselected.
export const DURATION_CHOICES: readonly { hours: number; label: string }[] = [
  { hours: 1, label: '1 hour' },
  { hours: 4, label: '4 hours' },
  { hours: 8, label: '8 hours' },
  { hours: 24, label: '24 hours' },
  { hours: 48, label: '2 days' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '7 days' },
].filter((c) => c.hours >= MIN_DURATION_HOURS && c.hours <= MAX_DURATION_HOURS);

/** "4 hours", "3 days", "30 hours". */
export function formatHours(hours: number): string {
  const choice = DURATION_CHOICES.find((c) => c.hours === hours);
  if (choice) return choice.label;
  if (hours % 24 === 0) return `${hours / 24} days`;
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "23:59:58", or "6 d 23:59:58" beyond a day; never negative. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const clock = `${pad(h)}:${pad(m)}:${pad(s)}`;
  return days > 0 ? `${days} d ${clock}` : clock;
}
