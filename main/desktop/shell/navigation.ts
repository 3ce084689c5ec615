// Where a window may go. In-app navigation stays on the app protocol; nothing else loads in a
// window. A link to an external http(s) page is handed to the OS browser, after validation.
import { isAppUrl } from './app-protocol';

export type NavigationDecision =
  | { action: 'allow' }
  | { action: 'open-external'; url: string }
  | { action: 'deny'; reason: string };

const MAX_EXTERNAL_URL = 2048;

/**
 * An http(s) URL safe to give to the OS browser, normalised, or null: no credentials in it
 * (phishing), no control characters or whitespace (argument injection in some OS handlers), not
 * overly long, and a real host name.
 */
export function externalUrl(raw: string): string | null {
  if (raw.length > MAX_EXTERNAL_URL) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || !url.hostname) return null;
  return url.toString();
}

/** A window's main-frame navigation or a redirect: only within the app. */
export function decideNavigation(raw: string): NavigationDecision {
  if (isAppUrl(raw)) return { action: 'allow' };
  const external = externalUrl(raw);
  if (external) return { action: 'open-external', url: external };
  return { action: 'deny', reason: `navigation to ${raw.slice(0, 100)} is not allowed` };
}

/** window.open and target=_blank: never a new Electron window; external links to the browser. */
export function decideWindowOpen(raw: string): NavigationDecision {
  const external = externalUrl(raw);
  if (external) return { action: 'open-external', url: external };
  return { action: 'deny', reason: 'windows cannot be opened from the page' };
}
