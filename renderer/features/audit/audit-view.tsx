import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import type {
  AuditListEntry as AuditEntry,
  AuditExport,
  AuditVerifyResult,
} from '../../../shared/schemas/audit.schema';
import { EXPORT_FILE_HEADERS, MAX_AUDIT_EXPORT, MAX_PAGE_LIMIT } from '../../../shared/constants';
import { EmptyState, ErrorState, ViewRoot } from '../../components/view-root';
import { downloadText } from '../../lib/clipboard';
import { fetchFile, saveBlob, signatureOf } from '../../lib/file-download';
import { errorMessage, fieldError } from '../../lib/errors';
import { formatCount, plural } from '../../lib/format';
import { denyReason } from '../../lib/permissions';
import { useSettledDraft, useUrlFilters } from '../../lib/url-state';
import { useTRPC, useTRPCClient, type OrgDetail } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import type { OrgViewProps } from '../../shell/views';
import { toast } from '../../stores/toast-store';
import { DataTable, Pager, urlPage, urlSort, usePaging } from '../../components/table-kit';
import { AuditDetails } from './audit-details';
import { AuditFilters, EMPTY_FILTER, localToIso, type AuditFilterDraft } from './audit-filters';

/** UI-10: the filters in the URL, e.g. /audit?action=host.moved&from=2026-01-31T12:00. */
export const AUDIT_FILTERS = {
  actor: '',
  action: '',
  target_type: '',
  target_id: '',
  from: '',
  to: '',
  order: 'desc',
  page: '1',
};

const AUDIT_ORDER = { sort: 'time', order: 'desc' } as const;

const trimDraft = (d: AuditFilterDraft): AuditFilterDraft => ({
  ...d,
  actor: d.actor.trim(),
  action: d.action.trim(),
  targetId: d.targetId.trim(),
});
import { VerifyResult } from './verify-result';
import './audit.css';

const column = createColumnHelper<AuditEntry>();
const EMPTY: AuditEntry[] = [];

// Audit needs the seconds: entries of one action often share the minute. The year only when
// it is not this one.
const timeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const yearFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const formatAt = (iso: string): string => {
  const d = new Date(iso);
  return d.getFullYear() === new Date().getFullYear() ? timeFormat.format(d) : yearFormat.format(d);
};

/** UI-7 audit viewer of the current org (AUD-2: org admins see their org's entries only). */
export function OrgAuditView({ org }: OrgViewProps) {
  const { me } = useShell();
  const reason = denyReason(me, org.permissions, 'audit.view');
  if (reason) return <NoAudit reason={reason} subtitle={org.name} />;
  return <AuditTrail org={org} />;
}

/** UI-7 account-wide audit viewer, under "All organizations" (account admins). */
export function AccountAuditView() {
  const { me, accountPermissions } = useShell();
  const reason = denyReason(me, accountPermissions, 'audit.view');
  if (reason) return <NoAudit reason={reason} subtitle="All organizations" />;
  return <AuditTrail org={null} />;
}

function NoAudit({ reason, subtitle }: { reason: string; subtitle: string }) {
  return (
    <ViewRoot view="audit" title="Audit trail" ready subtitle={subtitle}>
      <p className="disabled-reason block">{reason}</p>
    </ViewRoot>
  );
}

function AuditTrail({ org }: { org: OrgDetail | null }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const { me, accountPermissions, transport } = useShell();
  const [filters, setFilters] = useUrlFilters(AUDIT_FILTERS);
  const applied: AuditFilterDraft = {
    actor: filters.actor,
    action: filters.action,
    targetType: filters.target_type,
    targetId: filters.target_id,
    from: filters.from,
    to: filters.to,
  };
  const [draft, setDraft] = useSettledDraft(
    applied,
    (d) =>
      setFilters(
        {
          actor: d.actor,
          action: d.action,
          target_type: d.targetType,
          target_id: d.targetId,
          from: d.from,
          to: d.to,
        },
        { text: 'audit-filters' },
      ),
    300,
    trimDraft,
  );
  const [verified, setVerified] = useState<AuditVerifyResult | null>(null);
  const [saved, setSaved] = useState<SavedExport | null>(null);

  const filter = {
    organization_id: org?.id ?? null,
    actor: applied.actor || null,
    action: applied.action || null,
    target_type: applied.targetType || null,
    target_id: applied.targetId || null,
    from: localToIso(applied.from),
    to: localToIso(applied.to),
  };
  // UI-11: by time, newest first until the header says otherwise; a new order starts at page 1
  // (the order is in the URL like the filters, UI-10, left out at newest first).
  const sort = urlSort({ sort: 'time', order: filters.order }, ['time'], AUDIT_ORDER, (p) =>
    setFilters({ order: p.order }),
  );
  const paging = usePaging(
    'audit',
    JSON.stringify([filter, sort.order]),
    urlPage(filters.page, setFilters),
  );
  const list = useQuery({
    ...trpc.audit.list.queryOptions({
      ...filter,
      order: sort.order,
      skip: paging.skip,
      limit: paging.pageSize,
    }),
    placeholderData: keepPreviousData,
  });
  // Account-wide, entries name their org: resolve the names once.
  const orgs = useQuery({
    ...trpc.organizations.list.queryOptions({
      limit: MAX_PAGE_LIMIT,
      active_only: false,
      include_stats: false,
    }),
    enabled: org === null,
  });

  const exportFile = useMutation({
    // In a browser the server answers the file itself (GET /api/v1/audit/export), streamed and
    // collected as a Blob; over IPC (desktop) the tRPC answer carries it as text.
    mutationFn: async (format: 'csv' | 'json'): Promise<SavedExport> => {
      if (transport === 'http') {
        const f = await fetchFile('/audit/export', { ...filter, format });
        saveBlob(f.filename, f.blob);
        return {
          filename: f.filename,
          count: Number(f.headers.get(EXPORT_FILE_HEADERS.count) ?? 0),
          truncated: f.headers.get(EXPORT_FILE_HEADERS.truncated) === 'true',
          signature: signatureOf(f.headers),
        };
      }
      const file: AuditExport = await client.audit.export.query({ ...filter, format });
      downloadText(file.filename, file.content, file.content_type);
      return file;
    },
    onSuccess: (file: SavedExport) => {
      setSaved(file);
      toast.success(
        `Saved ${file.filename}: ${plural(file.count, 'entry', 'entries')}${
          file.truncated ? ' (the oldest ones; more matched — narrow the filter for the rest)' : ''
        }.`,
      );
    },
    onError: (e) => toast.error(errorMessage(e)),
  });
  const verify = useMutation({
    mutationFn: () => client.audit.verify.query({}),
    onMutate: () => setVerified(null),
    onSuccess: setVerified,
  });

  // AUD-3 runs on the server's worker thread; while it does, its progress is polled.
  const verifyStatus = useQuery({
    ...trpc.audit.verifyStatus.queryOptions({}),
    enabled: verify.isPending,
    refetchInterval: verify.isPending ? 500 : false,
  });
  const progress = verify.isPending && verifyStatus.data?.running ? verifyStatus.data : null;

  const orgName = useMemo(() => {
    const names = new Map((orgs.data?.items ?? []).map((o) => [o.id, o.name]));
    return (id: number | null) => (id === null ? null : (names.get(id) ?? `Organization #${id}`));
  }, [orgs.data]);

  const columns = useMemo(
    () => [
      column.accessor('at', {
        header: 'Time',
        meta: { sortKey: 'time', firstOrder: 'desc' },
        cell: (c) => (
          <time className="cell-nowrap" dateTime={c.getValue()}>
            {formatAt(c.getValue())}
          </time>
        ),
      }),
      column.accessor('actor_label', {
        header: 'Actor',
        cell: (c) => <span className="cell-sub cell-actor">{c.getValue()}</span>,
      }),
      column.accessor('action', {
        header: 'Action',
        cell: (c) => <code className="cell-mono">{c.getValue()}</code>,
      }),
      // AUD-2: the target as it is called now (resolved by the server within what this trail
      // may show), its type and id beneath; one that is gone by id, marked deleted.
      column.display({
        id: 'target',
        header: 'Target',
        cell: ({ row: { original: e } }) => {
          const ref = `${e.target_type}${e.target_id ? ` #${e.target_id}` : ''}`;
          return (
            <span className="audit-target">
              {e.target_name !== null ? (
                <>
                  <span className="cell-name">{e.target_name}</span>{' '}
                  <span className="cell-sub cell-nowrap">{ref}</span>
                </>
              ) : (
                <span className="cell-nowrap">
                  {ref}
                  {e.target_deleted ? <span className="muted"> (deleted)</span> : null}
                </span>
              )}
            </span>
          );
        },
      }),
      ...(org === null
        ? [
            column.accessor('organization_id', {
              header: 'Organization',
              cell: (c) => orgName(c.getValue()) ?? <span className="muted">account</span>,
            }),
          ]
        : []),
      column.accessor('details', {
        header: 'Details',
        cell: (c) => <AuditDetails details={c.getValue()} />,
      }),
    ],
    [org, orgName],
  );

  const total = list.data?.total;
  const table = useReactTable({
    data: list.data?.items ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (e) => String(e.id),
    manualPagination: true,
    rowCount: total ?? 0,
  });

  const err = list.error;
  const errors = {
    actor: fieldError(err, 'actor'),
    action: fieldError(err, 'action'),
    targetType: fieldError(err, 'target_type'),
    targetId: fieldError(err, 'target_id'),
    from: fieldError(err, 'from'),
    to: fieldError(err, 'to'),
  };
  const fieldBlamed = Object.values(errors).some(Boolean);
  const filtered = JSON.stringify(draft) !== JSON.stringify(EMPTY_FILTER);
  const verifyReason = denyReason(me, accountPermissions, 'audit.view')
    ? 'Verifying checks the whole account’s chain: only account admins can do that.'
    : null;

  return (
    <ViewRoot
      view="audit"
      title="Audit trail"
      ready={list.isSuccess && !list.isPlaceholderData && (org !== null || orgs.isSuccess)}
      subtitle={
        <>
          {org ? org.name : 'All organizations'}
          {total !== undefined
            ? ` · ${plural(total, 'entry', 'entries')}, ${sort.order === 'desc' ? 'newest' : 'oldest'} first`
            : ''}
        </>
      }
      actions={[
        {
          id: 'export-csv',
          label: 'Export CSV',
          mutates: false,
          busy: exportFile.isPending && exportFile.variables === 'csv',
          disabled: exportFile.isPending,
          run: () => exportFile.mutate('csv'),
        },
        {
          id: 'export-json',
          label: 'Export JSON',
          mutates: false,
          busy: exportFile.isPending && exportFile.variables === 'json',
          disabled: exportFile.isPending,
          run: () => exportFile.mutate('json'),
        },
        {
          id: 'verify-chain',
          label: 'Verify chain',
          variant: 'primary',
          mutates: false,
          disabledReason: verifyReason,
          busy: verify.isPending,
          run: () => verify.mutate(),
        },
      ]}
    >
      <VerifyResult
        result={verified}
        error={verify.error ? errorMessage(verify.error) : null}
        verifying={verify.isPending}
        progress={progress}
      />
      {saved ? <ExportSignature file={saved} onClose={() => setSaved(null)} /> : null}
      <AuditFilters draft={draft} onChange={setDraft} errors={errors} />
      {err && !fieldBlamed ? (
        <ErrorState error={errorMessage(err)} onRetry={() => void list.refetch()} />
      ) : (
        <DataTable
          table={table}
          label="Audit entries"
          loading={list.isPending}
          fetching={list.isFetching}
          refreshing={list.isFetching && list.isPlaceholderData}
          skeletonRows={10}
          sort={sort}
          empty={
            <EmptyState title={filtered ? 'No entry matches these filters' : 'No entries yet'}>
              {filtered ? (
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => setDraft(EMPTY_FILTER)}
                >
                  Clear filters
                </button>
              ) : null}
            </EmptyState>
          }
        />
      )}
      <Pager paging={paging} total={total} label="Pages of audit entries" />
      <p className="field-hint">
        {total !== undefined ? `${formatCount(total)} matching. ` : ''}Exports hold every matching
        entry (oldest first, the order of the chain), up to {formatCount(MAX_AUDIT_EXPORT)}; details
        are redacted.
      </p>
    </ViewRoot>
  );
}

/** A saved export: its name, what it holds and its detached signature. */
interface SavedExport {
  filename: string;
  count: number;
  truncated: boolean;
  signature: Pick<
    AuditExport['signature'],
    'value' | 'fingerprint' | 'signer_label' | 'public_key_pem'
  >;
}

/** base64 → bytes, for saving a signature as the raw file `openssl -sigfile` reads. */
const fromBase64 = (b64: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/**
 * AUD-2: the saved export's detached signature. Saved apart on request (a second automatic
 * download would be blocked as "multiple downloads"): the raw signature beside the file, and the
 * signer's public key, for `openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in FILE
 * -sigfile FILE.sig` (docs/export-format.md).
 */
function ExportSignature({ file, onClose }: { file: SavedExport; onClose(): void }) {
  const sig = file.signature;
  return (
    <div className="callout" role="status" aria-label="Export signature">
      <p>
        {file.filename} is signed by {sig.signer_label}, key <code>{sig.fingerprint}</code>. Compare
        the fingerprint with the export key of the installation before you rely on it.
      </p>
      <div className="form-actions">
        <button
          type="button"
          className="button button-secondary"
          onClick={() =>
            downloadText(`${file.filename}.sig`, fromBase64(sig.value), 'application/octet-stream')
          }
        >
          Save signature
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() =>
            downloadText(`${file.filename}.key.pem`, sig.public_key_pem, 'application/x-pem-file')
          }
        >
          Save public key
        </button>
        <button type="button" className="button button-ghost" onClick={onClose}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
