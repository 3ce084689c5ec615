// IDN-4: the desktop app's single sign-on to a remote Orgdesk server, as RFC 8252 asks of a
// native app: the system browser (never an embedded web view, which could read the password),
// a loopback redirect to a listener on 127.0.0.1 on a port the OS picks, and PKCE. The server
// federates to the account's identity provider and sends the browser back here with a one-time
// code, which only this process can trade for a session: it alone holds the PKCE verifier.
// Electron supplies `open` (shell.openExternal, in main/electron); everything else is here.
// The browser is handed only the server's own sign-in address (browser-url.ts decides), never
// the provider URL or anything else a server answered.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '../../core/errors';
import { DESKTOP_SSO_TIMEOUT_MS } from '../../../shared/constants';
import { checkBrowserUrl } from './browser-url';

/**
 * Opens a URL in the user's default browser. `serverUrl` is the server being signed in to: an
 * implementation refuses (throws) a URL that checkBrowserUrl does not pass for it.
 */
export interface SystemBrowser {
  open(url: string, serverUrl: string): Promise<void>;
}

export interface LoopbackSignInOptions {
  /** The server's base URL (as the connection store normalised it). */
  serverUrl: string;
  /** Which account signs in: its id, or an email whose domain (or user) names it. */
  account: { account_id: number } | { email: string };
  browser: SystemBrowser;
  /** How long to wait for the browser to come back (default 5 minutes). */
  timeoutMs?: number;
  /** Ends the wait: the reason (a DomainError saying why) is what the sign-in rejects with. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface LoopbackSession {
  token: string;
  expires_at: string;
}

const DEFAULT_TIMEOUT_MS = DESKTOP_SSO_TIMEOUT_MS;

const duration = (ms: number) =>
  ms >= 60_000 && ms % 60_000 === 0
    ? `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`
    : `${Math.round(ms / 1000)} s`;

/** An abort's reason as the error to answer (a bare abort() reads as a cancel). */
const abortError = (signal: AbortSignal) =>
  signal.reason instanceof DomainError
    ? signal.reason
    : new DomainError('PRECONDITION_FAILED', 'The single sign-on was cancelled');
const CALLBACK_PATH = '/orgdesk/sso-callback';

const b64url = (bytes: number) => randomBytes(bytes).toString('base64url');
const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')}</p>`;

async function postJson<T>(
  f: typeof fetch,
  url: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<T> {
  let res: Response;
  try {
    res = await f(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    throw new DomainError(
      'PRECONDITION_FAILED',
      `The server at ${new URL(url).origin} could not be reached (${(err as Error).message}); check the connection's URL and try again`,
    );
  }
  const json = (await res.json().catch(() => null)) as
    (T & { error?: { code: string; message: string; field?: string } }) | null;
  if (!res.ok || !json) {
    const e = json?.error;
    throw new DomainError(
      e && (e.code === 'NOT_FOUND' || e.code === 'BAD_REQUEST' || e.code === 'UNAUTHORIZED')
        ? e.code
        : 'PRECONDITION_FAILED',
      e?.message ?? `The server at ${url} answered ${res.status}`,
      e?.field,
    );
  }
  return json;
}

/**
 * Signs in through the system browser: a session for the remote server, or a DomainError that
 * says why (the provider refused, the browser never came back in time, the server refused).
 */
export async function signInThroughBrowser(o: LoopbackSignInOptions): Promise<LoopbackSession> {
  const f = o.fetch ?? fetch;
  const verifier = b64url(32);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = b64url(24);

  let settle!: { ok: (code: string) => void; fail: (e: Error) => void };
  const answered = new Promise<string>((ok, fail) => (settle = { ok, fail }));
  // Awaited only once the browser is open; a failure before that must not go unhandled.
  answered.catch(() => undefined);
  const listener = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      res.writeHead(404).end(page('Not found', 'This is the Orgdesk sign-in listener.'));
      return;
    }
    // Any local process can reach this port: a request without our state is answered and
    // ignored, and the real browser's answer is still awaited.
    const got = url.searchParams.get('state') ?? '';
    if (!sameText(got, state)) {
      res
        .writeHead(400)
        .end(
          page('Sign-in not recognised', 'This sign-in was not started by this Orgdesk window.'),
        );
      return;
    }
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error || !code) {
      const why = url.searchParams.get('error_description') ?? error ?? 'no code came back';
      res.writeHead(200).end(page('Sign-in failed', `${why} You can close this window.`));
      settle.fail(new DomainError('UNAUTHORIZED', `Single sign-on failed: ${why}`));
      return;
    }
    res.writeHead(200).end(page('Signed in', 'Orgdesk is signed in. You can close this window.'));
    settle.ok(code);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (listener.address() as AddressInfo).port;
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(
    () =>
      settle.fail(
        new DomainError(
          'PRECONDITION_FAILED',
          `The browser did not come back within ${duration(timeoutMs)}; sign in again`,
        ),
      ),
    timeoutMs,
  );
  const onAbort = () => settle.fail(abortError(o.signal!));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (o.signal?.aborted) throw abortError(o.signal);
    const started = await postJson<{ browser_url?: unknown }>(
      f,
      `${o.serverUrl}/api/v1/auth/oidc/start`,
      {
        ...o.account,
        code_challenge: challenge,
        redirect_uri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
        state,
      },
      o.signal,
    );
    if (typeof started.browser_url !== 'string') {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `The server at ${o.serverUrl} gave no sign-in address of its own (browser_url): update the server, or sign in with a password`,
      );
    }
    const verdict = checkBrowserUrl(started.browser_url, o.serverUrl);
    if (!verdict.open) {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `Nothing was opened in your browser: ${verdict.reason}. Check that the connection's URL is the server's public address`,
      );
    }
    if (o.signal?.aborted) throw abortError(o.signal);
    await o.browser.open(verdict.url, o.serverUrl);
    const code = await answered;
    return await postJson<LoopbackSession>(
      f,
      `${o.serverUrl}/api/v1/auth/oidc/exchange`,
      { code, code_verifier: verifier },
      o.signal,
    );
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    clearTimeout(timer);
    listener.closeAllConnections();
    listener.close();
  }
}
