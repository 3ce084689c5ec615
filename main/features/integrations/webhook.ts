// INT-2: signed webhook requests, and the address rule checked at delivery after DNS resolution.
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { Target } from './destination-url';
import type { OutboundEntry } from './integrations.repo';

const SEND_TIMEOUT_MS = 10_000;

/** The JSON body of the SPEC: id, event, occurred_at, account_id, organization_id, actor, target. */
export function webhookBody(e: OutboundEntry): string {
  return JSON.stringify({
    id: e.auditEntryId,
    event: e.action,
    occurred_at: new Date(e.at).toISOString(),
    account_id: e.accountId,
    organization_id: e.organizationId,
    actor: { user_id: e.actorUserId, label: e.actorLabel },
    target: { type: e.targetType, id: e.targetId },
    sequence: e.seq,
  });
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, keyed by the secret's UTF-8 bytes. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestamp}.${body}`).digest('hex')}`;
}

// Loopback, private (RFC 1918, ULA), link-local, CGNAT, "this network", multicast, reserved.
const REFUSED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  REFUSED.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  REFUSED.addSubnet(net, bits, 'ipv6');
}

/** Whether an address is one a webhook may never reach (unless private destinations are allowed). */
export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return REFUSED.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return REFUSED.check(mapped[1]!, 'ipv4');
    return REFUSED.check(address, 'ipv6');
  }
  return true;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly responseStatus: number | null = null,
  ) {
    super(message);
  }
}

export interface WebhookRequest {
  target: Target;
  secret: string;
  body: string;
  /** Unix seconds. */
  timestamp: number;
  allowPrivate: boolean;
}

/**
 * POSTs one signed body. The host is resolved here and every address it resolves to is checked;
 * the connection goes to the address that was checked (no second lookup a rebinding DNS could
 * answer differently). A 2xx answer is a delivery; anything else is a failure with its status.
 */
export async function sendWebhook(w: WebhookRequest): Promise<{ status: number }> {
  const found = isIP(w.target.host)
    ? [{ address: w.target.host, family: isIP(w.target.host) }]
    : await lookup(w.target.host, { all: true }).catch((err: NodeJS.ErrnoException) => {
        throw new DeliveryError(`could not resolve ${w.target.host}: ${err.code ?? err.message}`);
      });
  if (!w.allowPrivate) {
    const bad = found.find((a) => isRefusedAddress(a.address));
    if (bad) {
      throw new DeliveryError(
        `refused: ${w.target.host} resolves to ${bad.address}, a loopback, private or link-local address`,
      );
    }
  }
  const pinned = found[0]!;
  const send = w.target.transport === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      w.target.href,
      {
        method: 'POST',
        agent: false,
        timeout: SEND_TIMEOUT_MS,
        // Node 20 asks for every address when it races families (autoSelectFamily): answer both forms.
        lookup: ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
          opts.all
            ? cb(null, [{ address: pinned.address, family: pinned.family }])
            : cb(null, pinned.address, pinned.family)) as never,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Orgdesk-Webhook/1',
          'X-Orgdesk-Timestamp': String(w.timestamp),
          'X-Orgdesk-Signature': webhookSignature(w.secret, w.timestamp, w.body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ status });
          else reject(new DeliveryError(`the receiver answered HTTP ${status}`, status));
        });
        res.on('error', (err) => reject(new DeliveryError(err.message)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${SEND_TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) =>
      reject(err instanceof DeliveryError ? err : new DeliveryError(err.message)),
    );
    req.end(w.body);
  });
}
