// IDN-4: the browser comes back from single sign-on to /sign-in/sso?code=… (or ?error=…). The
// boot takes the answer out of the address bar before it puts the URL in canonical form, so the
// one-time code never stays in the history, and the sign-in page finishes the sign-in with it.

/** Where the server sends the browser back (main/features/sso CONSOLE_SSO_PATH). */
export const SSO_RETURN_PATH = '/sign-in/sso';

export interface SsoReturn {
  code: string | null;
  /** The reason in plain words, when the sign-in was refused. */
  error: string | null;
}

let pending: SsoReturn | null = null;

/** Called once by the boot, first: keeps the answer and leaves the console at "/". */
export function captureSsoReturn(): void {
  if (window.location.pathname !== SSO_RETURN_PATH) return;
  const p = new URLSearchParams(window.location.search);
  pending = { code: p.get('code'), error: p.get('error_description') ?? p.get('error') };
  window.history.replaceState(null, '', '/');
}

export const hasSsoReturn = (): boolean => pending !== null;

/** The answer, once. */
export function takeSsoReturn(): SsoReturn | null {
  const p = pending;
  pending = null;
  return p;
}
