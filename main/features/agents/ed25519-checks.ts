// AGT-2: the Ed25519 checks OpenSSL's verify does not make on its own. A small-order public key
// lets anyone "sign" for the host (with A = identity, R = identity and S = 0 verify for every
// message), and a point or scalar with more than one encoding makes one signature many. So keys
// are refused at registration unless canonical and not of small order, and signatures unless R is
// canonical and S < L — whatever the linked OpenSSL build happens to check.
//
// Pure and cheap (byte comparisons, no bigint or square root per call): registration and heartbeat
// run these on the server's highest-rate paths. Mixed-order keys (a prime-order point plus a
// torsion part) and points off the curve are not caught here: the first would need a scalar
// multiplication by L, and a key off the curve never verifies anything.

/** The field prime 2^255 - 19. */
const P = (1n << 255n) - 19n;
/** The order of the prime-order subgroup, 2^252 + 27742317777372353535851937790883648493. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

const mod = (a: bigint): bigint => ((a % P) + P) % P;

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

const inv = (a: bigint): bigint => pow(a, P - 2n);

/** A square root mod p (p = 5 mod 8), or null when there is none. */
function sqrt(a: bigint): bigint | null {
  const r = pow(a, (P + 3n) / 8n);
  if (mod(r * r) === mod(a)) return r;
  const i = pow(2n, (P - 1n) / 4n); // sqrt(-1)
  const ri = mod(r * i);
  return mod(ri * ri) === mod(a) ? ri : null;
}

/**
 * The y coordinates of the 8 small-order points, derived once from the curve
 * -x^2 + y^2 = 1 + d x^2 y^2: y = ±1 (x = 0: the identity and the point of order 2), y = 0
 * (x = ±sqrt(-1), order 4), and ±y8 for the four points of order 8, whose double has y = 0, i.e.
 * x^2 = -y^2, so d y^4 + 2 y^2 - 1 = 0. A canonical encoding is of small order exactly when its y
 * is one of these: each such y, with either sign of x, is one of the 8 points.
 */
const SMALL_ORDER_Y: ReadonlySet<bigint> = (() => {
  const d = mod(-121665n * inv(121666n));
  const root = sqrt(mod(1n + d))!;
  const ys = new Set<bigint>([0n, 1n, P - 1n]);
  for (const r of [root, P - root]) {
    const y = sqrt(mod((r - 1n) * inv(d)));
    if (y !== null) ys.add(y).add(mod(-y));
  }
  if (ys.size !== 5) throw new Error('edwards25519: expected the y of 8 small-order points');
  return ys;
})();

/** Little-endian 32 bytes, split into y (255 bits) and the sign bit of x. */
const littleEndian = (n: bigint, length: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};

/** The small-order y as the hex of their encodings with the sign bit clear (a string lookup). */
const SMALL_ORDER_HEX: ReadonlySet<string> = new Set(
  [...SMALL_ORDER_Y].map((y) => Buffer.from(littleEndian(y, 32)).toString('hex')),
);

/**
 * y >= p for an encoding's 255 bits, on the bytes: p is 0x7f ff…ff ed (little-endian ed ff…ff 7f),
 * so only 0x7f, thirty 0xff and a low byte from 0xed up are. Byte comparisons rather than bigint:
 * every heartbeat checks its signature's R (a bigint built byte by byte cost ~10 µs a point).
 */
function yAtLeastP(bytes: Uint8Array): boolean {
  if ((bytes[31]! & 0x7f) !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (bytes[i] !== 0xff) return false;
  return bytes[0]! >= 0xed;
}

/** y = 1 or y = p - 1 (the points with x = 0): 01 00…00 00, or ec ff…ff 7f. */
function yIsPlusMinusOne(bytes: Uint8Array): boolean {
  const top = bytes[31]! & 0x7f;
  if (bytes[0] === 1 && top === 0) {
    for (let i = 1; i <= 30; i++) if (bytes[i] !== 0) return false;
    return true;
  }
  if (bytes[0] === 0xec && top === 0x7f) {
    for (let i = 1; i <= 30; i++) if (bytes[i] !== 0xff) return false;
    return true;
  }
  return false;
}

/**
 * One encoding per point: y < p, and x = 0 (y = ±1, the only points with x = 0) only with the
 * sign bit clear ("-0" would be a second encoding of the same point).
 */
function isCanonicalPoint(bytes: Uint8Array): boolean {
  if (yAtLeastP(bytes)) return false;
  return !((bytes[31]! & 0x80) !== 0 && yIsPlusMinusOne(bytes));
}

const L_BYTES = littleEndian(L, 32);

/** S < L for the 32 little-endian bytes of S, compared from the most significant byte down. */
function belowL(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i]! !== L_BYTES[i]!) return s[i]! < L_BYTES[i]!;
  }
  return false;
}

export type PublicKeyFlaw = 'length' | 'non-canonical' | 'small-order';
export type SignatureFlaw = 'length' | 'r-non-canonical' | 's-not-reduced';

/** Why this raw public key must not be accepted, or null for a usable one. */
export function publicKeyFlaw(raw: Uint8Array): PublicKeyFlaw | null {
  if (raw.length !== 32) return 'length';
  if (!isCanonicalPoint(raw)) return 'non-canonical';
  const y = Buffer.from(raw.buffer, raw.byteOffset, 32).toString('hex', 0, 31);
  const top = (raw[31]! & 0x7f).toString(16).padStart(2, '0');
  return SMALL_ORDER_HEX.has(y + top) ? 'small-order' : null;
}

/** Why this raw signature (R || S) must be refused before verifying, or null. */
export function signatureFlaw(sig: Uint8Array): SignatureFlaw | null {
  if (sig.length !== 64) return 'length';
  if (!isCanonicalPoint(sig.subarray(0, 32))) return 'r-non-canonical';
  return belowL(sig.subarray(32, 64)) ? null : 's-not-reduced';
}
