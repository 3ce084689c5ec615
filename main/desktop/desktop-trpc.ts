// The desktop shell's own tRPC root (`desktop.*`): served by the Electron main process only,
// never forwarded to a server, with errors shaped exactly like the app router's.
import { initTRPC } from '@trpc/server';
import { DomainError } from '../core/errors';
import { describeIssues, toTRPCError } from '../trpc/trpc';
import type { DesktopShell } from './desktop-shell';

export interface DesktopContext {
  shell: DesktopShell;
  /** The calling window (its webContents id): connections and reviews are per window. */
  windowId: number;
}

function fieldOf(cause: unknown): string | null {
  if (cause instanceof DomainError) return cause.field ?? null;
  const issues = (cause as { issues?: unknown } | null)?.issues;
  return Array.isArray(issues) ? (describeIssues(issues).field ?? null) : null;
}

const t = initTRPC.context<DesktopContext>().create({
  errorFormatter({ shape, error }) {
    const mapped = toTRPCError(error);
    return {
      ...shape,
      message: mapped.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        field: fieldOf(mapped.cause),
      },
    };
  },
});

export const desktopRouter = t.router;

export const desktopProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});
