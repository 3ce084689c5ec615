// AGT-1: registration rate limits, per org secret and per client address, so that a stolen
// secret (or one busy client) cannot flood the server with hosts. Token buckets in memory: a
// limit, not a guarantee, and each replica counts for itself (SCALE-2 lists what must not live in
// memory; a rate limit may, since losing it on restart only forgives a little).
import { formatIp, parseIp } from '../../../shared/cidr';

export interface BucketLimit {
  /** How many may come at once. */
  burst: number;
  /** How many more per second after that. */
  perSecond: number;
}

export interface RegistrationLimits {
  perOrg: BucketLimit;
  perAddress: BucketLimit;
}

/**
 * Per org secret (counted per org, so its previous secret in a SEC-3 grace window shares the
 * bucket): what a mass rollout needs and no more. 1,000 hosts at once, then 50 a second: 10,000
 * hosts of one org enroll in 3 minutes (agents retry after Retry-After), while a stolen secret
 * adds at most 50 hosts a second, about 1/80 of the server's measured registration capacity.
 * The benchmark's 50 secrets in turn at up to 4,200 req/s are 84/s each for 10 s: 840, inside
 * the 1,500 a bucket allows in that time.
 */
export const REGISTRATIONS_PER_ORG: BucketLimit = { burst: 1_000, perSecond: 50 };

/**
 * Per client address: generous, because one address can stand for a whole site behind NAT, or
 * for every agent behind a reverse proxy not in ORGDESK_TRUSTED_PROXIES. About the server's
 * whole registration capacity (3,000-4,200/s over loopback HTTP on 2 cores; the benchmark sends
 * all of it from 127.0.0.1), so it only stops one client from going far past what the server can
 * do, and bounds a flood of wrong secrets from one place.
 */
export const REGISTRATIONS_PER_ADDRESS: BucketLimit = { burst: 20_000, perSecond: 5_000 };

export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = {
  perOrg: REGISTRATIONS_PER_ORG,
  perAddress: REGISTRATIONS_PER_ADDRESS,
};

/** Buckets kept per kind at most; a client with more addresses than this evicts the oldest. */
export const MAX_TRACKED_KEYS = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** One token bucket per key. */
export class TokenBuckets {
  private readonly buckets = new Map<string | number, Bucket>();
  private takes = 0;

  constructor(
    private readonly limit: BucketLimit,
    private readonly maxKeys = MAX_TRACKED_KEYS,
  ) {}

  /** Takes a token for `key` at `now` (ms): 0 when granted, else whole seconds to wait. */
  take(key: string | number, now: number): number {
    const { burst, perSecond } = this.limit;
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (++this.takes % 4096 === 0 || this.buckets.size >= this.maxKeys) this.sweep(now);
      b = { tokens: burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) * perSecond) / 1000);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
  }

  /**
   * A bucket refilled to its burst is no different from an absent one: dropping it forgets
   * nothing. If that is not enough, the oldest buckets go (Map order is insertion order).
   */
  private sweep(now: number): void {
    const { burst, perSecond } = this.limit;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * perSecond) / 1000 >= burst) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

/**
 * The key an address is counted under: the IPv4 address (an IPv4-mapped one, as a dual-stack
 * socket reports it, included), or the /64 of an IPv6 address, since one client holds a whole
 * /64 and could otherwise take a new address for every request.
 */
export function addressKey(address: string): string {
  const ip = parseIp(address);
  if (!ip) return address;
  if (ip.family === 4) return formatIp(4, ip.value);
  return `${formatIp(6, (ip.value >> 64n) << 64n)}/64`;
}

export class RegistrationLimiter {
  private readonly orgs: TokenBuckets;
  private readonly addresses: TokenBuckets;

  constructor(limits: RegistrationLimits = DEFAULT_REGISTRATION_LIMITS) {
    this.orgs = new TokenBuckets(limits.perOrg);
    this.addresses = new TokenBuckets(limits.perAddress);
  }

  /** 0, or the seconds to wait before this address may register again. */
  takeAddress(address: string, now: number): number {
    return this.addresses.take(addressKey(address), now);
  }

  /** 0, or the seconds to wait before this org's secret may register again. */
  takeOrg(orgId: number, now: number): number {
    return this.orgs.take(orgId, now);
  }
}
