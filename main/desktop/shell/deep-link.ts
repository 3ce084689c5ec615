// `orgdesk://org/<id>` deep links: the OS hands them to the app (argv on Windows and Linux,
// open-url on macOS). They come from anywhere (a web page, an email), so they are parsed strictly
// and can only ever select an org to show: access is checked as usual when the console loads it.

export const DEEP_LINK_SCHEME = 'orgdesk';

export type DeepLink = { kind: 'organization'; organizationId: number };

const MAX_LENGTH = 200;

export function parseDeepLink(raw: string): DeepLink | null {
  if (typeof raw !== 'string' || raw.length > MAX_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) return null;
  if (url.username || url.password || url.port || url.search || url.hash) return null;
  if (url.hostname.toLowerCase() !== 'org') return null;
  const match = /^\/([1-9][0-9]{0,15})\/?$/.exec(url.pathname);
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? { kind: 'organization', organizationId: id } : null;
}

/** The deep link among a second instance's command-line arguments, if any. */
export function findDeepLink(argv: readonly string[]): DeepLink | null {
  for (const arg of argv) {
    if (!arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) continue;
    const link = parseDeepLink(arg);
    if (link) return link;
  }
  return null;
}
