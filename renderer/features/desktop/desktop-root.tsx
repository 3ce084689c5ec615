// Everything the console shows only inside the Electron shell, mounted once by the shell: the
// read-only review banner (EXP-2), the menu's Export / Open export / Restore, job progress.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { FormError } from '../../components/field';
import { errorMessage } from '../../lib/errors';
import { onShellEvent } from '../../lib/ipc-link';
import { useReadOnly } from '../../stores/read-only-store';
import {
  desktopApi,
  desktopKeys,
  READ_ONLY_CONTROL_REASON,
  type DesktopSessionInfo,
} from './desktop-api';
import { openExport, restoreExport } from './desktop-actions';
import { ExportDialog } from './export-dialog';
import { JobPanel } from './job-panel';
import { useDesktopJobs } from './jobs-store';
import { PinSignerDialog } from './signers-panel';
import './desktop.css';

// Job progress and a refused review go to the jobs store from a listener of this module, not of
// a component: a session change remounts the whole console (shell.tsx resets every query, and the
// app shows its boot splash until `users.me` answers again), so a listener in DesktopRoot's effect
// is gone for that moment. A review refused by its checksum is closed by main with a session
// change followed at once by `review-refused`; that event, sent once, was lost in the gap, and the
// panel went on saying the export was opened (EXP-2). The store outlives the remount; this
// listener, installed once when this chunk loads (only inside Electron), does too.
onShellEvent((event) => {
  if (event.type === 'progress') useDesktopJobs.getState().progress(event);
  else if (event.type === 'review-refused') {
    // EXP-2: the content failed its checksum after the review opened; main closed it.
    useDesktopJobs
      .getState()
      .finish({ kind: 'error', action: 'Open export', message: event.message });
  }
});

export function useDesktopSession() {
  return useQuery({
    queryKey: desktopKeys.session,
    queryFn: () => desktopApi().session.query(),
    // The shell announces a new data source itself (session-changed): no polling.
    staleTime: Infinity,
    refetchInterval: false,
  });
}

export function DesktopRoot() {
  const session = useDesktopSession();
  const queryClient = useQueryClient();

  // The flag every mutation control consults. Kept while a new session loads, so nothing is
  // enabled for a moment between two reviews.
  const readOnly = session.data?.read_only;
  useEffect(() => {
    if (readOnly !== undefined) {
      useReadOnly.getState().setReason(readOnly ? READ_ONLY_CONTROL_REASON : null);
    }
  }, [readOnly]);

  useEffect(
    () =>
      onShellEvent((event) => {
        // Progress and review-refused: the module's listener above.
        if (event.type === 'session-changed')
          void queryClient.invalidateQueries({ queryKey: ['desktop'] });
        else if (event.type === 'menu') {
          if (event.command === 'export') useDesktopJobs.getState().setExportDialog(true);
          else if (event.command === 'open-export') void openExport();
          else if (event.command === 'restore') void restoreExport();
        }
      }),
    [queryClient],
  );

  return (
    <>
      {session.data?.read_only ? <ReviewBanner session={session.data} /> : null}
      <ExportDialog />
      <JobPanel />
    </>
  );
}

function ReviewBanner({ session }: { session: DesktopSessionInfo }) {
  const queryClient = useQueryClient();
  const close = useMutation({
    mutationFn: () => desktopApi().exports.closeReview.mutate(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['desktop'] }),
  });
  const review = session.review;
  const signer = session.signer;
  const [pinning, setPinning] = useState(false);
  return (
    <div
      className="callout callout-warning banner review-banner"
      role="region"
      aria-label="Read-only review"
      data-testid="review-banner"
    >
      <div>
        <p className="review-title">
          <strong>{session.label} — changes are disabled</strong>
        </p>
        {review ? (
          <p className="review-sub muted" role="status" data-testid="review-check">
            {session.content_check === 'checking'
              ? 'Signature verified · checking the content against its checksum…'
              : 'Signature and checksum verified'}{' '}
            · SHA-256 <code>{review.content_sha256.slice(0, 12)}…</code> · from {review.source}
          </p>
        ) : null}
        {signer ? (
          <p
            className={signer.trusted ? 'review-sub' : 'review-sub review-untrusted'}
            data-testid="review-signer"
            data-trust={signer.trust}
          >
            {signer.trusted ? null : <strong>Not trusted. </strong>}
            {signer.summary}
            {signer.trusted ? null : (
              <>
                {' '}
                <button
                  type="button"
                  className="button button-secondary signer-button"
                  onClick={() => setPinning(true)}
                >
                  Pin this signer…
                </button>
              </>
            )}
          </p>
        ) : null}
        {signer && !signer.trusted ? (
          <PinSignerDialog
            open={pinning}
            onClose={() => setPinning(false)}
            publicKey={signer.public_key}
            fingerprint={signer.fingerprint}
            claimedLabel={signer.claimed_label}
          />
        ) : null}
        <FormError error={close.error ? errorMessage(close.error) : null} />
      </div>
      <button
        type="button"
        className="button button-secondary"
        disabled={close.isPending}
        aria-busy={close.isPending || undefined}
        onClick={() => close.mutate()}
      >
        Close review
      </button>
    </div>
  );
}
