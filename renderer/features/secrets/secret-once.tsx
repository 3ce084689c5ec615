import { useId } from 'react';
import { copySecret } from '../../lib/clipboard';
import { errorMessage } from '../../lib/errors';
import { toast } from '../../stores/toast-store';

/** A freshly made secret, shown once with a copy button; it lives only as long as this does. */
export function SecretOnce({
  secret,
  label,
  note,
}: {
  secret: string;
  label: string;
  note: string;
}) {
  const id = useId();
  return (
    <div className="secret-once" role="group" aria-labelledby={`${id}-label`}>
      <div className="secret-once-label" id={`${id}-label`}>
        {label}
      </div>
      <div className="secret-row">
        <code className="secret-value" data-testid="secret-once">
          {secret}
        </code>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => copySecret(secret).catch((e: unknown) => toast.error(errorMessage(e)))}
        >
          Copy
        </button>
      </div>
      <p className="field-hint">{note}</p>
    </div>
  );
}
