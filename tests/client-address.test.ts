// SCALE-2: the client address behind a load balancer (ORGDESK_TRUSTED_PROXIES). One pure decision:
// each row is a case with the reason it must come out that way.
import { describe, expect, it } from 'vitest';
import {
  NO_TRUSTED_PROXIES,
  decideClientAddress,
  parseTrustedProxies,
  type TrustedProxies,
} from '../main/server/client-address';

const trusted = (text: string): TrustedProxies => {
  const parsed = parseTrustedProxies(text);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.proxies;
};

const LB = trusted('10.0.0.0/8, 192.0.2.10, 2001:db8::/32');

describe('decideClientAddress', () => {
  it.each<[string, string | undefined, string | undefined, TrustedProxies, string, string]>([
    // why, peer, X-Forwarded-For, trusted, expected address, expected `via`
    [
      'no proxies trusted: the header is ignored, whatever it says',
      '203.0.113.9',
      '198.51.100.1',
      NO_TRUSTED_PROXIES,
      '203.0.113.9',
      'peer',
    ],
    [
      'an untrusted peer may not claim another address (a forged header)',
      '203.0.113.9',
      '10.1.2.3',
      LB,
      '203.0.113.9',
      'peer',
    ],
    [
      'a trusted proxy: the address it saw (the right-most hop)',
      '10.0.0.5',
      '198.51.100.7',
      LB,
      '198.51.100.7',
      'forwarded',
    ],
    [
      'the client prepended a forged hop: only the right-most untrusted hop counts',
      '10.0.0.5',
      '1.2.3.4, 198.51.100.7',
      LB,
      '198.51.100.7',
      'forwarded',
    ],
    [
      'a chain of trusted proxies is walked from the right to the first untrusted hop',
      '10.0.0.5',
      '1.2.3.4, 198.51.100.7, 10.9.9.9, 192.0.2.10',
      LB,
      '198.51.100.7',
      'forwarded',
    ],
    [
      'repeated headers arrive joined by commas and are one list',
      '10.0.0.5',
      '198.51.100.7,10.9.9.9',
      LB,
      '198.51.100.7',
      'forwarded',
    ],
    [
      'a trusted proxy that sent no header: the proxy itself is the client',
      '10.0.0.5',
      undefined,
      LB,
      '10.0.0.5',
      'peer',
    ],
    [
      'every hop trusted: the farthest one is the best we know',
      '10.0.0.5',
      '10.7.7.7, 192.0.2.10',
      LB,
      '10.7.7.7',
      'forwarded',
    ],
    [
      'a malformed hop ends the walk: the trusted hop that passed it on is the client',
      '10.0.0.5',
      '198.51.100.7, not-an-ip, 10.9.9.9',
      LB,
      '10.9.9.9',
      'forwarded',
    ],
    [
      'a malformed right-most hop: the proxy itself is the client',
      '10.0.0.5',
      'unknown',
      LB,
      '10.0.0.5',
      'peer',
    ],
    [
      'a dual-stack socket shows an IPv4 proxy as ::ffff:a.b.c.d: still trusted',
      '::ffff:10.0.0.5',
      '198.51.100.7',
      LB,
      '198.51.100.7',
      'forwarded',
    ],
    [
      'IPv6 proxies and clients, in canonical form',
      '2001:db8::1',
      '2001:DB8:0:0:0:0:0:FFFF, 2001:db8::2',
      trusted('2001:db8::2/128, 2001:db8::1'),
      '2001:db8::ffff',
      'forwarded',
    ],
    [
      'a hop with a port (some balancers append one) is read without it',
      '10.0.0.5',
      '198.51.100.7:52311, [2001:db8::9]:443',
      trusted('10.0.0.5, 2001:db8::9'),
      '198.51.100.7',
      'forwarded',
    ],
    [
      'an IPv4-mapped hop is the IPv4 address (one throttle key, not two)',
      '10.0.0.5',
      '::ffff:198.51.100.7',
      LB,
      '198.51.100.7',
      'forwarded',
    ],
    ['no peer address at all (a closed socket)', undefined, '198.51.100.7', LB, 'unknown', 'peer'],
  ])('%s', (_why, peer, forwardedFor, proxies, address, via) => {
    const verdict = decideClientAddress({ peer, forwardedFor }, proxies);
    expect(verdict.address).toBe(address);
    expect(verdict.via).toBe(via);
    expect(verdict.reason).toMatch(/\w/);
  });

  it('reads no more than 32 hops of a header a trusted chain forwarded', () => {
    const many = Array.from({ length: 200 }, () => '10.1.1.1').join(', ');
    const verdict = decideClientAddress({ peer: '10.0.0.5', forwardedFor: many }, LB);
    expect(verdict.address).toBe('10.1.1.1');
    expect(verdict.reason).toMatch(/32/);
  });
});

describe('parseTrustedProxies (ORGDESK_TRUSTED_PROXIES)', () => {
  it('takes comma-separated addresses and CIDRs; blank is none', () => {
    const blank = parseTrustedProxies(' ');
    expect(blank.ok && blank.proxies).toEqual(NO_TRUSTED_PROXIES);
    const parsed = parseTrustedProxies(' 10.0.0.0/8 ,192.0.2.10,, 2001:db8::/32 ');
    expect(parsed.ok && parsed.proxies.entries).toEqual([
      '10.0.0.0/8',
      '192.0.2.10/32',
      '2001:db8::/32',
    ]);
  });

  it.each([
    ['10.0.0.0/33', /10\.0\.0\.0\/33/],
    ['10.0.0.1/8', /host bits set: did you mean 10\.0\.0\.0\/8/],
    ['proxy.example.com', /not a valid IPv4 or IPv6 address/],
  ])('refuses %s, saying why', (text, why) => {
    const parsed = parseTrustedProxies(`10.0.0.0/8,${text}`);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors.join('\n')).toMatch(why);
  });
});
