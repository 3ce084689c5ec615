import type { AuditVerifyResult } from '../../../shared/schemas/audit.schema';
import { formatCount } from '../../lib/format';

/** AUD-3: the chain is intact, or the first entry that was altered, removed or inserted. */
export function VerifyResult({
  result,
  error,
  verifying = false,
  progress = null,
}: {
  result: AuditVerifyResult | null;
  error: string | null;
  /** A verification is running (on the server's worker thread). */
  verifying?: boolean;
  /** How far it got, once the server reported it. */
  progress?: { checked: number; total: number } | null;
}) {
  // The live region is always there, so the verdict is announced when it arrives.
  return (
    <div role="status" aria-live="polite" className="verify-result" data-testid="verify-result">
      {verifying ? (
        <div className="callout" data-testid="verify-progress">
          Verifying the chain…{' '}
          {progress && progress.total > 0 ? (
            <>
              <progress
                max={progress.total}
                value={progress.checked}
                aria-label="Entries verified"
              />{' '}
              {formatCount(progress.checked)} of {formatCount(progress.total)} entries
            </>
          ) : null}
        </div>
      ) : error ? (
        <div className="callout callout-danger">Verification failed: {error}</div>
      ) : result === null ? null : result.ok ? (
        <div className="callout callout-success">
          <strong>The chain is intact.</strong> {formatCount(result.checked)} entries checked
          {result.head_id !== null ? (
            <>
              ; newest entry #{result.head_id}, hash{' '}
              <code className="cell-mono">{result.head_hash?.slice(0, 16)}…</code> (note it:
              removing the newest entries can only be seen against a head kept earlier)
            </>
          ) : null}
          .
        </div>
      ) : (
        <div className="callout callout-danger">
          <strong>
            The chain is broken at entry #{result.first_bad_entry_id}
            {result.problem ? ` (${result.problem})` : ''}.
          </strong>{' '}
          {result.message}. {formatCount(result.checked)} entries checked up to it.
        </div>
      )}
    </div>
  );
}
