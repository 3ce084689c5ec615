import { inPlaceOfEnvelope } from '../../core/file-answer';
import { authedProcedure, router } from '../../trpc/trpc';
import { EXPORT_FILE_HEADERS as H } from '../../../shared/constants';
import {
  auditExportOutput,
  auditPageOutput,
  auditVerifyResultOutput,
  auditVerifyStatusOutput,
  exportAuditInput,
  listAuditInput,
  verifyAuditInput,
  type AuditExport,
} from '../../../shared/schemas/audit.schema';

const AUDIT_EXPORT_FILE_HEADERS = {
  [H.signature]: 'base64 of the Ed25519 signature of exactly the bytes of the body',
  [H.algorithm]: 'Ed25519',
  [H.publicKey]: "base64 of the signer's raw 32-byte public key",
  [H.fingerprint]: 'base64url SHA-256 of that key: compare it with the pinned export key',
  [H.signerLabel]: "the signer's label, percent-encoded",
  [H.count]: 'how many entries the file holds',
  [H.truncated]: '"true" when more entries matched than an export holds (MAX_AUDIT_EXPORT)',
};

/** AUD-2/AUD-3 for the console: all reads, so support engineers with a grant may use them. */
export const auditRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/audit',
        list: true,
        summary: 'Audit entries, filtered by org, actor, action, target and time (AUD-2)',
      },
      output: auditPageOutput,
    })
    .input(listAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.list(ctx.actor, input)),
  export: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/audit/export',
        summary:
          'Export audit entries as CSV or JSON: the answer is the file, its detached Ed25519 signature in the X-Orgdesk-Signature headers (AUD-2)',
        file: {
          contentTypes: ['text/csv', 'application/json'],
          headers: AUDIT_EXPORT_FILE_HEADERS,
        },
      },
      // tRPC's answer: the file's text as `content` beside its signature.
      output: auditExportOutput,
    })
    .input(exportAuditInput)
    .query(({ ctx, input }) =>
      ctx.asFile
        ? inPlaceOfEnvelope<AuditExport>(ctx.services.auditTrail.exportFile(ctx.actor, input))
        : ctx.services.auditTrail.export(ctx.actor, input),
    ),
  verify: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/audit/verify',
        summary:
          'Verify the hash chain: the first entry altered or removed (AUD-3); joins a verification already running for the account',
      },
      output: auditVerifyResultOutput,
    })
    .input(verifyAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.verify(ctx.actor, input)),
  verifyStatus: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/audit/verify/status',
        summary: 'How far the running verification of the chain got (AUD-3), for a progress bar',
      },
      output: auditVerifyStatusOutput,
    })
    .input(verifyAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.verifyStatus(ctx.actor, input)),
});
