// Limits and thresholds the server enforces and the console states or pre-checks, defined once.
// The zod schemas in shared/schemas build their validators from these; the renderer imports them
// from here, never from a schema, because a schema's values would pull zod into the console
// bundle. So this module stays zod-free and browser-safe: plain values, no imports.

// ---- Lists: every paged call (skip/limit).
export const DEFAULT_PAGE_LIMIT = 100;
/** The largest page; the console asks for it where it needs a whole list at once. */
export const MAX_PAGE_LIMIT = 1000;
/** The longest search term a list takes. */
export const MAX_SEARCH_LENGTH = 200;
/** UI-11: every sorted list takes `order`; ascending unless asked. */
export const SORT_ORDERS = ['asc', 'desc'] as const;
/** UI-11 hosts.list `sort`: the hosts table's sortable columns. */
export const HOST_SORT_KEYS = ['hostname', 'ip', 'last_seen', 'status', 'location'] as const;
/** ORG-2 `sort`: the keys an organizations page can be ordered by (ties: name, then id). */
export const ORG_SORT_KEYS = ['name', 'region', 'online', 'offline', 'stale', 'total'] as const;
/**
 * ORG-2: how often the per-org host status counts behind sort=online|offline|stale are re-counted
 * where time alone moved a host across a threshold (writes update them at once).
 */
export const HOST_COUNTS_REFRESH_MS = 15_000;

// ---- The API (API-3): how many calls one tRPC batch may hold; the console's batch link agrees.
export const MAX_TRPC_BATCH = 10;

// ---- Text fields.
/** Names of orgs, locations, users, tokens, workflows, alert rules and baselines. */
export const MAX_NAME_LENGTH = 120;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_REGION_LENGTH = 64;
/** Free-text reasons: support requests and decisions, legal hold. */
export const MAX_REASON_LENGTH = 500;
export const MAX_EMAIL_LENGTH = 254;
export const MIN_PASSWORD_LENGTH = 12;
/** IDN-5: the password rule as the console states it before a password is sent. */
export const PASSWORD_RULE = `At least ${MIN_PASSWORD_LENGTH} characters, and not a common or leaked password (nor one with digits or symbols added at its end): the server checks a list of about 49,000.`;
export const MAX_PASSWORD_LENGTH = 256;

// ---- Organizations (ORG-4, AUT-1, GOV-1/2, SEC-3).
export const AUTOMATION_LEVELS = ['manual', 'semi_auto', 'full_auto'] as const;
export const RECORDING_POLICIES = ['off', 'metadata', 'full'] as const;
/** GOV-2: recording retention, for an org or an account default, in days. */
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;
/** GOV-2: what an org inherits while its own retention is null and the account set none. */
export const DEFAULT_ACCOUNT_RETENTION_DAYS = 90;
/** SEC-3: how long the previous secret may keep working after a regeneration. */
export const MAX_GRACE_HOURS = 7 * 24;
/** SEC-3: the console's default grace period (the server's default stays 0: an explicit choice). */
export const DEFAULT_GRACE_HOURS = 24;
/** SEC-3: how many hosts still on the previous secret one answer lists (the total is counted). */
export const SECRET_USAGE_HOST_LIMIT = 50;

// ---- Hosts (AGT-3): the status thresholds, so the console and the server agree.
export const HOST_STATUSES = ['online', 'offline', 'stale'] as const;
export const ONLINE_WITHIN_MS = 5 * 60 * 1000;
export const STALE_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

// ---- Support access (SUP-1/SUP-4): a grant lasts 1 hour to 7 days, 24 hours unless chosen.
export const MIN_DURATION_HOURS = 1;
export const MAX_DURATION_HOURS = 7 * 24;
export const DEFAULT_DURATION_HOURS = 24;

// ---- Personal tokens (IDN-5): each expires, 1 to this many days after it is made; 90 unless chosen.
export const MAX_TOKEN_EXPIRY_DAYS = 365;
export const DEFAULT_TOKEN_EXPIRY_DAYS = 90;

// ---- Sessions (IDN-5): the desktop app names itself so "my sessions" can say "Orgdesk desktop".
export const DESKTOP_USER_AGENT = 'Orgdesk-Desktop';

// ---- Workflows (AUT-3): a P1 with this many distinct affected hosts of the org launches the
// bound major-incident workflow.
export const MAJOR_INCIDENT_MIN_HOSTS = 3;

// ---- Exports.
/** GDPR-2: the window of activity, and the records per section, of every export. */
export const EXPORT_DAYS = 90;
export const EXPORT_SECTION_CAP = 10_000;
/** AUD-2: exports stop here and say so; page through audit.list or narrow the filter for more. */
export const MAX_AUDIT_EXPORT = 50_000;

/**
 * AUD-2, GDPR-2 over HTTP: an export is answered as the file itself (streamed, not a JSON
 * envelope). What the envelope said beside the content travels in these headers: the detached
 * Ed25519 signature of the body's exact bytes (audit exports), and the export's counts.
 */
export const EXPORT_FILE_HEADERS = {
  /** base64 of the 64-byte Ed25519 signature of the body */
  signature: 'X-Orgdesk-Signature',
  /** always Ed25519 */
  algorithm: 'X-Orgdesk-Signature-Algorithm',
  /** base64 of the signer's raw 32-byte public key */
  publicKey: 'X-Orgdesk-Signer-Public-Key',
  /** base64url SHA-256 of the raw public key: compare it with the pinned export key */
  fingerprint: 'X-Orgdesk-Signer-Fingerprint',
  /** the signer's label, percent-encoded (a header is ASCII) */
  signerLabel: 'X-Orgdesk-Signer-Label',
  /** how many entries the file holds */
  count: 'X-Orgdesk-Export-Count',
  /** "true" when more matched than the file holds */
  truncated: 'X-Orgdesk-Export-Truncated',
  /** GDPR-2: the sections the cap cut short, comma-separated (empty when none) */
  cappedSections: 'X-Orgdesk-Export-Capped-Sections',
  /** GDPR-2: the records per section the export holds at most */
  cap: 'X-Orgdesk-Export-Cap',
} as const;

// ---- Fleet overview (UI-12).
/**
 * An org "needs attention" when at least this share of its hosts is offline (not heard from for
 * 5 minutes, AGT-3). Machines switched off or asleep are normal churn, but a quarter of an org
 * silent at once is more than that: a site, network or agent outage someone should look at.
 */
export const ATTENTION_OFFLINE_SHARE = 0.25;
/**
 * ...or when at least this share is stale (silent for 30 days): machines retired without being
 * removed, or agents that broke long ago. Past one in ten the inventory, alerting and licence
 * counts of that org no longer match what is really there. Lower than the offline share because
 * staleness never clears by itself overnight.
 */
export const ATTENTION_STALE_SHARE = 0.1;
/** The overview lists at most this many orgs needing attention (the worst first) and counts all. */
export const ATTENTION_LIST_LIMIT = 50;
/** The health history: one snapshot per org per hour, kept this many days (then deleted). */
export const SNAPSHOT_RETENTION_DAYS = 7;
/** fleet.history answers the last 24 hours unless asked for more, at most the retention. */
export const DEFAULT_HISTORY_HOURS = 24;
export const MAX_HISTORY_HOURS = SNAPSHOT_RETENTION_DAYS * 24;

// ---- Bulk actions (UI-13).
/**
 * The most ids one bulk call takes. A bulk call is one transaction (all or nothing), and this
 * keeps it short enough not to hold the database or the event loop for long; the console sends
 * at most a page of the table (100 rows) at a time anyway.
 */
export const MAX_BULK_IDS = 500;

/** IDN-1: recovery codes issued at enrolment (and at each regeneration), each accepted once. */
export const RECOVERY_CODE_COUNT = 10;
/** IDN-3: how long a second factor counts for a step-up action after it was given. */
export const STEP_UP_WINDOW_MS = 5 * 60 * 1000;
/** IDN-1: how long the second step of a sign-in waits for its code. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60 * 1000;

// ---- Single sign-on (IDN-4).
/**
 * The server's own address that sends a browser on to the identity provider (`browser_url` of
 * POST /api/v1/auth/oidc/start): the one address the desktop hands to the system browser.
 */
export const OIDC_AUTHORIZE_PATH = '/api/v1/auth/oidc/authorize';
/** How long the desktop waits for the browser to come back from a single sign-on. */
export const DESKTOP_SSO_TIMEOUT_MS = 5 * 60 * 1000;
