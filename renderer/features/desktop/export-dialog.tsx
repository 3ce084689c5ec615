import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { Field } from '../../components/field';
import { useTRPC } from '../../lib/trpc';
import { usePlace } from '../../shell/navigation';
import { exportData } from './desktop-actions';
import { useDesktopJobs } from './jobs-store';

const ACCOUNT = 'account';

/** EXP-1: what to export (an org, or the whole account); the file is chosen in main. */
export function ExportDialog() {
  const open = useDesktopJobs((s) => s.exportDialogOpen);
  const setOpen = useDesktopJobs((s) => s.setExportDialog);
  return (
    <Dialog open={open} onClose={() => setOpen(false)} title="Export" size="small">
      <ExportForm onDone={() => setOpen(false)} />
    </Dialog>
  );
}

function ExportForm({ onDone }: { onDone(): void }) {
  const trpc = useTRPC();
  const orgId = usePlace()?.orgId ?? null;
  const orgs = useQuery(trpc.organizations.list.queryOptions({ limit: 100 }));
  const [choice, setChoice] = useState<string>(orgId === null ? '' : String(orgId));
  const ready = choice !== '';
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready) return;
        onDone();
        void exportData(
          choice === ACCOUNT
            ? { scope: 'account' }
            : { scope: 'organization', organization_id: Number(choice) },
        );
      }}
    >
      <p>
        One SQLite file with a manifest and no secrets, password hashes or stored credentials. You
        choose where to save it next.
      </p>
      <Field label="What to export">
        <select value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="" disabled>
            {orgs.isLoading ? 'Loading organizations…' : 'Choose…'}
          </option>
          {orgs.data?.items.map((o) => (
            <option key={o.id} value={String(o.id)}>
              {o.name}
            </option>
          ))}
          <option value={ACCOUNT}>The whole account</option>
        </select>
      </Field>
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={!ready}>
          Export…
        </button>
      </div>
    </form>
  );
}
