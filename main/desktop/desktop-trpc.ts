// The desktop shell's own tRPC root (`desktop.*`): served by the Electron main process only,
// never forwarded to a server, with errors shaped exactly like the app router's.
import { initTRPC } from '@trpc/server';
import { formatError, toTRPCError } from '../trpc/trpc';
import type { DesktopShell } from './desktop-shell';

export interface DesktopContext {
  shell: DesktopShell;
  /** The calling window (its webContents id): connections and reviews are per window. */
  windowId: number;
}

const t = initTRPC.context<DesktopContext>().create({ errorFormatter: formatError });

export const desktopRouter = t.router;

export const desktopProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});
