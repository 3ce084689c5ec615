import { formatCount } from '../../lib/format';
import { fileNameOf } from './desktop-api';
import { useDesktopJobs, type Outcome, type ProgressEvent } from './jobs-store';

/** Progress of export, review and restore jobs, then what they produced (UI-9: progress). */
export function JobPanel() {
  const jobs = useDesktopJobs((s) => s.jobs);
  const running = useDesktopJobs((s) => s.running);
  const outcome = useDesktopJobs((s) => s.outcome);
  const dismiss = useDesktopJobs((s) => s.dismiss);
  if (!running && !outcome && jobs.length === 0) return null;
  return (
    <section className="job-panel" aria-label="Export and restore progress" data-testid="job-panel">
      {running && jobs.length === 0 ? (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Waiting for a file to be chosen…
        </p>
      ) : null}
      {jobs.map((job) => (
        <JobProgress key={job.job_id} job={job} />
      ))}
      {outcome ? <OutcomeView outcome={outcome} /> : null}
      {!running ? (
        <button type="button" className="button button-ghost" onClick={dismiss}>
          Dismiss
        </button>
      ) : null}
    </section>
  );
}

function JobProgress({ job }: { job: ProgressEvent }) {
  const total = Math.max(job.total, 1);
  const done = Math.min(job.done, total);
  return (
    <div className="job">
      <div className="job-label">
        {job.label} · {job.finished ? 'done' : job.phase}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={job.label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={`${job.phase}: ${done} of ${total}`}
      >
        <div className="progress-fill" style={{ width: `${(done / total) * 100}%` }} />
      </div>
    </div>
  );
}

function Counts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return null;
  return (
    <dl className="job-counts">
      {entries.map(([table, n]) => (
        <div key={table}>
          <dt>{table.replace(/_/g, ' ')}</dt>
          <dd>{formatCount(n)}</dd>
        </div>
      ))}
    </dl>
  );
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  switch (outcome.kind) {
    case 'export':
      return (
        <div role="status" className="job-outcome" data-outcome="export">
          <p>
            Exported to <strong>{fileNameOf(outcome.result.file)}</strong> (SHA-256{' '}
            <code>{outcome.result.manifest.content_sha256.slice(0, 12)}…</code>)
          </p>
          <Counts counts={outcome.result.manifest.counts} />
        </div>
      );
    case 'restore':
      return (
        <div role="status" className="job-outcome" data-outcome="restore">
          <p>
            Restored <strong>{outcome.result.name}</strong>
            {outcome.result.renamed_from
              ? ` (renamed from ${outcome.result.renamed_from}, which is taken here)`
              : ''}{' '}
            with a new secret.
          </p>
          <Counts counts={outcome.result.counts} />
        </div>
      );
    case 'review':
      return (
        <p role="status" className="job-outcome" data-outcome="review">
          Opened {outcome.label.replace(/^Read-only review of /, '')}
        </p>
      );
    case 'error':
      return (
        <p role="alert" className="form-error" data-outcome="error">
          {outcome.action} failed: {outcome.message}
        </p>
      );
  }
}
