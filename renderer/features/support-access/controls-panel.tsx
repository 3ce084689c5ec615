import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { DEFAULT_DURATION_HOURS } from '../../../shared/constants';
import type { SupportStatus } from '../../../shared/schemas/support-access.schema';
import { FormError } from '../../components/field';
import { GuardedButton } from '../../components/guarded-button';
import { errorMessage, fieldError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';
import { DurationField } from './duration-field';
import { EmergencyDisableDialog } from './emergency-dialog';
import { useRefreshSupport } from './use-refresh';

/** SUP-1 enable (or extend) for a duration, SUP-3 disable and emergency disable. */
export function ControlsPanel({
  status,
  reason,
}: {
  status: SupportStatus | undefined;
  /** Why this caller cannot change support access; every control is disabled with it. */
  reason: string | null;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshSupport();
  const headingId = useId();
  const [hours, setHours] = useState(DEFAULT_DURATION_HOURS);
  const [emergencyOpen, setEmergencyOpen] = useState(false);
  const customerActive = status?.grants.some((g) => g.kind === 'customer') ?? false;

  const enable = useMutation(
    trpc.supportAccess.enable.mutationOptions({
      onSuccess: (r) => {
        void refresh();
        // The server's message has machine times; say the same in the user's own.
        const until = formatDateTime(r.grant.expires_at);
        toast.success(
          r.extended
            ? `Support access extended until ${until}.`
            : r.previous_expires_at
              ? `Support access is already on until ${until}, later than asked; nothing changed.`
              : `Support access enabled until ${until}.`,
        );
      },
    }),
  );
  const disable = useMutation(
    trpc.supportAccess.disable.mutationOptions({
      onSuccess: (r) => {
        void refresh();
        toast.success(r.message);
      },
    }),
  );
  const durationError = fieldError(enable.error, 'duration_hours');
  const loading = status === undefined ? 'Loading the current status…' : null;

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Change access</h2>
      <form
        className="enable-form"
        onSubmit={(e) => {
          e.preventDefault();
          disable.reset();
          enable.mutate({ duration_hours: hours });
        }}
      >
        <fieldset className="bare-fieldset" disabled={Boolean(reason)}>
          <legend className="visually-hidden">Enable support access</legend>
          <DurationField
            value={hours}
            onChange={setHours}
            error={durationError}
            hint={
              customerActive
                ? 'Already on: enabling again moves the end later, never earlier.'
                : 'View-only access for the whole support team; it ends by itself.'
            }
          />
        </fieldset>
        <GuardedButton
          type="submit"
          variant="primary"
          disabledReason={reason ?? loading}
          busy={enable.isPending}
        >
          {customerActive ? 'Extend support access' : 'Enable support access'}
        </GuardedButton>
      </form>
      <FormError error={enable.error && !durationError ? errorMessage(enable.error) : null} />
      <div className="danger-row">
        <div>
          <div className="danger-title">End support access</div>
          <div className="field-hint">
            Ends the access your account enabled. Approved engineer requests keep running.
          </div>
        </div>
        <GuardedButton
          disabledReason={
            reason ??
            loading ??
            (customerActive ? null : 'Support access enabled by your account is not on.')
          }
          busy={disable.isPending}
          onClick={() => {
            enable.reset();
            disable.mutate({});
          }}
        >
          Disable
        </GuardedButton>
      </div>
      <FormError error={disable.error ? errorMessage(disable.error) : null} />
      <div className="danger-row">
        <div>
          <div className="danger-title">Emergency disable</div>
          <div className="field-hint">
            Ends every support grant at once and cancels every pending request. Asks for a reason.
          </div>
        </div>
        <GuardedButton
          variant="danger"
          disabledReason={reason}
          onClick={() => setEmergencyOpen(true)}
        >
          Emergency disable…
        </GuardedButton>
      </div>
      <EmergencyDisableDialog open={emergencyOpen} onClose={() => setEmergencyOpen(false)} />
    </section>
  );
}
