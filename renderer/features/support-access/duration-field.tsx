import { Field } from '../../components/field';
import { DURATION_CHOICES } from './durations';

/** SUP-1/SUP-4 duration, 1 hour to 7 days. */
export function DurationField({
  label = 'Duration',
  value,
  onChange,
  error,
  hint,
}: {
  label?: string;
  value: number;
  onChange(hours: number): void;
  error?: string | null;
  hint?: string;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      <select value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {DURATION_CHOICES.map((c) => (
          <option key={c.hours} value={c.hours}>
            {c.label}
          </option>
        ))}
      </select>
    </Field>
  );
}
