// What the desktop does beyond the domain services, without Electron: which data source each
// window uses (the local database, a remote server, or an export under review), signing in to
// remote servers, and running export, review and restore. main/electron supplies the OS dialogs,
// the system browser (single sign-on) and the event channel to the windows; the tests supply
// fakes of those three, nothing else.
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { AccessService } from '../core/access';
import type { Actor } from '../core/actor';
import { DomainError } from '../core/errors';
import type { Services } from '../services';
import type { Context } from '../trpc/trpc';
import type { ShellEvent } from '../../shared/ipc-channels';
import type { SignerKey } from '../core/export-key';
import {
  createExportInput,
  restoreInput,
  signInInput,
  ssoSignInInput,
  type AddConnectionInput,
  type ConnectionInfo,
  type CreateExportInput,
  type DesktopSession,
  type PinSignerInput,
  type PinnedSigner,
  type RestoreInput,
  type SignInInput,
  type SsoSignInInput,
} from '../../shared/schemas/desktop.schema';
import {
  LOCAL_CONNECTION_ID,
  normalizeServerUrl,
  type ConnectionStore,
} from './connections/connection-store';
import { RemoteForwarder, errorFromShape } from './connections/remote-forwarder';
import { signInThroughBrowser, type SystemBrowser } from './connections/sso-loopback';
import { runJob, type WorkerEntry } from './export/export-runner';
import type { ExportResult, Progress } from './export/export.service';
import type { RestoreResult } from './export/restore';
import type { PinnedSignerStore } from './export/pinned-signers';
import { openReview, type ReviewHandle } from './export/review';
import { trustOf, type KnownSigners } from './export/signer-trust';

/** The OS file dialogs. They return null when the user cancels. */
export interface ShellDialogs {
  chooseExportTarget(windowId: number, defaultName: string): Promise<string | null>;
  chooseExportToOpen(windowId: number, purpose: 'review' | 'restore'): Promise<string | null>;
}

export interface DesktopShellOptions {
  /** The local database's services and its operator. */
  services: Services;
  operator: Actor;
  dbFile: string;
  migrationsFolder: string;
  /** base64 master key, handed to the export worker (audit chain, restore's new secret). */
  masterKey: () => string;
  connections: ConnectionStore;
  /** The export signers trusted besides this installation (pinned-signers.json, EXP-1). */
  signers: PinnedSignerStore;
  dialogs: ShellDialogs;
  /** IDN-4: the OS browser single sign-on opens (shell.openExternal in main/electron). */
  browser: SystemBrowser;
  /** How long a single sign-on waits for the browser (default 5 minutes). */
  ssoTimeoutMs?: number;
  send(windowId: number, event: ShellEvent): void;
  /** For the manifest: where exports come from. */
  sourceLabel: string;
  /** The agents' server URL in agent configuration files made from the local database. */
  serverUrl: string;
  workerEntry?: WorkerEntry;
  fetch?: typeof fetch;
}

type WindowSession =
  | { kind: 'local' }
  | { kind: 'remote'; id: string; forwarder: RemoteForwarder }
  | { kind: 'review'; review: ReviewHandle; content: 'checking' | 'verified' };

const EXPORT_EXTENSION = '.orgdesk-export';

const safeFileName = (s: string): string =>
  s
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'orgdesk';

export class DesktopShell {
  private readonly sessions = new Map<number, WindowSession>();
  /** Single sign-ons waiting for the browser: at most one per connection. */
  private readonly ssoWaiting = new Map<string, { windowId: number; abort: AbortController }>();
  /** The shell's own checks (export, restore), each one read through the unit of work. */
  private readonly access: AccessService;

  constructor(private readonly o: DesktopShellOptions) {
    this.access = new AccessService(o.services.infra.clock);
  }

  private sessionOf(windowId: number): WindowSession {
    return this.sessions.get(windowId) ?? { kind: 'local' };
  }

  private setSession(windowId: number, next: WindowSession): void {
    const prev = this.sessions.get(windowId);
    if (prev?.kind === 'review' && (next.kind !== 'review' || next.review !== prev.review)) {
      prev.review.close();
    }
    this.sessions.set(windowId, next);
    this.o.send(windowId, { type: 'session-changed' });
  }

  // ---- what the IPC layer asks

  /** The app router's context for a window on the local database or an export under review. */
  appContext(windowId: number): Context {
    const s = this.sessionOf(windowId);
    if (s.kind === 'review') return s.review.context();
    return { services: this.o.services, actor: this.o.operator, serverUrl: this.o.serverUrl };
  }

  /** The forwarder of a window on a remote server, or null. */
  forwarder(windowId: number): RemoteForwarder | null {
    const s = this.sessionOf(windowId);
    return s.kind === 'remote' ? s.forwarder : null;
  }

  session(windowId: number): DesktopSession {
    const s = this.sessionOf(windowId);
    if (s.kind === 'review') {
      return {
        mode: 'review',
        connection_id: null,
        label: `Read-only review of ${s.review.label}`,
        read_only: true,
        review: s.review.manifest,
        // Decided on every call: pinning (or unpinning) the signer shows at once.
        signer: trustOf(s.review.signer, this.knownSigners()),
        content_check: s.content,
      };
    }
    if (s.kind === 'remote') {
      const c = this.o.connections.get(s.id);
      return {
        mode: 'remote',
        connection_id: s.id,
        label: `${c.name} (${c.url})`,
        read_only: false,
        review: null,
        signer: null,
        content_check: null,
      };
    }
    return {
      mode: 'local',
      connection_id: LOCAL_CONNECTION_ID,
      label: 'This computer',
      read_only: false,
      review: null,
      signer: null,
      content_check: null,
    };
  }

  closeWindow(windowId: number): void {
    for (const w of this.ssoWaiting.values()) {
      if (w.windowId === windowId) {
        w.abort.abort(
          new DomainError(
            'PRECONDITION_FAILED',
            'The window that started this single sign-on was closed; nothing was signed in',
          ),
        );
      }
    }
    const s = this.sessions.get(windowId);
    if (s?.kind === 'review') s.review.close();
    this.sessions.delete(windowId);
  }

  dispose(): void {
    for (const w of this.ssoWaiting.values()) {
      w.abort.abort(new DomainError('PRECONDITION_FAILED', 'Orgdesk is closing; sign in again'));
    }
    for (const id of [...this.sessions.keys()]) this.closeWindow(id);
  }

  // ---- connections (UI-8)

  connections() {
    return { connections: this.o.connections.list(), keychain: this.o.connections.keychain() };
  }

  addConnection(raw: AddConnectionInput): ConnectionInfo {
    return this.o.connections.add(raw);
  }

  /** Signs out (best effort: the server may be gone for good), then forgets the connection. */
  async removeConnection(id: string): Promise<void> {
    this.o.connections.get(id);
    await this.signOut(id).catch(() => this.o.connections.forgetToken(id));
    this.o.connections.remove(id);
  }

  private newForwarder(id: string): RemoteForwarder {
    const c = this.o.connections.get(id);
    return new RemoteForwarder({
      url: c.url!,
      token: () => this.o.connections.token(id),
      fetch: this.o.fetch,
    });
  }

  /** Switches a window to the local database or a signed-in remote server. */
  use(windowId: number, id: string): DesktopSession {
    if (id === LOCAL_CONNECTION_ID) {
      this.setSession(windowId, { kind: 'local' });
      return this.session(windowId);
    }
    const c = this.o.connections.get(id);
    if (!c.signed_in) {
      throw new DomainError('UNAUTHORIZED', `Sign in to ${c.name} first`, 'id');
    }
    this.setSession(windowId, { kind: 'remote', id, forwarder: this.newForwarder(id) });
    return this.session(windowId);
  }

  async signIn(raw: SignInInput) {
    const input = signInInput.parse(raw);
    // Refuse before the password leaves the machine if the token could not be kept as asked.
    if (input.remember) this.o.connections.requireSecureKeychain();
    const forwarder = this.newForwarder(input.id);
    const session = await forwarder.signIn(input.email, input.password);
    const expiresAt = Date.parse(session.expires_at);
    return this.o.connections.storeToken(
      input.id,
      {
        token: session.token,
        expiresAt: Number.isFinite(expiresAt) ? expiresAt : null,
        email: input.email,
      },
      input.remember,
    );
  }

  /**
   * IDN-4: signs in to a remote server through the system browser (sso-loopback.ts), keeping the
   * session exactly as the password sign-in does. A newer attempt for the same connection, a
   * cancel, or closing the window that started it ends the wait with an error that says which.
   */
  async signInWithSso(windowId: number, raw: SsoSignInInput): Promise<ConnectionInfo> {
    const input = ssoSignInInput.parse(raw);
    const c = this.o.connections.get(input.id);
    // Checked again here: connections.json is a file anyone with this account could edit.
    const serverUrl = normalizeServerUrl(c.url!);
    // Refused before the browser opens if the token could not be kept as asked.
    if (input.remember) this.o.connections.requireSecureKeychain();
    this.ssoWaiting
      .get(input.id)
      ?.abort.abort(
        new DomainError(
          'CONFLICT',
          `This single sign-on to ${c.name} was replaced by a newer one; finish that one in your browser`,
        ),
      );
    const mine = { windowId, abort: new AbortController() };
    this.ssoWaiting.set(input.id, mine);
    let session: { token: string; expires_at: string };
    try {
      session = await signInThroughBrowser({
        serverUrl,
        account:
          input.account_id !== undefined
            ? { account_id: input.account_id }
            : { email: input.email! },
        browser: this.o.browser,
        timeoutMs: this.o.ssoTimeoutMs,
        signal: mine.abort.signal,
        fetch: this.o.fetch,
      });
    } finally {
      if (this.ssoWaiting.get(input.id) === mine) this.ssoWaiting.delete(input.id);
    }
    // Who signed in is the provider's answer, not what was typed: the server says.
    const remote = new RemoteForwarder({
      url: serverUrl,
      token: () => session.token,
      fetch: this.o.fetch,
    });
    const me = await remote.forward({ id: 0, type: 'query', path: 'users.me' });
    if ('error' in me && me.error.data.code === 'UNAUTHORIZED') throw errorFromShape(me.error);
    const email =
      'result' in me ? (me.result.data as { email: string }).email : (input.email ?? null);
    const expiresAt = Date.parse(session.expires_at);
    return this.o.connections.storeToken(
      input.id,
      { token: session.token, expiresAt: Number.isFinite(expiresAt) ? expiresAt : null, email },
      input.remember,
    );
  }

  /** Ends a single sign-on still waiting for the browser (its call answers that it was cancelled). */
  cancelSso(id: string): { cancelled: boolean } {
    const waiting = this.ssoWaiting.get(id);
    waiting?.abort.abort(
      new DomainError(
        'PRECONDITION_FAILED',
        'The single sign-on was cancelled; nothing was signed in',
      ),
    );
    return { cancelled: waiting !== undefined };
  }

  /** Ends the session at the server (best effort) and forgets the token here. */
  async signOut(id: string): Promise<void> {
    if (this.o.connections.token(id)) {
      await this.newForwarder(id).forward({ id: 0, type: 'mutation', path: 'auth.logout' });
    }
    this.o.connections.forgetToken(id);
    for (const [windowId, s] of this.sessions) {
      if (s.kind === 'remote' && s.id === id) this.setSession(windowId, { kind: 'local' });
    }
  }

  // ---- export signers (EXP-1): this installation's key, and the keys pinned here

  private knownSigners(): KnownSigners {
    return { own: this.o.services.infra.signer.key(), pinned: this.o.signers.list() };
  }

  signers(): { own: SignerKey; pinned: PinnedSigner[] } {
    return { own: this.o.services.infra.signer.key(), pinned: this.o.signers.list() };
  }

  /** Pinning changes what every open review says about its signer. */
  private signersChanged(): void {
    for (const [windowId, s] of this.sessions) {
      if (s.kind === 'review') this.o.send(windowId, { type: 'session-changed' });
    }
  }

  pinSigner(raw: PinSignerInput): PinnedSigner {
    const pinned = this.o.signers.pin(raw);
    this.signersChanged();
    return pinned;
  }

  unpinSigner(fingerprint: string): void {
    this.o.signers.unpin({ fingerprint });
    this.signersChanged();
  }

  // ---- export, review, restore (EXP)

  private requireLocal(windowId: number, what: string): void {
    const s = this.sessionOf(windowId);
    if (s.kind !== 'local') {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `${what} works on this computer's database; switch this window to "This computer" first`,
      );
    }
  }

  private progress(windowId: number, label: string) {
    const jobId = randomUUID();
    return (p: Progress) =>
      this.o.send(windowId, {
        type: 'progress',
        job_id: jobId,
        label,
        phase: p.phase,
        done: p.done,
        total: p.total,
        finished: p.done >= p.total,
      });
  }

  private jobBase() {
    return {
      dbFile: this.o.dbFile,
      migrationsFolder: this.o.migrationsFolder,
      masterKey: this.o.masterKey(),
      installationLabel: this.o.services.infra.signer.label,
      actor: this.o.operator,
    };
  }

  async exportData(windowId: number, raw: CreateExportInput): Promise<ExportResult | null> {
    const input = createExportInput.parse(raw);
    this.requireLocal(windowId, 'Export');
    // Checked here too, so a refused export never asks for a file name first.
    const name =
      input.scope === 'organization'
        ? (
            await this.o.services.infra.uow.read((r) =>
              this.access.requireOrg(r, this.o.operator, input.organization_id),
            )
          ).name
        : 'account';
    const target = await this.o.dialogs.chooseExportTarget(
      windowId,
      `${safeFileName(name)}${EXPORT_EXTENSION}`,
    );
    if (!target) return null;
    return runJob(
      { ...this.jobBase(), kind: 'export', input, target, sourceLabel: this.o.sourceLabel },
      { onProgress: this.progress(windowId, `Exporting ${name}`), entry: this.o.workerEntry },
    );
  }

  async openReview(windowId: number): Promise<DesktopSession | null> {
    const file = await this.o.dialogs.chooseExportToOpen(windowId, 'review');
    if (!file) return null;
    // EXP-2: the signature (over the manifest, which holds the content's checksum) is checked
    // here before anything shows; the checksum itself reads every row, so a worker checks it
    // while the review is already open, marked 'checking' (no window freezes meanwhile, and the
    // first page shows in milliseconds instead of after the whole file is read). A file whose
    // content does not match is closed the moment the worker says so, with the reason. An
    // untrusted signer may be reviewed, and the session says so (never "trusted").
    const checking = runJob(
      { kind: 'verify', file },
      {
        onProgress: this.progress(windowId, `Verifying ${basename(file)}`),
        entry: this.o.workerEntry,
      },
    );
    let review: ReviewHandle;
    try {
      review = await openReview(file, {
        migrationsFolder: this.o.migrationsFolder,
        checksumLater: true,
      });
    } catch (err) {
      // Refused on its own (not an export, bad signature...): the worker's answer is moot.
      checking.catch(() => undefined);
      throw err;
    }
    const state: WindowSession & { kind: 'review' } = {
      kind: 'review',
      review,
      content: 'checking',
    };
    this.setSession(windowId, state);
    const stillOpen = () => this.sessions.get(windowId) === state;
    checking.then(
      ({ manifest }) => {
        if (!stillOpen()) return;
        // The worker opened the path again: the very manifest it verified must be this one's.
        if (manifest.content_sha256 !== review.manifest.content_sha256) {
          this.refuseReview(
            windowId,
            new DomainError(
              'BAD_REQUEST',
              `${file} changed while it was being opened; open it again`,
              'file',
            ),
          );
          return;
        }
        state.content = 'verified';
        this.o.send(windowId, { type: 'session-changed' });
      },
      (err: unknown) => {
        if (stillOpen()) this.refuseReview(windowId, err);
      },
    );
    return this.session(windowId);
  }

  /** A review whose content failed its check: closed, back to the local database, and why. */
  private refuseReview(windowId: number, err: unknown): void {
    this.setSession(windowId, { kind: 'local' });
    const message = err instanceof Error ? err.message : String(err);
    this.o.send(windowId, { type: 'review-refused', message });
  }

  closeReview(windowId: number): DesktopSession {
    if (this.sessionOf(windowId).kind === 'review') this.setSession(windowId, { kind: 'local' });
    return this.session(windowId);
  }

  async restore(windowId: number, raw: RestoreInput): Promise<RestoreResult | null> {
    const input = restoreInput.parse(raw);
    this.requireLocal(windowId, 'Restore');
    await this.o.services.infra.uow.read((r) =>
      this.access.requireAccount(r, this.o.operator, 'settings.manage'),
    );
    const file = await this.o.dialogs.chooseExportToOpen(windowId, 'restore');
    if (!file) return null;
    return runJob(
      { ...this.jobBase(), kind: 'restore', input, file, pinned: this.o.signers.list() },
      {
        onProgress: this.progress(windowId, `Restoring from ${basename(file)}`),
        entry: this.o.workerEntry,
      },
    );
  }
}
