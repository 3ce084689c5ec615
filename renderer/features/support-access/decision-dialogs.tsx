import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { MAX_REASON_LENGTH } from '../../../shared/constants';
import type { SupportRequest } from '../../../shared/schemas/support-access.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { useTRPC } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';
import { formatHours } from './durations';
import { useRefreshSupport } from './use-refresh';

const who = (r: SupportRequest): string => r.engineer_email ?? `engineer #${r.engineer_user_id}`;

/** SUP-4: approval gives that engineer view-only access for the requested time, from now. */
export function ApproveDialog({
  request,
  onClose,
}: {
  request: SupportRequest | null;
  onClose(): void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshSupport();
  const approve = useMutation(
    trpc.supportAccess.approve.mutationOptions({
      onSuccess: (d) => {
        void refresh();
        toast.success(
          `Approved: ${who(d.request)} has view-only access for ${formatHours(d.request.duration_hours)}.`,
        );
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog
      open={request !== null}
      title="Approve this support request?"
      confirmLabel="Approve"
      busy={approve.isPending}
      error={approve.error ? errorMessage(approve.error) : null}
      onClose={() => {
        approve.reset();
        onClose();
      }}
      onConfirm={() => request && approve.mutate({ id: request.id })}
    >
      {request ? (
        <>
          <p>
            <strong>{who(request)}</strong> gets view-only access to every organization of this
            account for <strong>{formatHours(request.duration_hours)}</strong>, counted from now.
          </p>
          <p className="muted">Their reason: {request.reason}</p>
        </>
      ) : null}
    </ConfirmDialog>
  );
}

export function DenyDialog({
  request,
  onClose,
}: {
  request: SupportRequest | null;
  onClose(): void;
}) {
  return (
    <Dialog
      open={request !== null}
      onClose={onClose}
      title="Deny this support request?"
      size="small"
    >
      {request ? <DenyForm request={request} onClose={onClose} /> : null}
    </Dialog>
  );
}

function DenyForm({ request, onClose }: { request: SupportRequest; onClose(): void }) {
  const trpc = useTRPC();
  const refresh = useRefreshSupport();
  const [reason, setReason] = useState('');
  const deny = useMutation(
    trpc.supportAccess.deny.mutationOptions({
      onSuccess: (d) => {
        void refresh();
        toast.success(`Denied the request of ${who(d.request)}.`);
        onClose();
      },
    }),
  );
  const reasonError = fieldError(deny.error, 'reason');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        deny.mutate({ id: request.id, reason: reason.trim() || null });
      }}
    >
      <div className="confirm-body">
        <p>
          <strong>{who(request)}</strong> asked for {formatHours(request.duration_hours)}:{' '}
          {request.reason}
        </p>
      </div>
      <Field
        label="Reason"
        aside="optional"
        error={reasonError}
        hint="The engineer sees it with the decision."
      >
        <textarea
          rows={2}
          maxLength={MAX_REASON_LENGTH}
          value={reason}
          data-autofocus
          onChange={(e) => setReason(e.target.value)}
        />
      </Field>
      <FormError error={deny.error && !reasonError ? errorMessage(deny.error) : null} />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-danger"
          disabled={deny.isPending}
          aria-busy={deny.isPending || undefined}
        >
          {deny.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Deny request
        </button>
      </div>
    </form>
  );
}
