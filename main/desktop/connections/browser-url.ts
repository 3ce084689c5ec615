// IDN-4: which URL the desktop may hand to the system browser during a single sign-on. The OS
// opens whatever it is given with whatever handler claims it (file:, smb:, a custom scheme...),
// so a server's answer is never opened as it stands: only the server's own sign-in address
// (`browser_url`, which redirects to the identity provider inside the browser) passes, on the
// very origin the user added, over https (or plain http to this machine, for labs).
import { OIDC_AUTHORIZE_PATH } from '../../../shared/constants';
import { externalUrl } from '../shell/navigation';
import { normalizeServerUrl } from './connection-store';

export type BrowserUrlVerdict = { open: true; url: string } | { open: false; reason: string };

/** Whether `raw` may be opened in the system browser for a sign-in to `serverUrl`, and why not. */
export function checkBrowserUrl(raw: string, serverUrl: string): BrowserUrlVerdict {
  let base: URL;
  try {
    base = new URL(normalizeServerUrl(serverUrl));
  } catch {
    return { open: false, reason: `the connection's URL ${serverUrl} is not https://` };
  }
  // What any URL handed to the OS must be (the links' rule too): http(s), no credentials, no
  // whitespace or control characters, bounded length.
  const safe = externalUrl(raw);
  if (safe === null) {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(raw)?.[0];
    return {
      open: false,
      reason: `the server sent ${scheme ? `a ${scheme} URL` : 'something'}, not a plain http(s) address`,
    };
  }
  const url = new URL(safe);
  // The scheme first: the one thing that decides which program the OS starts.
  if (url.protocol !== base.protocol) {
    return { open: false, reason: `the server sent a ${url.protocol} URL, not ${base.protocol}` };
  }
  if (url.origin !== base.origin) {
    return {
      open: false,
      reason: `the server sent an address on ${url.origin}, not on its own ${base.origin}`,
    };
  }
  const path = `${base.pathname.replace(/\/+$/, '')}${OIDC_AUTHORIZE_PATH}`;
  if (url.pathname !== path) {
    return { open: false, reason: `the server sent ${url.pathname}, not its sign-in address` };
  }
  if (url.hash) return { open: false, reason: 'the server sent a URL with a #fragment' };
  return { open: true, url: url.toString() };
}
