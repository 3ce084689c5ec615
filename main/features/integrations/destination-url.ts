// INT-1/INT-2: what a destination's URL may be, decided once for creation and for every send.
import { badRequest } from '../../core/errors';
import type { DestinationKind } from '../../../shared/integrations';

export type Transport = 'tls' | 'tcp' | 'udp' | 'https' | 'http';

export interface Target {
  transport: Transport;
  host: string;
  port: number;
  /** For webhooks: the URL itself. */
  href: string;
}

const SYSLOG: readonly Transport[] = ['tls', 'tcp', 'udp'];

/**
 * Parses and checks a destination URL. Syslog: `tls://host:port` (RFC 5425), `tcp://host:port`
 * or `udp://host:port`. Webhook: `https://…`; `http://` only where the server allows private
 * destinations (ORGDESK_WEBHOOK_ALLOW_PRIVATE=1: tests and labs). Errors name the field and fix.
 */
export function parseDestinationUrl(
  kind: DestinationKind,
  raw: string,
  allowPrivate: boolean,
): Target {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badRequest(
      kind === 'syslog'
        ? 'url must look like tls://collector.example.com:6514 (or tcp://…, udp://…)'
        : 'url must look like https://hooks.example.com/orgdesk',
      'url',
    );
  }
  const transport = u.protocol.replace(/:$/, '') as Transport;
  if (u.username || u.password) {
    throw badRequest('url must not carry a user name or password: webhooks are signed', 'url');
  }
  if (kind === 'syslog') {
    if (!SYSLOG.includes(transport)) {
      throw badRequest(
        'url of a syslog destination must start with tls://, tcp:// or udp://',
        'url',
      );
    }
    if (!u.port) throw badRequest('url must name the collector port, e.g. tls://host:6514', 'url');
    if (u.pathname && u.pathname !== '/' && u.pathname !== '') {
      throw badRequest('url of a syslog destination takes no path: tls://host:port', 'url');
    }
  } else if (transport !== 'https' && !(transport === 'http' && allowPrivate)) {
    throw badRequest('url of a webhook must start with https://', 'url');
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw badRequest('url must name a host', 'url');
  const port = u.port ? Number(u.port) : transport === 'https' ? 443 : 80;
  return { transport, host, port, href: u.href };
}
