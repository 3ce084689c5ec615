// The tRPC v11 client link over the desktop bridge. electron-trpc speaks only tRPC v10, so this
// is our own: one bridge call per operation, and a reply's error is tRPC's own error shape, so a
// TRPCClientError from here carries the same code, message and data.field as one over HTTP.
// It lives in shared/ (not renderer/) so the Node tests can drive it against the real router.
import { TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { OrgdeskBridge } from './ipc-channels';

let nextId = 1;

/** A link sending each operation through `getBridge().trpc.invoke`. */
export function createIpcLink<TRouter extends AnyTRPCRouter>(
  getBridge: () => OrgdeskBridge | undefined,
): TRPCLink<TRouter> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        const bridge = getBridge();
        if (!bridge) {
          observer.error(
            TRPCClientError.from(new Error('The Orgdesk desktop bridge is not available')),
          );
          return;
        }
        if (op.type === 'subscription') {
          observer.error(
            TRPCClientError.from(
              new Error('Subscriptions are not carried over the desktop bridge'),
            ),
          );
          return;
        }
        // A result that arrives after the caller gave up is dropped, like an aborted fetch.
        let cancelled = false;
        bridge.trpc
          .invoke({ id: nextId++, type: op.type, path: op.path, input: op.input })
          .then((reply) => {
            if (cancelled) return;
            if ('error' in reply) {
              observer.error(TRPCClientError.from({ error: reply.error }));
              return;
            }
            observer.next({ result: { type: 'data', data: reply.result.data } });
            observer.complete();
          })
          .catch((cause: unknown) => {
            if (!cancelled) observer.error(TRPCClientError.from(cause as Error));
          });
        return () => {
          cancelled = true;
        };
      });
}
