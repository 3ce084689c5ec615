import { useState } from 'react';
import { Field } from '../../components/field';
import { GuardedButton } from '../../components/guarded-button';
import { ViewRoot } from '../../components/view-root';
import { openExport, restoreExport } from './desktop-actions';
import { useDesktopSession } from './desktop-root';
import { useDesktopJobs } from './jobs-store';
import { SignersPanel } from './signers-panel';

/** EXP-1..3 as a screen; the same actions are in the application menu. */
export function ExportsView() {
  const session = useDesktopSession();
  const running = useDesktopJobs((s) => s.running);
  const setExportDialog = useDesktopJobs((s) => s.setExportDialog);
  const [restoreOrg, setRestoreOrg] = useState('');
  const [acceptSigner, setAcceptSigner] = useState('');
  // In a review, GuardedButton itself gives the read-only reason.
  const localOnly =
    session.data?.mode === 'remote'
      ? 'Works on this computer\'s database: switch this window to "This computer" first.'
      : null;
  const busy = running !== null ? 'Another export or restore is running.' : null;
  const orgId = restoreOrg.trim() === '' ? undefined : Number(restoreOrg);
  const accept = acceptSigner.trim();

  return (
    <ViewRoot view="exports" title="Export and review" ready={session.isSuccess}>
      <section className="panel" aria-labelledby="export-heading">
        <h2 id="export-heading">Export</h2>
        <p>
          An organization or the whole account to one SQLite file, with a manifest (source, time,
          who, counts, checksum) signed by this installation, and without secrets, password hashes
          or stored credentials.
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
          secret (agents must be given it). Only exports signed by this installation or a pinned
          signer are restored, unless you accept an unknown signer below.
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
        <Field
          label="Accept an unknown signer"
          aside="optional"
          hint="The fingerprint a refused restore named, once you have checked it with the signer. Pinning the signer is better."
        >
          <input
            value={acceptSigner}
            spellCheck={false}
            onChange={(e) => setAcceptSigner(e.target.value)}
          />
        </Field>
        <GuardedButton
          disabledReason={localOnly ?? busy}
          busy={running === 'restore'}
          onClick={() =>
            void restoreExport({
              ...(orgId === undefined ? {} : { organization_id: orgId }),
              ...(accept === '' ? {} : { accept_signer: accept }),
            })
          }
        >
          Restore from export…
        </GuardedButton>
      </section>
      <SignersPanel />
    </ViewRoot>
  );
}
