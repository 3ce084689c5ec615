import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import type { KeyStore } from './key-store';

/** Recognisable prefixes so secret scanners can spot a leaked value. */
export const ORG_SECRET_PREFIX = 'odk_orgsec_';
export const SESSION_TOKEN_PREFIX = 'odk_ses_';
export const PERSONAL_TOKEN_PREFIX = 'odk_pat_';
/** IDN-1: the second step of a sign-in (never a bearer token: the gate refuses it). */
export const MFA_TOKEN_PREFIX = 'odk_mfa_';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Constant-time equality that does not leak the length of either side. */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export function randomToken(prefix: string, bytes = 32): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export const sha256Hex = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex');

/**
 * Encryption and keyed digests derived from the master key. Separate subkeys per purpose, so a
 * digest never doubles as an encryption key.
 */
export class SecretBox {
  private readonly encKey: Buffer;
  private readonly digestKey: Buffer;
  private readonly tokenKey: Buffer;
  private readonly mfaKey: Buffer;

  constructor(keys: KeyStore) {
    const master = keys.masterKey();
    const derive = (info: string) =>
      Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
    this.encKey = derive('orgdesk/org-secret/aes-256-gcm');
    this.digestKey = derive('orgdesk/org-secret/lookup');
    this.tokenKey = derive('orgdesk/api-token/lookup');
    this.mfaKey = derive('orgdesk/mfa/lookup');
  }

  newOrgSecret(): string {
    return randomToken(ORG_SECRET_PREFIX, 32);
  }

  encrypt(plain: string, aad: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    cipher.setAAD(Buffer.from(aad));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]);
  }

  decrypt(box: Buffer, aad: string): string {
    const iv = box.subarray(0, IV_BYTES);
    const tag = box.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, iv);
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(box.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }

  /** Keyed digest used to find an org by its secret without storing the secret in clear. */
  secretDigest(secret: string): string {
    return createHmac('sha256', this.digestKey).update(secret).digest('hex');
  }

  tokenDigest(token: string): string {
    return createHmac('sha256', this.tokenKey).update(token).digest('hex');
  }

  /**
   * IDN-1: recovery codes and sign-in challenges are random (50 bits and more), so a keyed
   * digest is enough to store them: no password hash needed, and no real I/O inside a unit of work.
   */
  mfaDigest(value: string): string {
    return createHmac('sha256', this.mfaKey).update(value).digest('hex');
  }
}

// Password hashing: scrypt is memory-hard and ships with Node. N=2^15, r=8 → 32 MiB per hash.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  opts: typeof SCRYPT,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A fixed hash to verify against when the user does not exist, so timing does not tell. */
export const DUMMY_PASSWORD_HASH =
  'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? DUMMY_PASSWORD_HASH).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    ...SCRYPT,
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return stored !== null && timingSafeEqual(key, expected);
}
