import { useState } from 'react';
import { Field } from '../../components/field';
import { GuardedButton } from '../../components/guarded-button';
import { ViewRoot } from '../../components/view-root';
import { openExport, restoreExport } from './desktop-actions';
import { useDesktopSession } from './desktop-root';
import { useDesktopJobs } from './jobs-store';

/** EXP-1..3 as a screen; the same actions are in the application menu. */
export function ExportsView() {
  const session = useDesktopSession();
  const running = useDesktopJobs((s) => s.running);
  const setExportDialog = useDesktopJobs((s) => s.setExportDialog);
  const [restoreOrg, setRestoreOrg] = useState('');
  // In a review, GuardedButton itself gives the read-only reason.
  const localOnly =
    session.data?.mode === 'remote'
      ? 'Works on this computer\'s database: switch this window to "This computer" first.'
      : null;
  const busy = running !== null ? 'Another export or restore is running.' : null;
  const orgId = restoreOrg.trim() === '' ? undefined : Number(restoreOrg);

  return (
    <ViewRoot view="exports" title="Export and review" ready={session.isSuccess}>
      <section className="panel" aria-labelledby="export-heading">
        <h2 id="export-heading">Export</h2>
        <p>
          An organization or the whole account to one SQLite file, with a manifest (source, time,
          who, counts, checksum) and without secrets, password hashes or stored credentials.
        </p>
        <GuardedButton
          variant="primary"
          disabledReason={localOnly ?? busy}
          busy={running === 'export'}
          onClick={() => setExportDialog(true)}
        >
          Export…
        </GuardedButton>
      </section>
      <section className="panel" aria-labelledby="review-heading">
        <h2 id="review-heading">Open an export</h2>
        <p>
          Browse an export with the same views, read-only and offline; every change is disabled.
        </p>
        <GuardedButton
          mutates={false}
          disabledReason={busy}
          busy={running === 'open-export'}
          onClick={() => void openExport()}
        >
          Open export…
        </GuardedButton>
      </section>
      <section className="panel" aria-labelledby="restore-heading">
        <h2 id="restore-heading">Restore</h2>
        <p>
          Restores an organization from an export into this computer&apos;s database, with a new
          secret (agents must be given it).
        </p>
        <Field
          label="Organization id in the export"
          aside="only if it holds several"
          hint="Leave empty for an export of one organization."
        >
          <input
            inputMode="numeric"
            value={restoreOrg}
            onChange={(e) => setRestoreOrg(e.target.value.replace(/\D/g, ''))}
          />
        </Field>
        <GuardedButton
          disabledReason={localOnly ?? busy}
          busy={running === 'restore'}
          onClick={() => void restoreExport(orgId === undefined ? {} : { organization_id: orgId })}
        >
          Restore from export…
        </GuardedButton>
      </section>
    </ViewRoot>
  );
}
