import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { canonicalTimezone, searchTimezones } from '../../../shared/timezone';
import { localTimeIn } from '../../lib/format';
import { useNow } from '../../lib/use-debounced';

/** Current IANA name of `tz` (an old name mapped), or null: the same table the server reads. */
export const canonicalZone = canonicalTimezone;

interface TimezoneFieldProps {
  value: string;
  onChange(value: string): void;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  disabled?: boolean;
}

/**
 * UI-4 / LOC-1: a combobox over every current IANA zone (the generated tzdata table, not the
 * browser's ICU list, which still says Europe/Kiev), filtered as you type by the current name or
 * an old one ("Calcutta" offers Asia/Kolkata), with the wall clock there right now.
 */
export function TimezoneField({ value, onChange, disabled, ...aria }: TimezoneFieldProps) {
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  // Opened from the keyboard the list offers every zone; typing filters it.
  const [typed, setTyped] = useState(false);
  const listRef = useRef<HTMLUListElement>(null);
  const matches = useMemo(() => searchTimezones(typed ? value : ''), [typed, value]);
  const now = useNow(15_000);
  const zone = value.trim() === '' ? 'UTC' : canonicalTimezone(value);
  const clock = zone ? localTimeIn(zone, now) : null;
  const optionId = (i: number) => `${listId}-${i}`;

  useEffect(() => {
    if (!open || active < 0) return;
    listRef.current
      ?.querySelector(`[data-index="${active}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [open, active]);

  const pick = (z: string) => {
    onChange(z);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) {
        // Every zone, the current one highlighted.
        const all = searchTimezones('');
        const current = all.findIndex((m) => m.zone === canonicalTimezone(value));
        setTyped(false);
        setOpen(true);
        setActive(current >= 0 ? current : e.key === 'ArrowDown' ? 0 : all.length - 1);
        return;
      }
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => Math.min(matches.length - 1, Math.max(0, i + step)));
    } else if (e.key === 'Enter' && open) {
      // Enter picks the highlighted zone; without one it leaves the form to submit.
      const m = matches[active];
      if (m) {
        e.preventDefault();
        pick(m.zone);
      }
    } else if (e.key === 'Escape' && open) {
      // Closes the list only; a second Escape reaches whatever holds the form.
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      setActive(-1);
    }
  };

  return (
    <div className="timezone-field">
      <input
        {...aria}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && active >= 0 ? optionId(active) : undefined}
        placeholder="UTC"
        autoComplete="off"
        spellCheck={false}
        value={value}
        disabled={disabled}
        onChange={(e) => {
          onChange(e.target.value);
          setTyped(true);
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul
        ref={listRef}
        id={listId}
        role="listbox"
        aria-label="Zones"
        className="timezone-list"
        hidden={!open}
      >
        {open
          ? matches.map((m, i) => (
              <li
                key={m.zone}
                id={optionId(i)}
                data-index={i}
                role="option"
                aria-selected={i === active}
                aria-label={m.alias ? `${m.zone}, formerly ${m.alias}` : m.zone}
                className={i === active ? 'timezone-option active' : 'timezone-option'}
                // Keeps the focus in the input, so its blur does not close the list first.
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => pick(m.zone)}
              >
                {m.zone}
                {m.alias ? <span className="timezone-alias"> formerly {m.alias}</span> : null}
              </li>
            ))
          : null}
        {open && matches.length === 0 ? (
          <li role="option" aria-disabled="true" aria-selected={false} className="timezone-none">
            No time zone matches “{value}”
          </li>
        ) : null}
      </ul>
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
