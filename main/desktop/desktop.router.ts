// `desktop.*`: the Electron shell's own procedures (UI-8 connections, EXP export/review/restore).
// The console reaches them over the same IPC link as the app router; no procedure here takes a
// file path: files are chosen in main with the OS dialogs, so a page cannot name one.
import {
  addConnectionInput,
  connectionIdInput,
  createExportInput,
  pinSignerInput,
  restoreInput,
  unpinSignerInput,
  signInInput,
  ssoSignInInput,
  useConnectionInput,
} from '../../shared/schemas/desktop.schema';
import { desktopProcedure as p, desktopRouter as router } from './desktop-trpc';

export const desktopRouter = router({
  desktop: router({
    /** What this window shows: the local database, a remote server, or an export under review. */
    session: p.query(({ ctx }) => ctx.shell.session(ctx.windowId)),
    connections: router({
      list: p.query(({ ctx }) => ctx.shell.connections()),
      add: p.input(addConnectionInput).mutation(({ ctx, input }) => ctx.shell.addConnection(input)),
      remove: p.input(connectionIdInput).mutation(async ({ ctx, input }) => {
        await ctx.shell.removeConnection(input.id);
        return { ok: true };
      }),
      signIn: p.input(signInInput).mutation(({ ctx, input }) => ctx.shell.signIn(input)),
      /** IDN-4: through the system browser; answers when the browser came back (or why not). */
      signInWithSso: p
        .input(ssoSignInInput)
        .mutation(({ ctx, input }) => ctx.shell.signInWithSso(ctx.windowId, input)),
      /** Ends a single sign-on still waiting for the browser; `cancelled: false` if none was. */
      cancelSso: p
        .input(connectionIdInput)
        .mutation(({ ctx, input }) => ctx.shell.cancelSso(input.id)),
      signOut: p.input(connectionIdInput).mutation(async ({ ctx, input }) => {
        await ctx.shell.signOut(input.id);
        return { ok: true };
      }),
      use: p
        .input(useConnectionInput)
        .mutation(({ ctx, input }) => ctx.shell.use(ctx.windowId, input.id)),
    }),
    exports: router({
      /** null: the user cancelled the save dialog. */
      create: p
        .input(createExportInput)
        .mutation(({ ctx, input }) => ctx.shell.exportData(ctx.windowId, input)),
      openReview: p.mutation(({ ctx }) => ctx.shell.openReview(ctx.windowId)),
      closeReview: p.mutation(({ ctx }) => ctx.shell.closeReview(ctx.windowId)),
      restore: p
        .input(restoreInput)
        .mutation(({ ctx, input }) => ctx.shell.restore(ctx.windowId, input)),
    }),
    /** EXP-1: this installation's export key, and the signer keys pinned on this computer. */
    signers: router({
      list: p.query(({ ctx }) => ctx.shell.signers()),
      pin: p.input(pinSignerInput).mutation(({ ctx, input }) => ctx.shell.pinSigner(input)),
      unpin: p.input(unpinSignerInput).mutation(({ ctx, input }) => {
        ctx.shell.unpinSigner(input.fingerprint);
        return { ok: true };
      }),
    }),
  }),
});

export type DesktopRouter = typeof desktopRouter;
