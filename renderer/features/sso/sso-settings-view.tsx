import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { MAX_PAGE_LIMIT } from '../../../shared/constants';
import type { Role } from '../../../shared/permissions';
import type { SsoConfig } from '../../../shared/schemas/sso.schema';
import { Field, FormError } from '../../components/field';
import { ErrorState, ViewRoot } from '../../components/view-root';
import { errorMessage, fieldError } from '../../lib/errors';
import { useTRPC, type RouterInputs } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';
import { ROLE_LABELS, ROLE_ORDER } from '../users/roles';
import './sso.css';

type PutInput = RouterInputs['sso']['put'];
interface MappingRow {
  key: number;
  group: string;
  role: Role;
  orgId: number | null;
}

let nextKey = 1;
const rowsOf = (c: SsoConfig): MappingRow[] =>
  c.group_mappings.map((m) => ({
    key: nextKey++,
    group: m.group,
    role: m.role,
    orgId: m.organization_id ?? null,
  }));

/**
 * IDN-4: the account's single sign-on, for its account admins. The client secret is write-only:
 * the form says whether one is stored and sends one only when typed.
 */
export function SsoSettingsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const config = useQuery(trpc.sso.get.queryOptions());
  const orgs = useQuery(
    trpc.organizations.list.queryOptions({
      limit: MAX_PAGE_LIMIT,
      active_only: false,
      include_stats: false,
    }),
  );
  const ready = config.isSuccess && orgs.isSuccess;
  return (
    <ViewRoot
      view="sso"
      title="Single sign-on"
      ready={ready}
      subtitle="OpenID Connect: Microsoft Entra ID, Google Workspace, Okta or any provider"
    >
      {config.isError ? (
        <ErrorState error={errorMessage(config.error)} onRetry={() => void config.refetch()} />
      ) : ready ? (
        <SsoForm
          config={config.data}
          orgs={orgs.data.items.map((o) => ({ id: o.id, name: o.name }))}
          onSaved={() => void queryClient.invalidateQueries({ queryKey: trpc.sso.get.queryKey() })}
        />
      ) : null}
    </ViewRoot>
  );
}

function SsoForm({
  config,
  orgs,
  onSaved,
}: {
  config: SsoConfig;
  orgs: { id: number; name: string }[];
  onSaved(): void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [issuer, setIssuer] = useState(config.issuer ?? '');
  const [clientId, setClientId] = useState(config.client_id ?? '');
  const [secret, setSecret] = useState('');
  const [domains, setDomains] = useState(config.allowed_domains.join(', '));
  const [groupsClaim, setGroupsClaim] = useState(config.groups_claim);
  const [scopes, setScopes] = useState(config.extra_scopes);
  const [enabled, setEnabled] = useState(config.enabled);
  const [rows, setRows] = useState<MappingRow[]>(() => rowsOf(config));
  const [tested, setTested] = useState<{ ok: boolean; message: string } | null>(null);
  useEffect(() => setSecret(''), [config]);
  const save = useMutation(
    trpc.sso.put.mutationOptions({
      onSuccess: () => {
        onSaved();
        toast.success('Single sign-on settings saved.');
      },
    }),
  );
  const test = useMutation(trpc.sso.test.mutationOptions({ onSuccess: (r) => setTested(r) }));
  const update = (key: number, patch: Partial<MappingRow>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const err = save.error;
  const input = (): PutInput => ({
    issuer,
    client_id: clientId,
    ...(secret ? { client_secret: secret } : {}),
    allowed_domains: domains
      .split(/[\s,]+/)
      .map((d) => d.trim())
      .filter(Boolean),
    groups_claim: groupsClaim,
    extra_scopes: scopes,
    group_mappings: rows.map((r) =>
      r.role === 'account_admin'
        ? { group: r.group, role: 'account_admin' as const }
        : { group: r.group, role: r.role, organization_id: r.orgId ?? 0 },
    ),
    enabled,
  });
  const known = new Set([
    'issuer',
    'client_id',
    'client_secret',
    'allowed_domains',
    'group_mappings',
  ]);
  return (
    <form
      className="sso-form"
      data-form="sso-settings"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(input());
      }}
    >
      <p className="muted">
        At the provider, register a web application with the redirect URI{' '}
        <code data-field="redirect-uri">{config.redirect_uri}</code>.
      </p>
      <Field label="Issuer URL" error={fieldError(err, 'issuer')}>
        <input
          type="text"
          inputMode="url"
          required
          value={issuer}
          placeholder="https://login.microsoftonline.com/<tenant id>/v2.0"
          onChange={(e) => setIssuer(e.target.value)}
        />
      </Field>
      <Field label="Client ID" error={fieldError(err, 'client_id')}>
        <input
          type="text"
          required
          value={clientId}
          onChange={(e) => setClientId(e.target.value)}
        />
      </Field>
      <Field
        label="Client secret"
        error={fieldError(err, 'client_secret')}
        hint={
          config.has_client_secret
            ? 'A secret is stored (it is never shown). Type a new one to replace it.'
            : 'Not set yet.'
        }
      >
        <input
          type="password"
          autoComplete="off"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
      </Field>
      <Field
        label="Allowed email domains"
        error={fieldError(err, 'allowed_domains')}
        hint="Comma-separated, e.g. example.com, example.org"
      >
        <input type="text" required value={domains} onChange={(e) => setDomains(e.target.value)} />
      </Field>
      <Field label="Groups claim" error={fieldError(err, 'groups_claim')}>
        <input type="text" value={groupsClaim} onChange={(e) => setGroupsClaim(e.target.value)} />
      </Field>
      <Field
        label="Extra scopes"
        error={fieldError(err, 'extra_scopes')}
        hint="openid email profile are always asked for; e.g. groups for Okta"
      >
        <input type="text" value={scopes} onChange={(e) => setScopes(e.target.value)} />
      </Field>
      <fieldset>
        <legend>Groups → roles</legend>
        {rows.map((r, i) => (
          <div key={r.key} className="sso-mapping">
            <label className="visually-hidden" htmlFor={`${id}-${r.key}-group`}>
              Group {i + 1}
            </label>
            <input
              type="text"
              id={`${id}-${r.key}-group`}
              value={r.group}
              placeholder="Group as the provider sends it"
              onChange={(e) => update(r.key, { group: e.target.value })}
            />
            <label className="visually-hidden" htmlFor={`${id}-${r.key}-role`}>
              Role for group {i + 1}
            </label>
            <select
              id={`${id}-${r.key}-role`}
              value={r.role}
              onChange={(e) => update(r.key, { role: e.target.value as Role })}
            >
              {ROLE_ORDER.map((role) => (
                <option key={role} value={role}>
                  {ROLE_LABELS[role]}
                </option>
              ))}
            </select>
            <label className="visually-hidden" htmlFor={`${id}-${r.key}-org`}>
              Organization for group {i + 1}
            </label>
            <select
              id={`${id}-${r.key}-org`}
              value={r.orgId ?? ''}
              disabled={r.role === 'account_admin'}
              onChange={(e) =>
                update(r.key, { orgId: e.target.value === '' ? null : Number(e.target.value) })
              }
            >
              {r.role === 'account_admin' ? (
                <option value="">All organizations (account-wide)</option>
              ) : (
                <>
                  {r.orgId === null ? <option value="">Choose…</option> : null}
                  {orgs.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.name}
                    </option>
                  ))}
                </>
              )}
            </select>
            <button
              type="button"
              className="button"
              onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="button"
          onClick={() =>
            setRows((rs) => [...rs, { key: nextKey++, group: '', role: 'reader', orgId: null }])
          }
        >
          Add a mapping
        </button>
        {fieldError(err, 'group_mappings') ? (
          <div className="form-error" role="alert">
            {fieldError(err, 'group_mappings')}
          </div>
        ) : null}
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />{' '}
        Single sign-on is on for this account
      </label>
      <FormError error={err && !known.has(errorField(err) ?? '') ? errorMessage(err) : null} />
      {tested ? (
        <div
          className={`callout ${tested.ok ? 'callout-info' : 'callout-danger'}`}
          role="status"
          data-test-result={tested.ok ? 'ok' : 'failed'}
        >
          {tested.message}
        </div>
      ) : null}
      {test.error ? <FormError error={errorMessage(test.error)} /> : null}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={test.isPending || !config.configured}
          title={config.configured ? undefined : 'Save the settings first'}
          onClick={() => test.mutate()}
        >
          Test
        </button>
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save
        </button>
      </div>
    </form>
  );
}

const errorField = (err: unknown): string | undefined =>
  (err as { data?: { field?: string | null } })?.data?.field ?? undefined;
