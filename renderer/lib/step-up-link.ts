// IDN-3: a call refused with STEP_UP_REQUIRED asks for a code in place (the step-up dialog),
// steps the session up through the same link, and is sent again: the screen that made the call
// sees its answer, or, if the person cancels, the original refusal. One link for every screen.
import type { TRPCClientError, TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '../../main/trpc/router';
import { askForStepUp } from '../stores/step-up-store';
import { errorMessage, errorReason } from './errors';
import { assertPasskey, passkeyFailure } from './passkey';

export const STEP_UP_PATH = 'auth.stepUp';
/** IDN-2: the passkey step-up's two calls, never themselves retried after a step-up. */
const PASSKEY_PATHS = ['auth.stepUpPasskeyOptions', 'auth.stepUpWithPasskey'];

export const stepUpLink =
  (): TRPCLink<AppRouter> =>
  () =>
  ({ op, next }) =>
    observable((observer) => {
      let sub: { unsubscribe(): void } | null = null;
      let closed = false;
      const run = (retried: boolean) => {
        sub = next(op).subscribe({
          next: (v) => observer.next(v),
          complete: () => observer.complete(),
          error: (err: TRPCClientError<AppRouter>) => {
            if (
              retried ||
              op.path === STEP_UP_PATH ||
              PASSKEY_PATHS.includes(op.path) ||
              errorReason(err) !== 'STEP_UP_REQUIRED'
            ) {
              observer.error(err);
              return;
            }
            // One mutation through the rest of the chain: its data, or the error it ended with.
            const call = (path: string, input: unknown, offset: number) =>
              new Promise<unknown>((resolve, reject) => {
                next({ ...op, id: op.id + offset, type: 'mutation', path, input }).subscribe({
                  next: (v) => resolve((v.result as { data?: unknown }).data),
                  error: reject,
                });
              });
            const send = (code: string) =>
              call(STEP_UP_PATH, { code }, 1_000_000).then(
                () => null,
                (e: unknown) => errorMessage(e),
              );
            const sendPasskey = async () => {
              try {
                const { options } = (await call(PASSKEY_PATHS[0]!, undefined, 2_000_000)) as {
                  options: Record<string, unknown>;
                };
                const response = await assertPasskey(options);
                await call(PASSKEY_PATHS[1]!, { response }, 3_000_000);
                return null;
              } catch (e) {
                return passkeyFailure(e) ?? errorMessage(e);
              }
            };
            void askForStepUp(send, sendPasskey).then((ok) => {
              if (closed) return;
              if (ok) run(true);
              else observer.error(err);
            });
          },
        });
      };
      run(false);
      return () => {
        closed = true;
        sub?.unsubscribe();
      };
    });
