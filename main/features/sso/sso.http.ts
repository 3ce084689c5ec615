// IDN-4: the provider's redirect back to the server, written by hand like the agents' endpoints:
// a browser arrives here (no JSON, no bearer token) and leaves with a redirect, or a plain page
// saying what went wrong when there is nowhere safe to send it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '../../core/errors';
import { AUTHORIZE_PATH, CALLBACK_PATH, type SsoService } from './sso.service';

export { AUTHORIZE_PATH, CALLBACK_PATH };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function handleOidcCallback(
  sso: Pick<SsoService, 'callback'>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  serverUrl: string,
): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  // The code and state are in the query: no Referer carries them on to another site.
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (req.method !== 'GET') {
    res.writeHead(405, { Allow: 'GET', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('The sign-in callback takes GET only');
    return;
  }
  try {
    const { redirect } = await sso.callback(url, serverUrl);
    res.writeHead(303, { Location: redirect });
    res.end();
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    res.writeHead(err.code === 'BAD_REQUEST' ? 400 : 409, {
      'Content-Type': 'text/html; charset=utf-8',
    });
    res.end(
      `<!doctype html><meta charset="utf-8"><title>Sign-in failed</title><h1>Sign-in failed</h1><p data-error="${escapeHtml(err.code)}">${escapeHtml(err.message)}</p><p><a href="/">Back to Orgdesk</a></p>`,
    );
  }
}

/** `browser_url`: the server's own address, sending the browser on to the provider (IDN-4). */
export function handleOidcAuthorize(
  sso: Pick<SsoService, 'authorizeRedirect'>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (req.method !== 'GET') {
    res.writeHead(405, { Allow: 'GET', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('The sign-in link takes GET only');
    return;
  }
  let to: string;
  try {
    to = sso.authorizeRedirect(url);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><meta charset="utf-8"><title>Sign-in failed</title><h1>Sign-in failed</h1><p data-error="${escapeHtml(err.code)}">${escapeHtml(err.message)}</p>`,
    );
    return;
  }
  res.writeHead(303, { Location: to });
  res.end();
}
