// INT-1: audit entries as RFC 5424 syslog messages, sent over TLS with octet-counted framing
// (RFC 5425), plain TCP (the same framing, RFC 6587) or UDP (one message per datagram, RFC 5426).
import { createSocket } from 'node:dgram';
import dns from 'node:dns';
import { hostname } from 'node:os';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Target } from './destination-url';
import type { OutboundEntry } from './integrations.repo';

/**
 * The SD-ID of our structured data. 32473 is the Private Enterprise Number IANA reserves for
 * documentation and examples (RFC 5612); an installation with its own number would put it here.
 */
export const SD_ID = 'orgdesk@32473';
// facility 13 (log audit), severity 6 (informational): <110>
const PRI = 13 * 8 + 6;
const SEND_TIMEOUT_MS = 10_000;

/** RFC 5424 §6.3.3: `"`, `\` and `]` are escaped inside a PARAM-VALUE. */
const sdValue = (v: string | number | null): string =>
  String(v ?? '-').replace(/["\\\]]/g, (c) => `\\${c}`);

/** HOSTNAME, APP-NAME, MSGID: printable US-ASCII without spaces, bounded. */
const header = (v: string, max: number): string =>
  v.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';

/**
 * One audit entry as an RFC 5424 message. The structured data carries what a SIEM correlates on
 * (account, org, actor, action, target, the entry's sequence and chain hash); the free text
 * repeats it for people. Details are not sent: they may describe settings, and the structured
 * fields are the forwarding contract (nothing secret can leave with them).
 */
export function syslogMessage(e: OutboundEntry, host = hostname()): string {
  const params: [string, string | number | null][] = [
    ['account', e.accountId],
    ['org', e.organizationId],
    ['actor', e.actorLabel],
    ['actor_id', e.actorUserId],
    ['action', e.action],
    ['target_type', e.targetType],
    ['target', e.targetId],
    ['seq', e.seq],
    ['hash', e.hash],
  ];
  const sd = `[${SD_ID} ${params.map(([k, v]) => `${k}="${sdValue(v)}"`).join(' ')}]`;
  const time = new Date(e.at).toISOString();
  const text = `${e.actorLabel} ${e.action} ${e.targetType}${e.targetId ? ` ${e.targetId}` : ''}`;
  return `<${PRI}>1 ${time} ${header(host, 255)} orgdesk - ${header(e.action, 32)} ${sd} ${text}`;
}

/** RFC 5425 §4.3 / RFC 6587 §3.4.1: `MSG-LEN SP SYSLOG-MSG`, the length in octets. */
export const octetCounted = (msg: string): Buffer => {
  const body = Buffer.from(msg, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
};

export interface SyslogOptions {
  /** PEM of the CA the collector's certificate must chain to; the system's CAs when absent. */
  caPem?: string | null;
}

/**
 * Sends the messages in order and resolves once they were handed to the collector: for TCP and
 * TLS once the connection closed cleanly after the last byte (syslog has no application
 * acknowledgement, so a collector that dies mid-batch means a re-send: at least once).
 */
export async function sendSyslog(
  target: Target,
  messages: readonly string[],
  opts: SyslogOptions = {},
): Promise<void> {
  if (target.transport === 'udp') return sendUdp(target, messages);
  const frames = Buffer.concat(messages.map(octetCounted));
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve();
    };
    const socket: Socket =
      target.transport === 'tls'
        ? tlsConnect({
            host: target.host,
            port: target.port,
            ca: opts.caPem ?? undefined,
            // SNI only for names (RFC 6066 forbids IP literals); the certificate is checked
            // against the host either way.
            servername: isIP(target.host) ? undefined : target.host,
          })
        : tcpConnect({ host: target.host, port: target.port });
    const timer = setTimeout(
      () =>
        done(
          new Error(`the collector did not accept the messages within ${SEND_TIMEOUT_MS / 1000} s`),
        ),
      SEND_TIMEOUT_MS,
    );
    socket.on('error', (err) => done(err));
    socket.once(target.transport === 'tls' ? 'secureConnect' : 'connect', () => {
      socket.end(frames);
    });
    socket.on('data', () => {});
    socket.once('close', (hadError) => {
      if (hadError) done(new Error('the collector closed the connection with an error'));
      else done();
    });
  });
}

async function sendUdp(target: Target, messages: readonly string[]): Promise<void> {
  const family = isIP(target.host) === 6 ? 6 : 4;
  // Resolved once for the batch: dgram's send looks its address up on every call (for a name,
  // getaddrinfo on libuv's thread pool, once per message of up to 500). The module's own
  // lookup, as dgram's is: the same resolver, the same answer.
  const address = await new Promise<string>((resolve, reject) =>
    dns.lookup(target.host, { family }, (err, a) => (err ? reject(err) : resolve(a))),
  );
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  try {
    for (const m of messages) {
      await new Promise<void>((resolve, reject) =>
        socket.send(Buffer.from(m, 'utf8'), target.port, address, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    }
  } finally {
    socket.close();
  }
}
