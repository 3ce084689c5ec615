import { useId, useMemo } from 'react';
import { localTimeIn } from '../../lib/format';
import { useNow } from '../../lib/use-debounced';

function allZones(): string[] {
  const zones =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

/** Canonical IANA name of `tz`, or null: the same check the server makes. */
export function canonicalZone(tz: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

interface TimezoneFieldProps {
  value: string;
  onChange(value: string): void;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  disabled?: boolean;
}

/** UI-4: IANA zone picker (type to filter the list) with the wall clock there right now. */
export function TimezoneField({ value, onChange, disabled, ...aria }: TimezoneFieldProps) {
  const listId = useId();
  const zones = useMemo(allZones, []);
  const now = useNow(15_000);
  const zone = value.trim() === '' ? 'UTC' : canonicalZone(value.trim());
  const clock = zone ? localTimeIn(zone, now) : null;
  return (
    <div className="timezone-field">
      <input
        {...aria}
        type="text"
        list={listId}
        placeholder="UTC"
        autoComplete="off"
        spellCheck={false}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId}>
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <span className="timezone-clock" aria-live="off">
        {clock ? (
          <>
            Local time there: <strong>{clock}</strong>
          </>
        ) : (
          <span className="muted">Unknown time zone</span>
        )}
      </span>
    </div>
  );
}
