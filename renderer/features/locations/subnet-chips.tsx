import { parseCidr } from '../../../shared/cidr';

export type ParsedEntry =
  { ok: true; cidr: string } | { ok: false; error: string; suggestion?: string };

/** Client-side LOC-2 check of one entry; the server checks again and has the last word. */
export function checkSubnet(text: string, existing: readonly string[]): ParsedEntry {
  const parsed = parseCidr(text.trim());
  if (!parsed.ok) return parsed;
  if (existing.includes(parsed.cidr.text)) {
    return { ok: false, error: `${parsed.cidr.text} is already in the list` };
  }
  return { ok: true, cidr: parsed.cidr.text };
}

interface SubnetChipsProps {
  value: string[];
  onChange(next: string[]): void;
  /** What is typed but not yet a chip; the editor adds it on save. */
  text: string;
  onTextChange(text: string): void;
  /** The entry the error concerns (client or server), highlighted among the chips. */
  invalidIndex: number | null;
  onError(error: ParsedEntry | null): void;
  /** Injected by <Field>: the label, error and hint wiring of the text input. */
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  disabled?: boolean;
}

/** UI-4: subnets as chips. Enter, comma or space adds (validated); Backspace on empty removes. */
export function SubnetChips({
  value,
  onChange,
  text,
  onTextChange,
  invalidIndex,
  onError,
  disabled,
  ...aria
}: SubnetChipsProps) {
  const add = (raw: string): boolean => {
    const parts = raw.split(/[\s,;]+/).filter(Boolean);
    if (parts.length === 0) return true;
    const next = [...value];
    for (const part of parts) {
      const entry = checkSubnet(part, next);
      if (!entry.ok) {
        // Keep what could not be added in the input, so it can be corrected in place.
        onChange(next);
        onTextChange(parts.slice(parts.indexOf(part)).join(' '));
        onError(entry);
        return false;
      }
      next.push(entry.cidr);
    }
    onChange(next);
    onTextChange('');
    onError(null);
    return true;
  };

  return (
    <div className={`chips${aria['aria-invalid'] ? ' chips-invalid' : ''}`}>
      {value.length > 0 ? (
        <ul className="chip-list" aria-label="Subnets">
          {value.map((cidr, i) => (
            <li key={cidr} className={`chip${i === invalidIndex ? ' chip-invalid' : ''}`}>
              <span className="chip-text">{cidr}</span>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${cidr}`}
                disabled={disabled}
                onClick={() => {
                  onChange(value.filter((_, j) => j !== i));
                  onError(null);
                }}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        {...aria}
        type="text"
        className="chip-input"
        placeholder={value.length === 0 ? 'e.g. 10.1.0.0/16 or 2001:db8::/48' : 'Add a subnet'}
        autoComplete="off"
        spellCheck={false}
        value={text}
        disabled={disabled}
        onChange={(e) => {
          const v = e.target.value;
          // Typing a separator commits what came before it.
          if (/[\s,;]$/.test(v) && v.trim()) add(v);
          else onTextChange(v);
        }}
        onPaste={(e) => {
          const pasted = e.clipboardData.getData('text');
          if (/[\s,;]/.test(pasted.trim())) {
            e.preventDefault();
            add(`${text}${pasted}`);
          }
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add(text);
          } else if (e.key === 'Backspace' && text === '' && value.length > 0) {
            onChange(value.slice(0, -1));
            onError(null);
          }
        }}
      />
    </div>
  );
}
