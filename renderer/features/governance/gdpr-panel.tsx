import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { EXPORT_DAYS, EXPORT_FILE_HEADERS, EXPORT_SECTION_CAP } from '../../../shared/constants';
import type { DataExport } from '../../../shared/schemas/gdpr.schema';
import { Field, FormError } from '../../components/field';
import { GuardedButton } from '../../components/guarded-button';
import { TypedConfirmDialog } from '../../components/typed-confirm';
import { downloadText } from '../../lib/clipboard';
import { errorMessage } from '../../lib/errors';
import { formatCount } from '../../lib/format';
import { fetchFile, saveBlob, type FetchedFile } from '../../lib/file-download';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import { toast } from '../../stores/toast-store';
import { denyReason } from '../../lib/permissions';

function saved(filename: string, data: Pick<DataExport, 'capped_sections' | 'cap_per_section'>) {
  toast.success(
    `Saved ${filename}.${
      data.capped_sections.length > 0
        ? ` Capped at ${data.cap_per_section.toLocaleString()} records in: ${data.capped_sections.join(', ')}.`
        : ''
    }`,
  );
}

function save(data: DataExport): void {
  const who =
    data.kind === 'user' ? `user-${data.subject.user_id}` : `account-${data.subject.account_id}`;
  const filename = `orgdesk-gdpr-${who}-${data.generated_at.slice(0, 10)}.json`;
  downloadText(filename, JSON.stringify(data, null, 2));
  saved(filename, data);
}

/** The file as the server sent it, saved as it is; what was capped is in its headers. */
function saveFetched(f: FetchedFile): void {
  saveBlob(f.filename, f.blob);
  const capped = f.headers.get(EXPORT_FILE_HEADERS.cappedSections) ?? '';
  saved(f.filename, {
    capped_sections: capped ? capped.split(',') : [],
    cap_per_section: Number(f.headers.get(EXPORT_FILE_HEADERS.cap) ?? EXPORT_SECTION_CAP),
  });
}

/** GDPR-1 erase a user, GDPR-2 export a user's or the account's data (account admins). */
export function GdprPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const client = useTRPCClient();
  const { me, accountPermissions, transport } = useShell();
  const headingId = useId();
  const reason = denyReason(me, accountPermissions, 'gdpr.manage');
  const users = useQuery({ ...trpc.users.list.queryOptions(), enabled: reason === null });
  const [userId, setUserId] = useState<number | null>(null);
  const [erasing, setErasing] = useState(false);
  const selected = users.data?.find((u) => u.id === userId) ?? null;

  // In a browser the server answers the file itself (GET /api/v1/.../export), streamed and
  // collected as a Blob; over IPC (desktop) the tRPC answer carries the document.
  const exportUser = useMutation({
    mutationFn: async ({ user_id }: { user_id: number }) =>
      transport === 'http'
        ? saveFetched(await fetchFile(`/users/${user_id}/export`))
        : save(await client.gdpr.exportUser.mutate({ user_id })),
    onError: (e) => toast.error(errorMessage(e)),
  });
  const exportAccount = useMutation({
    mutationFn: async () =>
      transport === 'http'
        ? saveFetched(await fetchFile('/account/export'))
        : save(await client.gdpr.exportAccount.mutate()),
    onError: (e) => toast.error(errorMessage(e)),
  });
  const erase = useMutation(
    trpc.gdpr.eraseUser.mutationOptions({
      onSuccess: (u) => {
        setErasing(false);
        setUserId(null);
        void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
        toast.success(
          `User #${u.id} was erased: ${u.sessions_revoked} sessions and ${u.tokens_revoked} tokens revoked.`,
        );
      },
    }),
  );
  const pickReason = reason ?? (selected ? null : 'Choose a person first.');

  return (
    <section className="panel" aria-labelledby={headingId}>
      <div className="section-header">
        <h2 id={headingId}>Personal data</h2>
        <div className="section-description">
          Exports cover the last {EXPORT_DAYS} days, at most {formatCount(EXPORT_SECTION_CAP)}{' '}
          records per section, and never contain passwords, secrets or credentials. Every export and
          erasure is audited.
        </div>
      </div>
      {reason ? <p className="disabled-reason block">{reason}</p> : null}
      <div className="gdpr-row">
        <Field label="Person" hint="Active and deactivated users of this account.">
          <select
            value={userId ?? ''}
            disabled={Boolean(reason) || !users.data}
            onChange={(e) => setUserId(e.target.value === '' ? null : Number(e.target.value))}
          >
            <option value="">{users.data ? 'Choose a person…' : 'Loading…'}</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} — {u.email}
                {u.is_active ? '' : ' (deactivated)'}
              </option>
            ))}
          </select>
        </Field>
        <div className="button-row gdpr-actions">
          <GuardedButton
            disabled={pickReason !== null}
            busy={exportUser.isPending}
            onClick={() => selected && exportUser.mutate({ user_id: selected.id })}
          >
            Export their data
          </GuardedButton>
          <GuardedButton
            variant="danger"
            disabled={pickReason !== null || selected?.id === me.id}
            title={
              selected?.id === me.id
                ? 'You cannot erase yourself; ask another account admin.'
                : undefined
            }
            onClick={() => {
              erase.reset();
              setErasing(true);
            }}
          >
            Erase…
          </GuardedButton>
        </div>
      </div>
      <FormError error={users.error ? errorMessage(users.error) : null} />
      <div className="danger-row">
        <div>
          <div className="danger-title">The whole account</div>
          <div className="field-hint">
            Users, organizations, support access and audit of this account.
          </div>
        </div>
        <GuardedButton
          disabledReason={reason}
          busy={exportAccount.isPending}
          onClick={() => exportAccount.mutate()}
        >
          Export account data
        </GuardedButton>
      </div>
      {selected ? (
        <TypedConfirmDialog
          open={erasing}
          title={`Erase ${selected.name}?`}
          expected={selected.email}
          confirmLabel="Erase permanently"
          busy={erase.isPending}
          error={erase.error ? errorMessage(erase.error) : null}
          warning={
            <>
              <strong>This cannot be undone.</strong> The name and email are replaced with
              anonymised placeholders, the password is cleared, every session and API token is
              revoked, and the account is deactivated. The audit trail keeps its entries, without
              the personal data.
            </>
          }
          onClose={() => setErasing(false)}
          onConfirm={() => erase.mutate({ user_id: selected.id, confirm: selected.email })}
        />
      ) : null}
    </section>
  );
}
