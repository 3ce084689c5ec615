// SCALE-2: who the client is, behind a load balancer. The address keys the sign-in throttle, goes
// into the audit trail (`address`) and the sessions list; behind a balancer every TCP peer is the
// balancer, so five failures by anyone would throttle everyone. X-Forwarded-For is believed only
// from a peer the operator named in ORGDESK_TRUSTED_PROXIES, and only as far as the hops trusted
// proxies appended: each proxy appends the address it saw, so the list is read from the right and
// the first hop that is not a trusted proxy is the client. Anything left of it came from the client
// itself and can say anything.
import { cidrContains, formatIp, parseCidr, parseIp, type Cidr } from '../../shared/cidr';

export interface TrustedProxies {
  readonly cidrs: readonly Cidr[];
  /** The canonical CIDRs, as the operator's list reads once parsed. */
  readonly entries: readonly string[];
}

export const NO_TRUSTED_PROXIES: TrustedProxies = { cidrs: [], entries: [] };

/** More hops than any real chain of proxies has; past it the header is not read further. */
export const MAX_FORWARDED_HOPS = 32;

export type TrustedProxiesParse =
  { ok: true; proxies: TrustedProxies } | { ok: false; errors: string[] };

/**
 * ORGDESK_TRUSTED_PROXIES: comma-separated IPv4/IPv6 addresses and CIDRs (an address is its /32
 * or /128). Blank entries are skipped; an invalid one is refused with why, never guessed at.
 */
export function parseTrustedProxies(text: string | undefined): TrustedProxiesParse {
  const cidrs: Cidr[] = [];
  const errors: string[] = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    let written = entry;
    if (!entry.includes('/')) {
      const ip = parseIp(entry);
      if (ip) written = `${entry}/${ip.family === 4 && !entry.includes(':') ? 32 : 128}`;
    }
    const parsed = parseCidr(written);
    if (parsed.ok) cidrs.push(parsed.cidr);
    else errors.push(parsed.error.includes(entry) ? parsed.error : `${entry}: ${parsed.error}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, proxies: { cidrs, entries: cidrs.map((c) => c.text) } };
}

export interface ClientAddressFacts {
  /** The TCP peer (`socket.remoteAddress`); undefined once the socket is gone. */
  peer: string | undefined;
  /** The X-Forwarded-For header as received (repeated headers joined by commas, as Node does). */
  forwardedFor: string | undefined;
}

export interface ClientAddressVerdict {
  address: string;
  /** `peer`: the socket's own address; `forwarded`: a hop of X-Forwarded-For. */
  via: 'peer' | 'forwarded';
  /** Why this address, for tests and diagnostics. */
  reason: string;
}

/** A hop as written by proxies: an address, `[v6]:port` or `v4:port`; null if it is none of these. */
function hopAddress(hop: string): string | null {
  const text = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  const v4Port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  const candidate = bracketed?.[1] ?? v4Port?.[1] ?? text;
  const ip = parseIp(candidate);
  // Canonical, so one client is one throttle key however a proxy spells its address.
  return ip ? formatIp(ip.family, ip.value) : null;
}

const isTrusted = (address: string, trusted: TrustedProxies): boolean => {
  const ip = parseIp(address);
  return ip !== null && trusted.cidrs.some((c) => cidrContains(c, ip));
};

/**
 * The client's address: the peer, unless the peer is a trusted proxy; then the right-most hop of
 * X-Forwarded-For that is not a trusted proxy. When every hop is trusted the farthest one is the
 * best known; a malformed hop ends the walk at the trusted hop that passed it on (it was not
 * appended by a proxy we trust, so nothing from it on is believed).
 */
export function decideClientAddress(
  facts: ClientAddressFacts,
  trusted: TrustedProxies,
): ClientAddressVerdict {
  const peer = facts.peer;
  if (peer === undefined) {
    return { address: 'unknown', via: 'peer', reason: 'the connection has no peer address' };
  }
  if (!isTrusted(peer, trusted)) {
    return {
      address: peer,
      via: 'peer',
      reason:
        trusted.cidrs.length === 0
          ? 'no proxy is trusted: X-Forwarded-For is ignored'
          : 'the peer is not a trusted proxy: its X-Forwarded-For is ignored',
    };
  }
  const hops = (facts.forwardedFor ?? '').split(',').filter((h) => h.trim() !== '');
  if (hops.length === 0) {
    return { address: peer, via: 'peer', reason: 'a trusted proxy sent no X-Forwarded-For' };
  }
  let last: ClientAddressVerdict = {
    address: peer,
    via: 'peer',
    reason: 'the right-most X-Forwarded-For hop is not an address',
  };
  for (let i = hops.length - 1, read = 0; i >= 0; i--, read++) {
    if (read === MAX_FORWARDED_HOPS) {
      return { ...last, reason: `read ${MAX_FORWARDED_HOPS} hops, all of them trusted proxies` };
    }
    const address = hopAddress(hops[i]!);
    if (address === null) {
      return { ...last, reason: `X-Forwarded-For hop ${i + 1} is not an address` };
    }
    if (!isTrusted(address, trusted)) {
      return {
        address,
        via: 'forwarded',
        reason: 'the right-most X-Forwarded-For hop that is not a trusted proxy',
      };
    }
    last = { address, via: 'forwarded', reason: 'every hop is a trusted proxy: the farthest' };
  }
  return last;
}
