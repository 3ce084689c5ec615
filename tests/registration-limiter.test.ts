// AGT-1 registration rate limits: token buckets per org secret and per client address, with
// limits chosen so that the benchmark's load passes and one stolen secret cannot flood.
import { describe, expect, it } from 'vitest';
import {
  REGISTRATIONS_PER_ADDRESS,
  REGISTRATIONS_PER_ORG,
  RegistrationLimiter,
  TokenBuckets,
  addressKey,
} from '../main/features/agents/registration-limiter';

describe('TokenBuckets', () => {
  it('lets a burst through, then one per refill interval, and says when to retry', () => {
    const b = new TokenBuckets({ burst: 3, perSecond: 2 });
    expect([0, 0, 0].map(() => b.take('k', 0))).toEqual([0, 0, 0]);
    expect(b.take('k', 0)).toBe(1); // seconds to wait (rounded up)
    expect(b.take('k', 499)).toBe(1);
    expect(b.take('k', 500)).toBe(0);
    expect(b.take('other', 500)).toBe(0);
    const slow = new TokenBuckets({ burst: 1, perSecond: 0.1 });
    expect(slow.take('k', 0)).toBe(0);
    expect(slow.take('k', 0)).toBe(10);
  });

  it('keeps memory bounded: idle buckets are dropped, and at most maxKeys are kept', () => {
    const b = new TokenBuckets({ burst: 2, perSecond: 1 }, 1_000);
    for (let i = 0; i < 50_000; i++) b.take(`k${i}`, i);
    expect(b.size).toBeLessThanOrEqual(1_000);
    // A bucket refilled to its burst is the same as no bucket: the sweep forgets it.
    const c = new TokenBuckets({ burst: 2, perSecond: 1 }, 10);
    for (let i = 0; i < 10; i++) c.take(`k${i}`, 0);
    c.take('late', 5_000);
    expect(c.size).toBe(1);
  });
});

describe('addressKey', () => {
  it('is the IPv4 address (also when IPv4-mapped) or the IPv6 /64', () => {
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('2001:db8:1:2::5')).toBe(addressKey('2001:db8:1:2:ffff::9'));
    expect(addressKey('2001:db8:1:2::5')).not.toBe(addressKey('2001:db8:1:3::5'));
    expect(addressKey('unknown')).toBe('unknown');
  });
});

describe('the default limits', () => {
  it("admit the benchmark's registrations: 10 s at 6,000/s over 50 secrets from 127.0.0.1", () => {
    // bench/extra-benches.ts: autocannon, 32 connections, ~3,400 req/s (at most 4,200 seen),
    // the org secrets taken in turn; 6,000/s leaves room for a faster machine.
    const limiter = new RegistrationLimiter();
    let refused = 0;
    for (let i = 0; i < 60_000; i++) {
      const now = Math.floor(i / 6);
      if (limiter.takeAddress('127.0.0.1', now) || limiter.takeOrg(1 + (i % 50), now)) refused++;
    }
    expect(refused).toBe(0);
  });

  it('cap one stolen secret: at 1,000/s for a minute, only the burst and the refill get in', () => {
    const limiter = new RegistrationLimiter();
    let admitted = 0;
    for (let i = 0; i < 60_000; i++) if (limiter.takeOrg(7, i) === 0) admitted++;
    const { burst, perSecond } = REGISTRATIONS_PER_ORG;
    expect(admitted).toBeLessThanOrEqual(burst + perSecond * 60 + 1);
    expect(admitted).toBeGreaterThanOrEqual(burst + perSecond * 60 - 1);
    // Mass rollout: 10,000 hosts of one org enroll within minutes (agents retry on 429).
    expect((10_000 - burst) / perSecond).toBeLessThanOrEqual(5 * 60);
    expect(REGISTRATIONS_PER_ADDRESS.perSecond).toBeGreaterThanOrEqual(5_000);
  });
});
