import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { MAX_REASON_LENGTH } from '../../../shared/constants';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { AccountTarget } from '../../components/org-badge';
import { errorMessage, fieldError } from '../../lib/errors';
import { useTRPC } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';
import { useRefreshSupport } from './use-refresh';

/** SUP-3: ends every support grant and cancels every pending request; the reason is required. */
export function EmergencyDisableDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Emergency disable support access?" size="small">
      <EmergencyForm onClose={onClose} />
    </Dialog>
  );
}

function EmergencyForm({ onClose }: { onClose(): void }) {
  const trpc = useTRPC();
  const refresh = useRefreshSupport();
  const [reason, setReason] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const emergency = useMutation(
    trpc.supportAccess.emergencyDisable.mutationOptions({
      onSuccess: (r) => {
        void refresh();
        toast.success(r.message);
        onClose();
      },
    }),
  );
  const reasonError = localError ?? fieldError(emergency.error, 'reason');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) {
          setLocalError('Give the reason: say why every support grant is being ended.');
          return;
        }
        emergency.mutate({ reason: reason.trim() });
      }}
    >
      <AccountTarget detail="Every organization of this account" />
      <div className="confirm-body">
        <p>
          <strong>Every support grant of this account ends now</strong>: the access your account
          enabled and every approved engineer request. Every pending request is cancelled. The
          reason is recorded in the audit trail.
        </p>
      </div>
      <Field label="Reason" error={reasonError}>
        <textarea
          rows={3}
          maxLength={MAX_REASON_LENGTH}
          aria-required="true"
          value={reason}
          data-autofocus
          onChange={(e) => {
            setLocalError(null);
            setReason(e.target.value);
          }}
        />
      </Field>
      <FormError error={emergency.error && !reasonError ? errorMessage(emergency.error) : null} />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-danger"
          disabled={emergency.isPending}
          aria-busy={emergency.isPending || undefined}
        >
          {emergency.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          End all support access
        </button>
      </div>
    </form>
  );
}
