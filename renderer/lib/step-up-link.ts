// IDN-3: a call refused with STEP_UP_REQUIRED asks for a code in place (the step-up dialog),
// steps the session up through the same link, and is sent again: the screen that made the call
// sees its answer, or, if the person cancels, the original refusal. One link for every screen.
import type { TRPCClientError, TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '../../main/trpc/router';
import { askForStepUp } from '../stores/step-up-store';
import { errorMessage, errorReason } from './errors';

export const STEP_UP_PATH = 'auth.stepUp';

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
            if (retried || op.path === STEP_UP_PATH || errorReason(err) !== 'STEP_UP_REQUIRED') {
              observer.error(err);
              return;
            }
            const send = (code: string) =>
              new Promise<string | null>((resolve) => {
                next({
                  ...op,
                  id: op.id + 1_000_000,
                  type: 'mutation',
                  path: STEP_UP_PATH,
                  input: { code },
                }).subscribe({
                  next: () => resolve(null),
                  error: (e) => resolve(errorMessage(e)),
                });
              });
            void askForStepUp(send).then((ok) => {
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
