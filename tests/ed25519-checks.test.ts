// AGT-2: weak Ed25519 keys and non-canonical signatures, checked against the small-order points of
// edwards25519 and their non-canonical encodings (tests/fixtures/ed25519-vectors.ts).
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyFlaw, signatureFlaw } from '../main/features/agents/ed25519-checks';
import { NON_CANONICAL, SMALL_ORDER_CANONICAL } from './fixtures/ed25519-vectors';

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const le = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
const leToBig = (b: Buffer) => BigInt('0x' + Buffer.from(b).reverse().toString('hex'));
const hex = (h: string) => Buffer.from(h, 'hex');

function realKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    raw: Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'),
    publicKey,
    privateKey,
  };
}

describe('publicKeyFlaw', () => {
  it.each(SMALL_ORDER_CANONICAL)('refuses the small-order point %s', (h) => {
    expect(publicKeyFlaw(hex(h))).toBe('small-order');
  });

  it.each(NON_CANONICAL)('refuses the non-canonical encoding %s', (h) => {
    expect(publicKeyFlaw(hex(h))).toBe('non-canonical');
  });

  it('accepts real keys, and refuses anything but 32 bytes', () => {
    for (let i = 0; i < 50; i++) expect(publicKeyFlaw(realKey().raw)).toBeNull();
    expect(publicKeyFlaw(Buffer.alloc(31, 1))).toBe('length');
    expect(publicKeyFlaw(Buffer.alloc(33, 1))).toBe('length');
  });
});

describe('signatureFlaw', () => {
  const k = realKey();
  const msg = Buffer.from(
    '1.1700000000.e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );
  const sig = sign(null, msg, k.privateKey);

  it('accepts a genuine signature', () => {
    expect(signatureFlaw(sig)).toBeNull();
    expect(verify(null, msg, k.publicKey, sig)).toBe(true);
  });

  it('refuses S + L (the same signature, malleated) and any S >= L', () => {
    const s = leToBig(sig.subarray(32));
    expect(signatureFlaw(Buffer.concat([sig.subarray(0, 32), le(s + L)]))).toBe('s-not-reduced');
    expect(signatureFlaw(Buffer.concat([sig.subarray(0, 32), le(L)]))).toBe('s-not-reduced');
    expect(signatureFlaw(Buffer.concat([sig.subarray(0, 32), le(L - 1n)]))).toBeNull();
  });

  it.each(NON_CANONICAL)('refuses the non-canonical R %s', (h) => {
    expect(signatureFlaw(Buffer.concat([hex(h), sig.subarray(32)]))).toBe('r-non-canonical');
  });

  it('refuses anything but 64 bytes', () => {
    expect(signatureFlaw(sig.subarray(0, 63))).toBe('length');
    expect(signatureFlaw(Buffer.concat([sig, Buffer.alloc(1)]))).toBe('length');
  });
});

// The checks compare bytes (every heartbeat runs them); here they meet the arithmetic they stand
// for, on random encodings and on the ones next to each boundary.
describe('the byte comparisons agree with the arithmetic', () => {
  const P = (1n << 255n) - 19n;
  const y255 = (b: Buffer) => leToBig(b) & ((1n << 255n) - 1n);
  const canonical = (b: Buffer) => {
    const y = y255(b);
    return y < P && !((b[31]! & 0x80) !== 0 && (y === 1n || y === P - 1n));
  };
  const near = (n: bigint) => [n - 1n, n, n + 1n].filter((v) => v >= 0n && v < 1n << 256n);
  const samples = [
    ...Array.from({ length: 2000 }, () => Buffer.from(crypto.getRandomValues(new Uint8Array(32)))),
    ...[0n, 1n, P - 1n, P, P + 18n, L, (1n << 255n) - 1n]
      .flatMap(near)
      .flatMap((n) => [le(n), le(n | (1n << 255n))].filter((b) => b.length === 32)),
  ];

  it('R canonical exactly when y < p, and ±1 only with the sign bit clear', () => {
    const s = Buffer.alloc(32); // S = 0: below L
    for (const r of samples) {
      const flaw = signatureFlaw(Buffer.concat([r, s]));
      expect({ r: r.toString('hex'), flaw }).toEqual({
        r: r.toString('hex'),
        flaw: canonical(r) ? null : 'r-non-canonical',
      });
    }
  });

  it('S refused exactly when S >= L', () => {
    const r = le(9n); // a canonical R
    for (const s of samples) {
      const flaw = signatureFlaw(Buffer.concat([r, s]));
      expect({ s: s.toString('hex'), flaw }).toEqual({
        s: s.toString('hex'),
        flaw: leToBig(s) < L ? null : 's-not-reduced',
      });
    }
  });
});
