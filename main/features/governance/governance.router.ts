import { authedProcedure, router } from '../../trpc/trpc';
import {
  createRecordingInput,
  governanceOrgInput,
  listRecordingsInput,
  recordingIdInput,
  setAccountRetentionInput,
} from '../../../shared/schemas/governance.schema';

/** GOV-1..3. Policy, retention days and legal hold themselves are set with organizations.update. */
export const governanceRouter = router({
  settings: authedProcedure
    .input(governanceOrgInput)
    .query(({ ctx, input }) => ctx.services.governance.settings(ctx.actor, input.organization_id)),
  recordings: authedProcedure
    .input(listRecordingsInput)
    .query(({ ctx, input }) => ctx.services.governance.recordings(ctx.actor, input)),
  createRecording: authedProcedure
    .input(createRecordingInput)
    .mutation(({ ctx, input }) => ctx.services.governance.createRecording(ctx.actor, input)),
  deleteRecording: authedProcedure
    .input(recordingIdInput)
    .mutation(({ ctx, input }) => ctx.services.governance.deleteRecording(ctx.actor, input.id)),
  setAccountRetention: authedProcedure
    .input(setAccountRetentionInput)
    .mutation(({ ctx, input }) => ctx.services.governance.setAccountRetention(ctx.actor, input)),
  runCleanup: authedProcedure.mutation(({ ctx }) => ctx.services.governance.cleanupNow(ctx.actor)),
});
