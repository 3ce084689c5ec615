import { describe, expect, it } from 'vitest';
import {
  PrefixMatcher,
  cidrContains,
  formatIp,
  ipv4ToNumber,
  linearScanMatch,
  parseCidr,
  parseIp,
  type Cidr,
  type IpFamily,
  type ParsedIp,
} from '../shared/cidr';

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`test setup: ${text}: ${r.error}`);
  return r.cidr;
}

function ip(text: string): ParsedIp {
  const p = parseIp(text);
  if (!p) throw new Error(`test setup: ${text} is not an IP`);
  return p;
}

const errorOf = (text: string) => {
  const r = parseCidr(text);
  return r.ok ? `unexpectedly valid: ${r.cidr.text}` : r.error;
};
const textOf = (text: string) => {
  const r = parseCidr(text);
  return r.ok ? r.cidr.text : r.error;
};
const matcherOf = <T>(pairs: Array<[string, T]>) =>
  new PrefixMatcher(pairs.map(([text, value]) => ({ cidr: cidr(text), value })));

// Seeded so a failing property case reproduces exactly.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

describe('parseIp', () => {
  it.each([
    ['0.0.0.0', 0n],
    ['10.1.2.3', 0x0a010203n],
    ['255.255.255.255', 0xffffffffn],
    ['192.168.0.10', 0xc0a8000an],
  ])('accepts IPv4 %s and writes it back unchanged', (text, value) => {
    expect(parseIp(text)).toEqual({ family: 4, value });
    expect(ipv4ToNumber(text)).toBe(Number(value));
    expect(formatIp(4, value)).toBe(text);
  });

  it.each<[string, string[]]>([
    ['leading zeros', ['010.1.1.1', '10.01.1.1', '10.1.1.00', '00.1.1.1']],
    ['an octet over 255', ['256.1.1.1', '10.1.1.256', '10.1.1.1000']],
    ['the wrong shape', ['10.1.1', '10.1.1.1.1', '10..1.1', '.10.1.1.1', '10.1.1.1.', '', 'abc']],
    ['whitespace', [' 10.1.1.1', '10.1.1.1 ', '10.1.1.1\n', '10.1. 1.1']],
    ['other notations', ['+1.1.1.1', '0x0a.1.1.1', '1e1.1.1.1', '167772161', '10.1.1.1/32']],
  ])('rejects IPv4 with %s', (_why, cases) => {
    for (const text of cases) {
      expect(parseIp(text), text).toBeNull();
      expect(ipv4ToNumber(text), text).toBeNull();
    }
  });

  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['fe80::1', (0xfe80n << 112n) | 1n],
    ['2001:db8::', 0x20010db8n << 96n],
    ['2001:DB8:0:0:8:800:200C:417A', 0x2001_0db8_0000_0000_0008_0800_200c_417an],
    ['2001:0db8:0000:0000:0008:0800:200c:417a', 0x2001_0db8_0000_0000_0008_0800_200c_417an],
    ['2001:db8::8:800:200c:417a', 0x2001_0db8_0000_0000_0008_0800_200c_417an],
    ['1:2:3:4:5:6:7::', 0x0001_0002_0003_0004_0005_0006_0007_0000n],
    ['::2:3:4:5:6:7:8', 0x0000_0002_0003_0004_0005_0006_0007_0008n],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', (1n << 128n) - 1n],
    ['::fffe:10.0.0.1', 0xfffe0a000001n],
    ['::10.0.0.1', 0x0a000001n],
    ['1:2:3:4:5:6:1.2.3.4', 0x0001_0002_0003_0004_0005_0006_0102_0304n],
    ['64:ff9b::192.0.2.33', (0x0064ff9bn << 96n) | 0xc0000221n],
  ])('accepts IPv6 %s', (text, value) => {
    expect(parseIp(text)).toEqual({ family: 6, value });
  });

  it.each<[string, string[]]>([
    ['a zone id', ['fe80::1%eth0', 'fe80::1%1']],
    ['more than one ::', ['1::2::3', '::1::', ':::']],
    ['a stray single colon', [':1', '1:', ':1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:']],
    ['bad groups', ['12345::', 'g::1', '::-1', '[::1]', '::1/128']],
    ['too few or too many groups', ['1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::']],
    ['a :: standing for no groups', ['::1:2:3:4:5:6:7:8', '1:2:3:4::5:6:7:8']],
    ['whitespace', [' ::1', '::1 ', ':: 1']],
    ['a bad IPv4 tail', ['::ffff:010.0.0.1', '::ffff:10.0.0', '::ffff:256.0.0.1', '::1.2.3']],
    ['a misplaced IPv4 tail', ['1.2.3.4::', '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4']],
  ])('rejects IPv6 with %s', (_why, cases) => {
    for (const text of cases) expect(parseIp(text), text).toBeNull();
  });

  // LOC-3: an IPv4-mapped IPv6 address (::ffff:0:0/96, RFC 4291 2.5.5.2) is an IPv4 host speaking
  // through a dual-stack socket; it is that IPv4 address, matched against IPv4 subnets.
  it.each([
    ['::ffff:10.0.0.1', 0x0a000001n, '10.0.0.1'],
    ['::FFFF:10.0.0.1', 0x0a000001n, '10.0.0.1'],
    ['::ffff:a00:1', 0x0a000001n, '10.0.0.1'],
    ['0:0:0:0:0:ffff:10.0.0.1', 0x0a000001n, '10.0.0.1'],
    ['0000:0000:0000:0000:0000:ffff:0a00:0001', 0x0a000001n, '10.0.0.1'],
    ['::ffff:0.0.0.0', 0n, '0.0.0.0'],
    ['::ffff:255.255.255.255', 0xffffffffn, '255.255.255.255'],
  ])('reads the IPv4-mapped %s as IPv4', (text, value, written) => {
    expect(parseIp(text)).toEqual({ family: 4, value });
    expect(formatIp(4, value)).toBe(written);
  });

  it.each([
    // IPv4-compatible (deprecated), NAT64 and the ranges next to ::ffff:0:0/96 stay IPv6.
    '::10.0.0.1',
    '64:ff9b::10.0.0.1',
    '::fffe:10.0.0.1',
    '::1:ffff:10.0.0.1',
    '1::ffff:10.0.0.1',
  ])('keeps %s as IPv6', (text) => {
    expect(parseIp(text)?.family).toBe(6);
  });
});

describe('formatIp', () => {
  it.each([
    ['2001:DB8:0:0:8:800:200C:417A', '2001:db8::8:800:200c:417a'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['::fffe:10.0.0.1', '::fffe:a00:1'],
  ])('writes %s canonically as %s', (input, expected) => {
    const p = ip(input);
    expect(formatIp(6, p.value)).toBe(expected);
    expect(parseIp(expected)).toEqual(p);
  });

  it('rejects values outside the family', () => {
    expect(() => formatIp(4, 1n << 32n)).toThrow(RangeError);
    expect(() => formatIp(6, -1n)).toThrow(RangeError);
  });

  it('agrees with the WHATWG URL serializer on random zero-heavy addresses', () => {
    const rng = mulberry32(5952);
    for (let i = 0; i < 5000; i++) {
      let value = 0n;
      // Mostly-zero groups so runs, ties and edge positions all come up often.
      for (let g = 0; g < 8; g++)
        value = (value << 16n) | BigInt(rng() % 3 === 0 ? rng() & 0xffff : 0);
      const text = formatIp(6, value);
      expect(text).toBe(new URL(`http://[${text}]/`).hostname.slice(1, -1));
      expect(parseIp(text)).toEqual({ family: 6, value });
    }
  });
});

describe('parseCidr', () => {
  it('accepts canonical subnets', () => {
    expect(parseCidr('10.1.0.0/16')).toEqual({
      ok: true,
      cidr: { family: 4, network: 0x0a010000n, prefix: 16, text: '10.1.0.0/16' },
    });
    expect(parseCidr('2001:db8::/32')).toEqual({
      ok: true,
      cidr: { family: 6, network: 0x20010db8n << 96n, prefix: 32, text: '2001:db8::/32' },
    });
    for (const text of ['10.1.2.3/32', '0.0.0.0/0', '::/0', '::1/128', '::/128']) {
      expect(textOf(text)).toBe(text);
    }
  });

  it('canonicalizes valid non-canonical IPv6', () => {
    expect(textOf('2001:DB8:0::/48')).toBe('2001:db8::/48');
    expect(textOf('2001:0db8:0000::/32')).toBe('2001:db8::/32');
  });

  it('writes an IPv4-mapped network of /96 or longer as the IPv4 network it is', () => {
    expect(textOf('::ffff:10.0.0.0/104')).toBe('10.0.0.0/8');
    expect(textOf('::ffff:10.1.2.0/120')).toBe('10.1.2.0/24');
    expect(textOf('::ffff:10.1.2.3/128')).toBe('10.1.2.3/32');
    expect(textOf('::ffff:0.0.0.0/96')).toBe('0.0.0.0/0');
    expect(parseCidr('::ffff:10.1.2.3/104')).toEqual({
      ok: false,
      error: '::ffff:10.1.2.3/104 has host bits set: did you mean 10.0.0.0/8?',
      suggestion: '10.0.0.0/8',
    });
    expect(errorOf('::ffff:10.0.0.1')).toBe(
      '"::ffff:10.0.0.1" is missing a prefix length: write it as 10.0.0.1/32 or e.g. 10.0.0.1/24',
    );
    // Shorter prefixes cover more than the mapped range: they stay IPv6 networks.
    expect(textOf('::/80')).toBe('::/80');
    expect(textOf('::fffe:0:0/95')).toBe('::fffe:0:0/95');
    expect(textOf('::ffff:0:0/95')).toBe(
      '::ffff:0:0/95 has host bits set: did you mean ::fffe:0:0/95?',
    );
    expect(errorOf('::ffff:10.0.0.0/129')).toBe(
      'prefix length 129 is out of range for IPv6 (0-128)',
    );
  });

  it('suggests the network when host bits are set', () => {
    expect(parseCidr('10.1.2.3/16')).toEqual({
      ok: false,
      error: '10.1.2.3/16 has host bits set: did you mean 10.1.0.0/16?',
      suggestion: '10.1.0.0/16',
    });
    expect(parseCidr('2001:db8::1/32')).toEqual({
      ok: false,
      error: '2001:db8::1/32 has host bits set: did you mean 2001:db8::/32?',
      suggestion: '2001:db8::/32',
    });
    expect(parseCidr('0.0.0.1/0')).toMatchObject({ ok: false, suggestion: '0.0.0.0/0' });
  });

  it('explains a missing prefix length', () => {
    expect(errorOf('10.1.0.0')).toBe(
      '"10.1.0.0" is missing a prefix length: write it as 10.1.0.0/32 or e.g. 10.1.0.0/24',
    );
    expect(errorOf('2001:DB8::')).toBe(
      '"2001:DB8::" is missing a prefix length: write it as 2001:db8::/128 or e.g. 2001:db8::/64',
    );
  });

  it('rejects out-of-range prefix lengths per family', () => {
    expect(errorOf('10.0.0.0/33')).toBe('prefix length 33 is out of range for IPv4 (0-32)');
    expect(errorOf('2001:db8::/129')).toBe('prefix length 129 is out of range for IPv6 (0-128)');
  });

  it('rejects malformed prefix lengths', () => {
    for (const text of ['10.0.0.0/', '10.0.0.0/08', '10.0.0.0/-1', '10.0.0.0/ 8', '::/8/8']) {
      expect(errorOf(text), text).toContain('invalid prefix length');
    }
  });

  it('rejects invalid addresses', () => {
    expect(errorOf('abc/24')).toBe('"abc/24" is not a valid IPv4 or IPv6 address');
    for (const text of ['010.1.1.0/24', 'fe80::%eth0/64', ' 10.0.0.0/8', '1::2::/64', '']) {
      expect(parseCidr(text).ok, text).toBe(false);
    }
  });
});

describe('cidrContains and PrefixMatcher', () => {
  it('/0 matches everything of its own family only', () => {
    const [all4, all6] = [cidr('0.0.0.0/0'), cidr('::/0')];
    for (const t of ['0.0.0.0', '10.1.2.3', '255.255.255.255']) {
      expect(cidrContains(all4, ip(t))).toBe(true);
      expect(cidrContains(all6, ip(t))).toBe(false);
    }
    for (const t of ['::', '2001:db8::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']) {
      expect(cidrContains(all6, ip(t))).toBe(true);
      expect(cidrContains(all4, ip(t))).toBe(false);
    }
    const m = matcherOf([
      ['0.0.0.0/0', 'v4'],
      ['::/0', 'v6'],
    ]);
    expect(m.match('203.0.113.9')?.value).toBe('v4');
    expect(m.match('fe80::1')?.value).toBe('v6');
  });

  it('never crosses families; an IPv4-mapped IPv6 address is matched as its IPv4 address', () => {
    const m = matcherOf([['10.0.0.0/8', 'v4']]);
    expect(m.match('::ffff:10.0.0.1')?.value).toBe('v4');
    expect(m.match('::ffff:a00:1')?.value).toBe('v4');
    expect(m.matchParsed(ip('::ffff:10.0.0.1'))?.value).toBe('v4');
    expect(linearScanMatch([{ cidr: cidr('10.0.0.0/8'), value: 'v4' }], '::ffff:10.0.0.1')).toEqual(
      { value: 'v4', cidr: cidr('10.0.0.0/8') },
    );
    expect(m.match('::ffff:11.0.0.1')).toBeNull();
    expect(m.match('::a00:1')).toBeNull();
    // A mapped subnet is the IPv4 network it names.
    expect(matcherOf([['::ffff:10.0.0.0/104', 'mapped']]).match('10.9.9.9')?.value).toBe('mapped');
    expect(matcherOf([['::/0', 'v6']]).match('::ffff:10.0.0.1')).toBeNull();
    const m6 = matcherOf([['::/96', 'v6']]);
    expect(m6.match('10.0.0.1')).toBeNull();
    expect(m6.matchParsed(ip('10.0.0.1'))).toBeNull();
    expect(m6.match('::10.0.0.1')?.value).toBe('v6');
  });

  it('picks the longest overlapping IPv4 prefix', () => {
    const entries = (['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24'] as const).map((t) => ({
      cidr: cidr(t),
      value: t,
    }));
    const m = new PrefixMatcher(entries);
    const cases: Array<[string, string | null]> = [
      ['10.1.2.3', '10.1.2.0/24'],
      ['10.1.9.9', '10.1.0.0/16'],
      ['10.200.0.1', '10.0.0.0/8'],
      ['11.0.0.1', null],
    ];
    for (const [addr, expected] of cases) {
      expect(m.match(addr)?.value ?? null, addr).toBe(expected);
      expect(m.match(addr)?.cidr.text ?? null, addr).toBe(expected);
      expect(m.matchParsed(ip(addr))?.value ?? null, addr).toBe(expected);
      expect(linearScanMatch(entries, addr)?.value ?? null, addr).toBe(expected);
    }
  });

  it('handles the top of the IPv4 space and /32 hosts', () => {
    const m = matcherOf([
      ['128.0.0.0/1', 'upper'],
      ['255.255.255.255/32', 'broadcast'],
    ]);
    expect(m.match('255.255.255.255')?.value).toBe('broadcast');
    expect(m.match('255.255.255.254')?.value).toBe('upper');
    expect(m.match('127.255.255.255')).toBeNull();
  });

  it('picks the longest overlapping IPv6 prefix', () => {
    const m = matcherOf([
      ['2001:db8::/32', 32],
      ['2001:db8:1::/48', 48],
      ['2001:db8:1:2::/64', 64],
      ['2001:db8:1:2::42/128', 128],
    ]);
    expect(m.match('2001:db8:1:2::42')?.value).toBe(128);
    expect(m.match('2001:DB8:1:2:0:0:0:43')?.value).toBe(64);
    expect(m.match('2001:db8:1:3::1')?.value).toBe(48);
    expect(m.match('2001:db8:ffff::1')?.value).toBe(32);
    expect(m.match('2001:db9::1')).toBeNull();
  });

  it('returns null for invalid IP text and empty matchers', () => {
    const m = matcherOf([['0.0.0.0/0', 1]]);
    expect(m.match('not an ip')).toBeNull();
    expect(m.match('010.0.0.1')).toBeNull();
    expect(new PrefixMatcher<number>([]).match('10.0.0.1')).toBeNull();
  });

  it('lets the last duplicate network win, like the linear scan', () => {
    const entries = [
      { cidr: cidr('10.0.0.0/8'), value: 'first' },
      { cidr: cidr('10.0.0.0/8'), value: 'last' },
    ];
    expect(new PrefixMatcher(entries).match('10.9.9.9')?.value).toBe('last');
    expect(linearScanMatch(entries, '10.9.9.9')?.value).toBe('last');
  });
});

describe('PrefixMatcher agrees with linearScanMatch on random data', () => {
  function randomValue(rng: () => number, bits: number): bigint {
    let v = 0n;
    for (let i = 0; i < bits / 32; i++) v = (v << 32n) | BigInt(rng());
    return v;
  }

  // Half the subnets are nested inside earlier ones so long overlap chains actually occur, and
  // half the probes land inside a known subnet so hits are common rather than accidental.
  function check(family: IpFamily, seed: number, bases: bigint[], baseBits: number) {
    const rng = mulberry32(seed);
    const bits = family === 4 ? 32 : 128;
    const span = (prefix: number) => (1n << BigInt(bits - prefix)) - 1n;
    const entries: Array<{ cidr: Cidr; value: number }> = [];
    const seen = new Set<string>();
    while (entries.length < 2000) {
      const parent =
        entries.length > 0 && rng() % 2 === 0 ? entries[rng() % entries.length] : undefined;
      const base = parent ? parent.cidr.network : (bases[rng() % bases.length] ?? 0n);
      const from = parent ? parent.cidr.prefix + 1 : baseBits;
      if (from > bits) continue;
      const prefix = from + (rng() % Math.min(bits - from + 1, family === 4 ? 8 : 24));
      const value = base | (randomValue(rng, bits) & span(parent ? parent.cidr.prefix : baseBits));
      const c = cidr(`${formatIp(family, value & ~span(prefix))}/${prefix}`);
      if (seen.has(c.text)) continue;
      seen.add(c.text);
      entries.push({ cidr: c, value: entries.length });
    }
    const matcher = new PrefixMatcher(entries);
    const mismatches: string[] = [];
    const hitLengths = new Set<number>();
    let misses = 0;
    for (let i = 0; i < 20_000; i++) {
      const inside = rng() % 2 === 0 ? entries[rng() % entries.length] : undefined;
      const value = inside
        ? inside.cidr.network | (randomValue(rng, bits) & span(inside.cidr.prefix))
        : randomValue(rng, bits);
      const text = formatIp(family, value);
      const expected = linearScanMatch(entries, { family, value });
      const got = matcher.match(text);
      const gotParsed = matcher.matchParsed({ family, value });
      if (got?.value !== expected?.value || gotParsed?.value !== expected?.value) {
        mismatches.push(`${text}: matcher ${got?.cidr.text} vs linear ${expected?.cidr.text}`);
      }
      if (expected) hitLengths.add(expected.cidr.prefix);
      else misses++;
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // Guards against a generator that silently stops exercising overlaps or misses.
    expect(hitLengths.size).toBeGreaterThan(10);
    expect(misses).toBeGreaterThan(1000);
  }

  it('IPv4: 2,000 subnets x 20,000 addresses', () => {
    check(4, 0xc1d4, [0x0a000000n, 0xac100000n, 0xc0a80000n], 8);
  });

  it('IPv6: 2,000 subnets x 20,000 addresses', () => {
    check(6, 0x1d6, [0x20010db8n << 96n, 0xfd00n << 112n, 0xfe80n << 112n], 16);
  });
});
