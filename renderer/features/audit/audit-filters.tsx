import { useId, type ReactNode } from 'react';

export interface AuditFilterDraft {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  /** datetime-local values (the user's local time), empty when open-ended. */
  from: string;
  to: string;
}

export const EMPTY_FILTER: AuditFilterDraft = {
  actor: '',
  action: '',
  targetType: '',
  targetId: '',
  from: '',
  to: '',
};

/** Prefixes of the actions the services record (AUD-1), offered while typing. */
const ACTION_PREFIXES = [
  'organization.',
  'organization.secret.',
  'location.',
  'host.',
  'support_access.',
  'user.',
  'token.',
  'auth.',
  'recording.',
  'recordings.',
  'workflow.',
  'incident.',
  'export.',
  'account.',
];

const TARGET_TYPES = [
  'organization',
  'location',
  'host',
  'support_grant',
  'support_request',
  'user',
  'api_token',
  'recording',
  'workflow',
  'workflow_run',
  'incident',
  'alert_rule',
  'compliance_baseline',
  'feature_flag',
  'account',
];

/** "2026-01-31T12:00" (local) as an ISO instant, or null when empty or not a time. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** AUD-2 filters: actor, action, target, time range. Errors come from the server's field. */
export function AuditFilters({
  draft,
  onChange,
  errors,
}: {
  draft: AuditFilterDraft;
  onChange(next: AuditFilterDraft): void;
  errors: Partial<Record<keyof AuditFilterDraft, string | null>>;
}) {
  const id = useId();
  const set = (patch: Partial<AuditFilterDraft>) => onChange({ ...draft, ...patch });
  const field = (
    key: keyof AuditFilterDraft,
    label: string,
    input: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode,
    grow = false,
  ) => {
    const error = errors[key];
    return (
      <div className={`toolbar-field${grow ? ' toolbar-grow' : ''}`}>
        <label className="toolbar-label" htmlFor={`${id}-${key}`}>
          {label}
        </label>
        {input({
          id: `${id}-${key}`,
          'aria-invalid': error ? true : undefined,
          'aria-describedby': error ? `${id}-${key}-error` : undefined,
        })}
        {error ? (
          <div id={`${id}-${key}-error`} className="field-error" role="alert">
            {error}
          </div>
        ) : null}
      </div>
    );
  };
  return (
    <div className="toolbar audit-filters" role="search" aria-label="Filter the audit trail">
      {field('actor', 'Actor', (p) => (
        <input
          {...p}
          type="search"
          placeholder="Email or part of it"
          value={draft.actor}
          onChange={(e) => set({ actor: e.target.value })}
        />
      ))}
      {field('action', 'Action', (p) => (
        <>
          <input
            {...p}
            type="search"
            list={`${id}-actions`}
            placeholder="e.g. host.moved"
            value={draft.action}
            onChange={(e) => set({ action: e.target.value })}
          />
          <datalist id={`${id}-actions`}>
            {ACTION_PREFIXES.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </>
      ))}
      {field('targetType', 'Target type', (p) => (
        <select
          {...p}
          value={draft.targetType}
          onChange={(e) => set({ targetType: e.target.value })}
        >
          <option value="">Any target</option>
          {TARGET_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      ))}
      {field('targetId', 'Target id', (p) => (
        <input
          {...p}
          type="search"
          inputMode="numeric"
          className="input-narrow"
          value={draft.targetId}
          onChange={(e) => set({ targetId: e.target.value })}
        />
      ))}
      {field('from', 'From', (p) => (
        <input
          {...p}
          type="datetime-local"
          value={draft.from}
          onChange={(e) => set({ from: e.target.value })}
        />
      ))}
      {field('to', 'Until', (p) => (
        <input
          {...p}
          type="datetime-local"
          value={draft.to}
          onChange={(e) => set({ to: e.target.value })}
        />
      ))}
    </div>
  );
}
