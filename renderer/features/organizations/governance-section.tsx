import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import {
  DEFAULT_ACCOUNT_RETENTION_DAYS,
  MAX_REASON_LENGTH,
  MAX_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
  RECORDING_POLICIES,
} from '../../../shared/constants';
import type { RecordingPolicy } from '../../../shared/schemas/organizations.schema';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { RECORDING_LABELS } from '../../lib/format';
import { denyReason } from '../../lib/permissions';
import { useTRPC, type OrgDetail } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { toast } from '../../stores/toast-store';
import { SaveBar, SettingsSection } from './settings-section';
import { useShell } from '../../shell/shell-context';

function parseRetention(
  text: string,
): { ok: true; days: number | null } | { ok: false; error: string } {
  const t = text.trim();
  if (t === '') return { ok: true, days: null };
  if (!/^\d+$/.test(t))
    return { ok: false, error: 'Retention must be a whole number of days, or empty to inherit.' };
  const days = Number(t);
  if (days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS)
    return {
      ok: false,
      error: `Retention must be between ${MIN_RETENTION_DAYS} and ${MAX_RETENTION_DAYS} days.`,
    };
  return { ok: true, days };
}

/** GOV-1..3: recording policy, retention (empty = inherit), legal hold with its reason. */
export function GovernanceSection({ org }: { org: OrgDetail }) {
  const { me } = useShell();
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const reason = denyReason(me, org.permissions, 'governance.manage');
  const settings = useQuery(trpc.governance.settings.queryOptions({ organization_id: org.id }));
  const accountDefault =
    settings.data?.account_default_retention_days ?? DEFAULT_ACCOUNT_RETENTION_DAYS;
  const initial = {
    policy: org.recording_policy,
    retention: org.recording_retention_days === null ? '' : String(org.recording_retention_days),
    hold: org.legal_hold,
    holdReason: org.legal_hold_reason ?? '',
  };
  const [draft, setDraft] = useState(initial);
  const [localError, setLocalError] = useState<{ field: string; message: string } | null>(null);
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: () => {
        void invalidate('organizations', 'governance');
        toast.success('Recording governance saved.');
      },
    }),
  );
  const retention = parseRetention(draft.retention);
  const dirty =
    draft.policy !== initial.policy ||
    draft.retention.trim() !== initial.retention ||
    draft.hold !== initial.hold ||
    draft.holdReason !== initial.holdReason;
  const err = update.error;
  const errorFor = (field: string) =>
    localError?.field === field ? localError.message : fieldError(err, field);
  const errors = {
    policy: errorFor('recording_policy'),
    retention: errorFor('recording_retention_days'),
    holdReason: errorFor('legal_hold_reason'),
  };

  const save = () => {
    if (!retention.ok) {
      setLocalError({ field: 'recording_retention_days', message: retention.error });
      return;
    }
    if (draft.hold && !draft.holdReason.trim()) {
      setLocalError({
        field: 'legal_hold_reason',
        message: 'Give the reason for the legal hold: say why data must be kept.',
      });
      return;
    }
    setLocalError(null);
    update.mutate({
      id: org.id,
      patch: {
        ...(draft.policy !== initial.policy ? { recording_policy: draft.policy } : {}),
        ...(draft.retention.trim() !== initial.retention
          ? { recording_retention_days: retention.days }
          : {}),
        ...(draft.hold !== initial.hold ? { legal_hold: draft.hold } : {}),
        ...(draft.hold && draft.holdReason !== initial.holdReason
          ? { legal_hold_reason: draft.holdReason.trim() }
          : {}),
      },
    });
  };

  return (
    <SettingsSection
      title="Recording governance"
      reason={reason}
      description="What session data is captured, how long it is kept, and whether it must be kept regardless."
      onSubmit={() => dirty && save()}
      footer={
        <>
          <FormError
            error={
              err && !errors.policy && !errors.retention && !errors.holdReason
                ? errorMessage(err)
                : null
            }
          />
          <SaveBar
            label="Recording governance settings"
            dirty={dirty}
            busy={update.isPending}
            disabled={Boolean(reason)}
            onReset={() => {
              setDraft(initial);
              setLocalError(null);
              update.reset();
            }}
          />
        </>
      }
    >
      <div className="form-grid">
        <Field
          label="Recording policy"
          error={errors.policy}
          hint="Terminal and remote-desktop sessions."
        >
          <select
            value={draft.policy}
            onChange={(e) => setDraft({ ...draft, policy: e.target.value as RecordingPolicy })}
          >
            {RECORDING_POLICIES.map((p) => (
              <option key={p} value={p}>
                {RECORDING_LABELS[p]}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Retention (days)"
          error={errors.retention}
          hint={`Empty: inherit the account default (${accountDefault} days).`}
        >
          <input
            type="text"
            inputMode="numeric"
            placeholder={`Inherit (${accountDefault})`}
            value={draft.retention}
            onChange={(e) => {
              setLocalError(null);
              setDraft({ ...draft, retention: e.target.value });
            }}
          />
        </Field>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.hold}
          onChange={(e) => setDraft({ ...draft, hold: e.target.checked })}
        />
        <span>
          Legal hold
          <span className="radio-hint">
            While on, no recording of this organization is deleted, neither by a user nor by the
            retention cleanup.
          </span>
        </span>
      </label>
      {draft.hold ? (
        <Field label="Reason for the legal hold" error={errors.holdReason}>
          <textarea
            rows={2}
            maxLength={MAX_REASON_LENGTH}
            value={draft.holdReason}
            onChange={(e) => {
              setLocalError(null);
              setDraft({ ...draft, holdReason: e.target.value });
            }}
          />
        </Field>
      ) : null}
    </SettingsSection>
  );
}
