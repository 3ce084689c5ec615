import { useEffect, useRef, useState } from 'react';
import { formatRemaining } from './durations';

/** setTimeout takes at most 2^31-1 ms; a longer wait is re-armed by the next render anyway. */
const MAX_TIMER_MS = 2_147_483_647;
/** Refetch a moment after the end, so the server (whose clock decides) agrees it has passed. */
const EXPIRY_GRACE_MS = 500;

/**
 * A live "time left" until `until`. Only this element re-renders each second: the query behind
 * it is not refetched by the ticking, only once, when the time is up (`onExpire`).
 */
export function Countdown({ until, onExpire }: { until: string; onExpire?(): void }) {
  const end = Date.parse(until);
  const [now, setNow] = useState(() => Date.now());
  const onExpireRef = useRef(onExpire);
  onExpireRef.current = onExpire;

  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [end]);

  useEffect(() => {
    const wait = Math.min(Math.max(0, end - Date.now()) + EXPIRY_GRACE_MS, MAX_TIMER_MS);
    const t = setTimeout(() => onExpireRef.current?.(), wait);
    return () => clearTimeout(t);
  }, [end]);

  // role="timer" is not a live region: screen readers read it when visited, not every second.
  return (
    <span className="countdown" role="timer" data-testid="countdown">
      {formatRemaining(end - now)}
    </span>
  );
}
