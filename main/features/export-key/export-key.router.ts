import { authedProcedure, router } from '../../trpc/trpc';
import { exportKeyOutput } from '../../../shared/schemas/export-key.schema';

export const exportKeyRouter = router({
  get: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/export-key',
        summary:
          "This installation's export key: the Ed25519 public key that signs export files and audit exports, and its fingerprint to pin (EXP-1)",
      },
      output: exportKeyOutput,
    })
    .query(({ ctx }) => ctx.services.exportKey.get(ctx.actor)),
});
