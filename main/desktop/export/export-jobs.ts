// The heavy export and restore work as jobs: plain data in, progress and a result out. Run in a
// worker thread (export-worker.ts) so no window freezes; runJobInline is the same code on the
// calling thread, for tests that need to observe it step by step.
import { AccessService } from '../../core/access';
import { systemClock, ManualClock } from '../../core/clock';
import type { Actor } from '../../core/actor';
import { DomainError, type DomainErrorCode } from '../../core/errors';
import { StaticKeyStore } from '../../core/key-store';
import { openDatabase } from '../../db/database';
import { createServices } from '../../services';
import { sqliteStorage } from '../../db/sqlite/storage';
import type {
  CreateExportInput,
  ExportManifest,
  RestoreInput,
} from '../../../shared/schemas/desktop.schema';
import type { PinnedSigner } from '../../../shared/schemas/desktop.schema';
import { openExportFile, type SignerIdentity } from './export-file';
import { ExportService, type ExportResult, type Progress } from './export.service';
import { RestoreService, type RestoreResult } from './restore';

interface JobBase {
  /** The live database file (the job opens its own connection). */
  dbFile: string;
  migrationsFolder: string;
  /** base64 of the master key: audit entries are HMAC-chained, restore encrypts a secret, and
   * the installation's export key (which signs an export's manifest) is derived from it. */
  masterKey: string;
  /** How the installation names itself in the signature (EXP-1). */
  installationLabel: string;
  actor: Actor;
  /** Fixed time for tests; the system clock otherwise. */
  now?: number;
}

/** Verifying an export reads every row (its checksum): done here before a review opens. */
export interface VerifyJob {
  kind: 'verify';
  file: string;
}

export interface VerifyResult {
  manifest: ExportManifest;
  signer: SignerIdentity;
}

export type Job =
  | (JobBase & { kind: 'export'; input: CreateExportInput; target: string; sourceLabel: string })
  | (JobBase & {
      kind: 'restore';
      input: RestoreInput;
      file: string;
      /** The signers pinned on this computer (its own key is derived from masterKey). */
      pinned: PinnedSigner[];
    })
  | VerifyJob;

export type JobResult<J extends Job> = J extends { kind: 'export' }
  ? ExportResult
  : J extends { kind: 'verify' }
    ? VerifyResult
    : RestoreResult;

export interface SerializedError {
  name: string;
  code: DomainErrorCode | null;
  message: string;
  field: string | null;
}

export type WorkerMessage =
  | ({ type: 'progress' } & Progress)
  | { type: 'done'; result: ExportResult | RestoreResult | VerifyResult }
  | { type: 'error'; error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof DomainError) {
    return { name: err.name, code: err.code, message: err.message, field: err.field ?? null };
  }
  const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] } | null)?.issues;
  if (Array.isArray(issues) && issues[0]) {
    const field = issues[0].path.map(String).join('.') || null;
    return { name: 'ValidationError', code: 'BAD_REQUEST', message: issues[0].message, field };
  }
  return {
    name: 'Error',
    code: null,
    message: err instanceof Error ? err.message : String(err),
    field: null,
  };
}

/** Back on the main thread: a domain error keeps its code and field, so tRPC maps it as usual. */
export function deserializeError(e: SerializedError): Error {
  if (e.code) return new DomainError(e.code, e.message, e.field ?? undefined);
  return new Error(e.message);
}

export async function runJobInline(
  job: Job,
  onProgress: (p: Progress) => void,
): Promise<ExportResult | RestoreResult | VerifyResult> {
  if (job.kind === 'verify') {
    onProgress({ phase: 'verify', done: 0, total: 1 });
    const { sqlite, manifest, signer } = openExportFile(job.file);
    sqlite.close();
    onProgress({ phase: 'done', done: 1, total: 1 });
    return { manifest, signer };
  }
  const opened = openDatabase({ file: job.dbFile, migrationsFolder: job.migrationsFolder });
  try {
    const clock = job.now === undefined ? systemClock : new ManualClock(job.now);
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock,
      keys: new StaticKeyStore(job.masterKey),
      installationLabel: job.installationLabel,
    });
    const signer = services.infra.signer;
    const access = new AccessService(clock);
    if (job.kind === 'export') {
      const service = new ExportService({
        db: opened.db,
        sqlite: opened.sqlite,
        clock,
        uow: services.infra.uow,
        access,
        audit: services.infra.storage.audit,
        migrationsFolder: job.migrationsFolder,
        sourceLabel: job.sourceLabel,
        signer,
      });
      return await service.exportTo(job.actor, job.input, job.target, onProgress);
    }
    const service = new RestoreService({
      db: opened.db,
      sqlite: opened.sqlite,
      clock,
      box: services.infra.box,
      uow: services.infra.uow,
      access,
      audit: services.infra.storage.audit,
      signers: { own: signer.key(), pinned: job.pinned },
    });
    return await service.restoreOrganization(job.actor, job.file, job.input, onProgress);
  } finally {
    opened.close();
  }
}
