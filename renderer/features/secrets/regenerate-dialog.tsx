import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { MAX_GRACE_HOURS } from '../../../shared/constants';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { OrgTarget } from '../../components/org-badge';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useTRPC, type OrgDetail, type RouterOutputs } from '../../lib/trpc';
import { SecretOnce } from './secret-once';

// Only what the server accepts is offered; the longest allowed says so.
const GRACE_CHOICES = [
  { hours: 0, label: 'No grace period', hint: 'the old secret stops working now' },
  { hours: 1, label: '1 hour', hint: '' },
  { hours: 24, label: '24 hours', hint: '' },
  { hours: 168, label: '7 days', hint: '' },
]
  .filter((c) => c.hours <= MAX_GRACE_HOURS)
  .map((c) => (c.hours === MAX_GRACE_HOURS ? { ...c, hint: 'the longest allowed' } : c));

type Regenerated = RouterOutputs['organizations']['regenerateSecret'];

/** SEC-3: typed confirmation, the consequence in words, and a grace period for rollover. */
export function RegenerateSecretDialog({
  org,
  open,
  onClose,
  onRegenerated,
}: {
  org: OrgDetail;
  open: boolean;
  onClose(): void;
  onRegenerated(): void;
}) {
  const [result, setResult] = useState<Regenerated | null>(null);
  const close = () => {
    setResult(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title={result ? 'New secret generated' : 'Regenerate the organization secret'}
    >
      {result ? (
        <div>
          <SecretOnce
            secret={result.secret}
            label={`New secret of ${org.name}`}
            note="Shown only this once here. Update your installers and legacy agents with it."
          />
          <div className="callout callout-info">
            {result.previous_secret_valid_until
              ? `The previous secret is still accepted until ${formatDateTime(result.previous_secret_valid_until)}.`
              : 'The previous secret is no longer accepted.'}
          </div>
          <div className="form-actions">
            <button type="button" className="button button-primary" data-autofocus onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <RegenerateForm
          org={org}
          onCancel={close}
          onDone={(r) => {
            onRegenerated();
            setResult(r);
          }}
        />
      )}
    </Dialog>
  );
}

function RegenerateForm({
  org,
  onCancel,
  onDone,
}: {
  org: OrgDetail;
  onCancel(): void;
  onDone(r: Regenerated): void;
}) {
  const trpc = useTRPC();
  const [grace, setGrace] = useState<number>(0);
  const [typed, setTyped] = useState('');
  const regenerate = useMutation(
    trpc.organizations.regenerateSecret.mutationOptions({ onSuccess: onDone }),
  );
  const matches = typed.trim() === org.name;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (matches) regenerate.mutate({ id: org.id, grace_period_hours: grace, confirm: true });
      }}
    >
      <OrgTarget org={org} />
      <div className="callout callout-danger" id="regenerate-warning">
        <strong>New registrations and legacy agents need the new secret.</strong> Already registered
        Go agents keep working: they authenticate with their own Ed25519 key.
      </div>
      <fieldset className="radio-group">
        <legend>Keep accepting the previous secret for</legend>
        {GRACE_CHOICES.map((c) => (
          <label key={c.hours} className="radio">
            <input
              type="radio"
              name="grace"
              value={c.hours}
              checked={grace === c.hours}
              onChange={() => setGrace(c.hours)}
            />
            <span>
              {c.label}
              {c.hint ? <span className="muted"> — {c.hint}</span> : null}
            </span>
          </label>
        ))}
      </fieldset>
      <Field label={`Type "${org.name}" to confirm`}>
        <input
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={typed}
          data-autofocus
          onChange={(e) => setTyped(e.target.value)}
        />
      </Field>
      <FormError error={regenerate.error ? errorMessage(regenerate.error) : null} />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-danger"
          disabled={!matches || regenerate.isPending}
          aria-busy={regenerate.isPending || undefined}
        >
          {regenerate.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Regenerate secret
        </button>
      </div>
    </form>
  );
}
