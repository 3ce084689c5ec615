import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { CleanupReport } from '../../../shared/schemas/governance.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { GuardedButton } from '../../components/guarded-button';
import { errorMessage } from '../../lib/errors';
import { formatCount, formatDateTime, plural } from '../../lib/format';
import { useInvalidate } from '../../lib/use-invalidate';
import { useTRPC } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import { toast } from '../../stores/toast-store';
import { denyReason } from '../../lib/permissions';

/** GOV-3 on demand: the account's retention cleanup now, and what it removed per org. */
export function CleanupPanel() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const { me, accountPermissions } = useShell();
  const headingId = useId();
  const [confirming, setConfirming] = useState(false);
  const [report, setReport] = useState<CleanupReport | null>(null);
  const cleanup = useMutation(
    trpc.governance.runCleanup.mutationOptions({
      onSuccess: (r) => {
        setReport(r);
        setConfirming(false);
        void invalidate('governance');
        toast.success(`Retention cleanup removed ${plural(r.total_deleted, 'recording')}.`);
      },
    }),
  );
  const reason = denyReason(me, accountPermissions, 'governance.manage');
  // Orgs where something happened; the rest had nothing older than their retention.
  const notable = report?.organizations.filter((o) => o.deleted > 0 || o.skipped) ?? [];

  return (
    <section className="panel" aria-labelledby={headingId}>
      <header className="panel-header">
        <div className="section-header">
          <h2 id={headingId}>Retention cleanup</h2>
          <div className="section-description">
            Runs on a schedule. Deletes recordings older than each organization&apos;s retention,
            never any of an organization under legal hold.
          </div>
        </div>
        <GuardedButton
          disabledReason={reason}
          busy={cleanup.isPending}
          onClick={() => {
            cleanup.reset();
            setConfirming(true);
          }}
        >
          Run retention cleanup now
        </GuardedButton>
      </header>
      <div role="status" aria-live="polite" data-testid="cleanup-report">
        {report ? (
          <>
            <p>
              Ran {formatDateTime(report.ran_at)}:{' '}
              <strong>{plural(report.total_deleted, 'recording')} deleted</strong> across{' '}
              {plural(report.organizations.length, 'organization')}.
            </p>
            {notable.length > 0 ? (
              <div className="table-wrap">
                <table className="data-table" aria-label="Cleanup by organization">
                  <thead>
                    <tr>
                      <th scope="col">Organization</th>
                      <th scope="col" className="numeric">
                        Retention
                      </th>
                      <th scope="col">Older than</th>
                      <th scope="col" className="numeric">
                        Deleted
                      </th>
                      <th scope="col">Note</th>
                    </tr>
                  </thead>
                  <tbody>
                    {notable.map((o) => (
                      <tr key={o.organization_id}>
                        <td>{o.name}</td>
                        <td className="numeric">{formatCount(o.effective_retention_days)} d</td>
                        <td>{formatDateTime(o.cutoff)}</td>
                        <td className="numeric">{formatCount(o.deleted)}</td>
                        <td>
                          {o.skipped === 'legal_hold' ? (
                            <span className="tag tag-warning">Legal hold: kept</span>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p className="muted">No organization had recordings older than its retention.</p>
            )}
          </>
        ) : null}
      </div>
      <ConfirmDialog
        open={confirming}
        title="Run the retention cleanup now?"
        confirmLabel="Run cleanup"
        tone="danger"
        busy={cleanup.isPending}
        error={cleanup.error ? errorMessage(cleanup.error) : null}
        onClose={() => setConfirming(false)}
        onConfirm={() => cleanup.mutate()}
      >
        <p>
          Every recording older than its organization&apos;s retention is deleted now, in every
          organization of the account except those under legal hold. Deleted recordings cannot be
          restored.
        </p>
      </ConfirmDialog>
    </section>
  );
}
