import { resolve } from 'node:path';
import { z } from 'zod';
import { PERSONAL_TOKEN_PREFIX } from '../core/crypto';

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
}

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
  return {
    port: v.ORGDESK_PORT,
    host: v.ORGDESK_HOST,
    dataDir: resolve(cwd, v.ORGDESK_DATA_DIR),
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
  };
}
