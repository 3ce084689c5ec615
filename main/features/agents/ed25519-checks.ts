// AGT-2: the Ed25519 checks OpenSSL's verify does not make on its own. A small-order public key
// lets anyone "sign" for the host (with A = identity, R = identity and S = 0 verify for every
// message), and a point or scalar with more than one encoding makes one signature many. So keys
// are refused at registration unless canonical and not of small order, and signatures unless R is
// canonical and S < L — whatever the linked OpenSSL build happens to check.
//
// Pure and cheap (a few bigint comparisons, no square root per call): registration and heartbeat
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
function decodePoint(bytes: Uint8Array): { y: bigint; xNegative: boolean } {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(bytes[i]!);
  return { y: y & ((1n << 255n) - 1n), xNegative: (bytes[31]! & 0x80) !== 0 };
}

/**
 * One encoding per point: y < p, and x = 0 (y = ±1, the only points with x = 0) only with the
 * sign bit clear ("-0" would be a second encoding of the same point).
 */
function isCanonicalPoint(bytes: Uint8Array): boolean {
  const { y, xNegative } = decodePoint(bytes);
  if (y >= P) return false;
  return !(xNegative && (y === 1n || y === P - 1n));
}

export type PublicKeyFlaw = 'length' | 'non-canonical' | 'small-order';
export type SignatureFlaw = 'length' | 'r-non-canonical' | 's-not-reduced';

/** Why this raw public key must not be accepted, or null for a usable one. */
export function publicKeyFlaw(raw: Uint8Array): PublicKeyFlaw | null {
  if (raw.length !== 32) return 'length';
  if (!isCanonicalPoint(raw)) return 'non-canonical';
  return SMALL_ORDER_Y.has(decodePoint(raw).y) ? 'small-order' : null;
}

/** Why this raw signature (R || S) must be refused before verifying, or null. */
export function signatureFlaw(sig: Uint8Array): SignatureFlaw | null {
  if (sig.length !== 64) return 'length';
  if (!isCanonicalPoint(sig.subarray(0, 32))) return 'r-non-canonical';
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
  return s < L ? null : 's-not-reduced';
}
