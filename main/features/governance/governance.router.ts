import { authedProcedure, router } from '../../trpc/trpc';
import {
  accountRetentionOutput,
  cleanupReportOutput,
  createRecordingInput,
  deletedRecordingOutput,
  governanceOrgInput,
  governanceSettingsOutput,
  listRecordingsInput,
  recordingIdInput,
  recordingOutput,
  recordingPageOutput,
  setAccountRetentionInput,
} from '../../../shared/schemas/governance.schema';

/** GOV-1..3. Policy, retention days and legal hold themselves are set with organizations.update. */
export const governanceRouter = router({
  settings: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/governance',
        summary: 'Effective recording policy, retention and legal hold of an org (GOV-1..3)',
      },
      output: governanceSettingsOutput,
    })
    .input(governanceOrgInput)
    .query(({ ctx, input }) => ctx.services.governance.settings(ctx.actor, input.organization_id)),
  recordings: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/recordings',
        list: true,
        summary: 'The recordings of an org',
      },
      output: recordingPageOutput,
    })
    .input(listRecordingsInput)
    .query(({ ctx, input }) => ctx.services.governance.recordings(ctx.actor, input)),
  createRecording: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/organizations/:organization_id/recordings',
        status: 201,
        summary: "Record a session as the org's policy allows (GOV-1)",
      },
      output: recordingOutput,
    })
    .input(createRecordingInput)
    .mutation(({ ctx, input }) => ctx.services.governance.createRecording(ctx.actor, input)),
  deleteRecording: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/recordings/:id',
        summary: 'Delete a recording (refused under legal hold, GOV-3)',
      },
      output: deletedRecordingOutput,
    })
    .input(recordingIdInput)
    .mutation(({ ctx, input }) => ctx.services.governance.deleteRecording(ctx.actor, input.id)),
  setAccountRetention: authedProcedure
    .meta({
      rest: {
        method: 'PUT',
        path: '/account/retention',
        summary: "The account's default retention in days (GOV-2)",
      },
      output: accountRetentionOutput,
    })
    .input(setAccountRetentionInput)
    .mutation(({ ctx, input }) => ctx.services.governance.setAccountRetention(ctx.actor, input)),
  runCleanup: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/governance/retention-cleanup',
        summary: 'Run the retention cleanup now and report what it removed (GOV-3)',
      },
      output: cleanupReportOutput,
    })
    .mutation(({ ctx }) => ctx.services.governance.cleanupNow(ctx.actor)),
});
