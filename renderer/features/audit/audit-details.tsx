/** An entry's redacted details: a one-line summary that opens to the full JSON. */
export function AuditDetails({ details }: { details: Record<string, unknown> }) {
  const keys = Object.keys(details);
  if (keys.length === 0) return <span className="muted">—</span>;
  const summary = keys
    .slice(0, 3)
    .map((k) => `${k}: ${short(details[k])}`)
    .join(', ');
  return (
    <details className="audit-details">
      <summary>
        <span className="audit-summary">
          {summary}
          {keys.length > 3 ? ` +${keys.length - 3}` : ''}
        </span>
      </summary>
      <pre>{JSON.stringify(details, null, 2)}</pre>
    </details>
  );
}

function short(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text === undefined ? 'undefined' : text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
