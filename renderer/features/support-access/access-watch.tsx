// UI-14 / SUP-1..3 for a support engineer: the moment their access to an account ends (the grant
// expired, was disabled, or emergency-disabled), this window drops everything it holds of that
// account and says why; it never keeps showing a customer's hosts it may no longer read.
import { useQuery, useQueryClient, type Query, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { errorCode } from '../../lib/errors';
import { useTRPC } from '../../lib/trpc';
import { useNavigation, type Navigation } from '../../shell/navigation';

/** The engineer's own data: never another account's, so never dropped. */
const OWN = new Set(['users', 'supportAccess', 'auth']);

const pathOf = (q: Query): string[] | null => {
  const head = q.queryKey[0];
  return Array.isArray(head) && head.every((p) => typeof p === 'string') ? head : null;
};

const inputOf = (q: Query): Record<string, unknown> => {
  const meta = q.queryKey[1];
  const input =
    meta && typeof meta === 'object' && 'input' in meta ? (meta as { input: unknown }).input : null;
  return input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
};

/** Which account each org this window has seen belongs to, from what the cache holds. */
function orgAccounts(queryClient: QueryClient): Map<number, number> {
  const out = new Map<number, number>();
  const note = (o: unknown) => {
    if (o && typeof o === 'object' && 'id' in o && 'account_id' in o) {
      const { id, account_id } = o as { id: unknown; account_id: unknown };
      if (typeof id === 'number' && typeof account_id === 'number') out.set(id, account_id);
    }
  };
  for (const q of queryClient.getQueryCache().getAll()) {
    const path = pathOf(q)?.join('.');
    const data = q.state.data as { items?: unknown } | undefined;
    if (path === 'organizations.get') note(data);
    else if (path === 'organizations.list' && Array.isArray(data?.items)) data.items.forEach(note);
  }
  return out;
}

/**
 * Removes what the window holds of `accounts`: every org-scoped answer of one of their orgs (or
 * of an org whose account is unknown here), and every account-wide answer, which may list their
 * rows. A view showing one of their orgs is left first, so nothing of it stays on screen.
 */
export async function dropAccounts(
  queryClient: QueryClient,
  nav: Navigation,
  accounts: ReadonlySet<number>,
  currentOrgId: number | null,
): Promise<void> {
  const owner = orgAccounts(queryClient);
  const theirs = (orgId: number) => {
    const account = owner.get(orgId);
    return account === undefined || accounts.has(account);
  };
  const predicate = (q: Query) => {
    const path = pathOf(q);
    if (!path || OWN.has(path[0]!)) return false;
    const input = inputOf(q);
    const orgId = path.join('.') === 'organizations.get' ? input.id : input.organization_id;
    return typeof orgId === 'number' ? theirs(orgId) : true;
  };
  if (currentOrgId !== null && theirs(currentOrgId)) {
    await nav.openAll(undefined, { replace: true });
  }
  queryClient.removeQueries({ predicate, type: 'inactive' });
  await queryClient.resetQueries({ predicate, type: 'active' });
}

/** Mounted by the shell for support engineers only; shows why data went away. */
export function AccessWatch({ orgId }: { orgId: number | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const nav = useNavigation();
  const access = useQuery(trpc.supportAccess.myAccess.queryOptions());
  const [ended, setEnded] = useState<string[]>([]);
  const open = useRef<Map<number, string> | null>(null);
  const orgRef = useRef(orgId);
  useEffect(() => {
    orgRef.current = orgId;
  }, [orgId]);

  // A call refused as not found or forbidden may mean the grant is gone: ask again now.
  const accessKey = trpc.supportAccess.myAccess.queryKey();
  const keyText = JSON.stringify(accessKey);
  useEffect(
    () =>
      queryClient.getQueryCache().subscribe((event) => {
        if (event.type !== 'updated' || event.action.type !== 'error') return;
        const code = errorCode(event.action.error);
        if (code !== 'NOT_FOUND' && code !== 'FORBIDDEN') return;
        const path = pathOf(event.query);
        if (!path || OWN.has(path[0]!)) return;
        void queryClient.refetchQueries(
          { queryKey: JSON.parse(keyText) as unknown[] },
          { cancelRefetch: false },
        );
      }),
    [queryClient, keyText],
  );

  // An account that was open and no longer is: drop it at once.
  useEffect(() => {
    if (!access.data) return;
    const now = new Map(access.data.accounts.map((a) => [a.account_id, a.account_name]));
    const before = open.current;
    open.current = now;
    if (!before) return;
    const lost = [...before].filter(([id]) => !now.has(id));
    if (lost.length === 0) return;
    void dropAccounts(queryClient, nav, new Set(lost.map(([id]) => id)), orgRef.current).then(() =>
      setEnded((e) => [...new Set([...e, ...lost.map(([, name]) => name)])]),
    );
  }, [access.data, queryClient, nav]);

  // When the first grant runs out, look again right then rather than at the next refresh.
  const nextEnd = access.data?.accounts.reduce<number | null>((min, a) => {
    const t = Date.parse(a.expires_at);
    return min === null || t < min ? t : min;
  }, null);
  const refetch = access.refetch;
  useEffect(() => {
    if (nextEnd == null) return;
    const t = setTimeout(() => void refetch(), Math.max(0, nextEnd - Date.now()) + 250);
    return () => clearTimeout(t);
  }, [nextEnd, refetch]);

  if (ended.length === 0) return null;
  return (
    <div className="callout callout-warning access-ended" role="alert" data-testid="access-ended">
      <p>
        Your support access to {ended.join(' and ')} has ended: the grant expired, or the account’s
        admins disabled it. Everything this window showed of it has been removed.
      </p>
      <button type="button" className="button button-secondary" onClick={() => setEnded([])}>
        Dismiss
      </button>
    </div>
  );
}
