// SCALE-2, issue 15 target "lease takeover within its TTL": the decision a scheduler takes after
// one attempt at its job's lease (core/lease.ts nextLeaseAttempt), a pure function of what the
// lease row said, the clock once the attempt returned, the job's interval and the jitter.
import { describe, expect, it } from 'vitest';
import {
  LEASE_RETRY_JITTER_MS,
  LEASE_RETRY_MARGIN_MS,
  leaseTtlFor,
  nextLeaseAttempt,
} from '../main/core/lease';

const INTERVAL = 15_000;
const TTL = leaseTtlFor(INTERVAL);
const NOW = 1_000_000;

describe('nextLeaseAttempt', () => {
  it('taken or renewed: runs the pass and waits for its next tick to renew (well before the expiry)', () => {
    const v = nextLeaseAttempt({
      state: { taken: true, expiresAt: NOW + TTL },
      now: NOW,
      intervalMs: INTERVAL,
      jitter: 0.5,
    });
    expect(v).toEqual({
      run: true,
      retryInMs: null,
      reason: `held until ${NOW + TTL}; renewed at the next tick, ${TTL - INTERVAL} ms before it would run out`,
    });
  });

  it('refused, the holder’s lease running out before the next tick: tries again at that expiry plus the margin', () => {
    const expiresAt = NOW + 4_000;
    const at = (jitter: number) =>
      nextLeaseAttempt({
        state: { taken: false, holder: 'host:41:ab', expiresAt },
        now: NOW,
        intervalMs: INTERVAL,
        jitter,
      });
    expect(at(0)).toEqual({
      run: false,
      retryInMs: 4_000 + LEASE_RETRY_MARGIN_MS,
      reason: `held by host:41:ab until ${expiresAt}: trying again 4050 ms from now, when it runs out (before the next tick)`,
    });
    // The jitter spreads N refused replicas over [expiry + 50, expiry + 250) ms.
    expect(at(0.999).retryInMs).toBe(4_000 + LEASE_RETRY_MARGIN_MS + LEASE_RETRY_JITTER_MS - 1);
    expect(at(0.5).retryInMs).toBe(4_000 + LEASE_RETRY_MARGIN_MS + LEASE_RETRY_JITTER_MS / 2);
  });

  it('refused, the holder’s lease outlasting the next tick: the tick tries again (no extra timer)', () => {
    const v = nextLeaseAttempt({
      state: { taken: false, holder: 'host:41:ab', expiresAt: NOW + TTL },
      now: NOW,
      intervalMs: INTERVAL,
      jitter: 0,
    });
    expect(v).toEqual({
      run: false,
      retryInMs: null,
      reason: `held by host:41:ab until ${NOW + TTL}: the next tick comes first`,
    });
  });

  it('refused by a lease already due by this clock (the holder’s clock behind ours): tries again after the margin only', () => {
    const v = nextLeaseAttempt({
      state: { taken: false, holder: 'host:41:ab', expiresAt: NOW - 30 },
      now: NOW,
      intervalMs: INTERVAL,
      jitter: 0,
    });
    expect(v.run).toBe(false);
    expect(v.retryInMs).toBe(LEASE_RETRY_MARGIN_MS);
  });

  it('refused with the expiry unknown (a first insert raced): the next tick', () => {
    const v = nextLeaseAttempt({
      state: { taken: false, holder: null, expiresAt: null },
      now: NOW,
      intervalMs: INTERVAL,
      jitter: 0,
    });
    expect(v).toEqual({
      run: false,
      retryInMs: null,
      reason: 'held by another replica (its expiry not read): the next tick tries again',
    });
  });

  it('taken, but the renewal returned after the lease it wrote ran out: does not run; tries again at once', () => {
    for (const late of [0, 1, 60_000]) {
      const v = nextLeaseAttempt({
        state: { taken: true, expiresAt: NOW + TTL },
        now: NOW + TTL + late,
        intervalMs: INTERVAL,
        jitter: 0,
      });
      expect(v).toEqual({
        run: false,
        retryInMs: LEASE_RETRY_MARGIN_MS,
        reason: `the renewal returned ${late} ms after the lease it wrote ran out (a pause or a slow statement): not running past it`,
      });
    }
  });
});
