import { join, resolve } from 'node:path';
import { z } from 'zod';
import { PERSONAL_TOKEN_PREFIX } from '../core/crypto';
import {
  MAX_SUPPORT_EXPIRY_INTERVAL_MS,
  MIN_SUPPORT_EXPIRY_INTERVAL_MS,
  SUPPORT_EXPIRY_INTERVAL_MS,
} from '../features/support-access/support-access.expiry';
import { parseTrustedProxies, type TrustedProxies } from './client-address';

/**
 * Server configuration from the environment (SPEC "Server configuration"). Every variable is
 * validated up front, and a bad value stops the start with a message naming the variable.
 */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** The bootstrap admin's API token on first start; random (printed once) when unset. */
  adminToken: string | null;
  /** Email of the bootstrap account admin created on first start. */
  adminEmail: string;
  /** base64 32-byte master key; when unset the key file `<dataDir>/master.key` is used. */
  masterKey: string | null;
  tls: { certFile: string; keyFile: string } | null;
  /** The URL agents are told to use in their configuration files; the listen URL otherwise. */
  publicUrl: string | null;
  /**
   * SCALE-1: SQLite (`<dataDir>/orgdesk.db`, the default) or PostgreSQL (ORGDESK_DATABASE_URL).
   * The URL may carry a password: it is never logged or echoed in an error.
   */
  database: DatabaseConfig;
  /** SCALE-2: ORGDESK_TRUSTED_PROXIES, the peers whose X-Forwarded-For names the client. */
  trustedProxies: TrustedProxies;
  /**
   * SUP-4/SUP-6: how often the support-access expiry pass runs (its lease lasts a tick and a half),
   * i.e. how soon an ended grant is in the audit trail; access is checked per call regardless.
   */
  supportExpiryIntervalMs: number;
}

export type DatabaseConfig =
  { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/** What a bad ORGDESK_DATABASE_URL is told (a fixed text: the value may hold a password). */
const DATABASE_URL_RULE =
  'must be a postgres:// URL with a host and a database name, e.g. postgres://orgdesk:PASSWORD@db.example.com:5432/orgdesk (unset: SQLite in the data directory)';

/** postgres:// or postgresql://, a host and a database name; nothing else is a PostgreSQL URL. */
function isPostgresUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'postgres:' || url.protocol === 'postgresql:') &&
    url.hostname !== '' &&
    url.pathname.replace(/^\/+/, '') !== ''
  );
}

const SUPPORT_EXPIRY_INTERVAL_RULE = `must be a whole number of milliseconds from ${MIN_SUPPORT_EXPIRY_INTERVAL_MS} to ${MAX_SUPPORT_EXPIRY_INTERVAL_MS} (1 s to 1 hour; default ${SUPPORT_EXPIRY_INTERVAL_MS}, 5 minutes)`;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

const env = z.object({
  ORGDESK_PORT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[0-9]{1,5}$/, 'must be a port number from 0 to 65535')
      .transform(Number)
      .refine((n) => n <= 65535, 'must be a port number from 0 to 65535')
      .default(8787),
  ),
  ORGDESK_HOST: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.:-]+$/, 'must be a host name or an IP address, e.g. 127.0.0.1 or ::')
      .default('127.0.0.1'),
  ),
  ORGDESK_DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./.orgdesk-data')),
  ORGDESK_ADMIN_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(
        new RegExp(`^${PERSONAL_TOKEN_PREFIX}[A-Za-z0-9_-]{32,200}$`),
        `must start with ${PERSONAL_TOKEN_PREFIX} followed by at least 32 letters, digits, "-" or "_" (e.g. ${PERSONAL_TOKEN_PREFIX}$(openssl rand -hex 24))`,
      )
      .optional(),
  ),
  ORGDESK_ADMIN_EMAIL: z.preprocess(
    blankToUndefined,
    z.string().trim().email('must be an email address').default('admin@orgdesk.local'),
  ),
  ORGDESK_MASTER_KEY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine(
        (v) => Buffer.from(v, 'base64').length === 32,
        'must be a base64-encoded 32-byte key (e.g. from: openssl rand -base64 32)',
      )
      .optional(),
  ),
  ORGDESK_TLS_CERT: optionalText,
  ORGDESK_TLS_KEY: optionalText,
  ORGDESK_PUBLIC_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((v) => {
        try {
          return ['http:', 'https:'].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, 'must be an http:// or https:// URL, e.g. https://orgdesk.example.com')
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
  ),
  ORGDESK_DATABASE_URL: z.preprocess(
    blankToUndefined,
    z.string().trim().refine(isPostgresUrl, DATABASE_URL_RULE).optional(),
  ),
  ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^[0-9]{1,10}$/, SUPPORT_EXPIRY_INTERVAL_RULE)
      .transform(Number)
      .refine(
        (n) => n >= MIN_SUPPORT_EXPIRY_INTERVAL_MS && n <= MAX_SUPPORT_EXPIRY_INTERVAL_MS,
        SUPPORT_EXPIRY_INTERVAL_RULE,
      )
      .default(SUPPORT_EXPIRY_INTERVAL_MS),
  ),
});

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration; throws ConfigError naming the variable (and never echoing secrets). */
export function loadConfig(
  source: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ServerConfig {
  const parsed = env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`);
    throw new ConfigError(`Invalid server configuration:\n  ${lines.join('\n  ')}`);
  }
  const v = parsed.data;
  if (Boolean(v.ORGDESK_TLS_CERT) !== Boolean(v.ORGDESK_TLS_KEY)) {
    throw new ConfigError(
      `Invalid server configuration:\n  ${v.ORGDESK_TLS_CERT ? 'ORGDESK_TLS_KEY' : 'ORGDESK_TLS_CERT'} must be set too: TLS needs both the certificate and the key file`,
    );
  }
  if (v.ORGDESK_DATABASE_URL && !v.ORGDESK_MASTER_KEY) {
    // The key file is created per data directory: two replicas would each make their own key and
    // read nothing the other sealed, and a file on one box cannot be shared with the others.
    throw new ConfigError(
      'Invalid server configuration:\n  ORGDESK_MASTER_KEY must be set when ORGDESK_DATABASE_URL selects PostgreSQL: ' +
        'every replica must use the same master key, and the key file master.key on one machine cannot be shared. ' +
        'Generate one with `openssl rand -base64 32` and give every replica the same value (from a secret store).',
    );
  }
  const trusted = parseTrustedProxies(source.ORGDESK_TRUSTED_PROXIES);
  if (!trusted.ok) {
    // The entries are addresses, not secrets: saying which one is wrong is the quickest fix.
    throw new ConfigError(
      `Invalid server configuration:\n  ORGDESK_TRUSTED_PROXIES must be comma-separated IP addresses or CIDRs of your load balancers, e.g. 10.0.0.0/8,192.0.2.10: ${trusted.errors.join('; ')}`,
    );
  }
  const dataDir = resolve(cwd, v.ORGDESK_DATA_DIR);
  return {
    port: v.ORGDESK_PORT,
    host: v.ORGDESK_HOST,
    dataDir,
    adminToken: v.ORGDESK_ADMIN_TOKEN ?? null,
    adminEmail: v.ORGDESK_ADMIN_EMAIL,
    masterKey: v.ORGDESK_MASTER_KEY ?? null,
    tls:
      v.ORGDESK_TLS_CERT && v.ORGDESK_TLS_KEY
        ? {
            certFile: resolve(cwd, v.ORGDESK_TLS_CERT),
            keyFile: resolve(cwd, v.ORGDESK_TLS_KEY),
          }
        : null,
    publicUrl: v.ORGDESK_PUBLIC_URL ?? null,
    database: v.ORGDESK_DATABASE_URL
      ? { engine: 'postgres', url: v.ORGDESK_DATABASE_URL }
      : { engine: 'sqlite', file: join(dataDir, 'orgdesk.db') },
    trustedProxies: trusted.proxies,
    supportExpiryIntervalMs: v.ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS,
  };
}
