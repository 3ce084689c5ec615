// Roles, permissions and the map between them. The server checks these on every call; the
// console reads the same map only to disable controls and explain why.
//
// One row per permission says everything about it in one place: where it holds, who holds it,
// which narrowed audiences keep it, and how the console names it. The lists the rest of the code
// reads (PERMISSIONS, ROLE_PERMISSIONS, …) are derived from these rows, and tests/permissions.test.ts
// pins the resulting matrix, so a new permission or a role change is a decision made here and
// seen in review, never an array someone forgot to extend.

export const ROLES = ['account_admin', 'org_admin', 'technician', 'reader'] as const;
export type Role = (typeof ROLES)[number];

/** Roles held on one organization; `account_admin` alone is held account-wide. */
export const ORG_ROLES = ['org_admin', 'technician', 'reader'] as const satisfies readonly Role[];
export type OrgRole = (typeof ORG_ROLES)[number];

export interface PermissionSpec {
  /**
   * `account`: only makes sense account-wide, so no org-scoped role may carry it.
   * `org`: checked on one organization (an account-wide role holds it on every org).
   */
  scope: 'account' | 'org';
  /** `read` changes nothing; the narrowed audiences below may only ever keep reads. */
  access: 'read' | 'write';
  /** The roles that hold it. */
  roles: readonly Role[];
  /** An active support grant carries it (support engineers read, never write: SUP-1). */
  support: boolean;
  /** A read-only personal token keeps it from its owner. */
  readOnlyToken: boolean;
  /** How the console and the server's refusals name it: "You need … (label)". */
  label: string;
}

export const PERMISSION_TABLE = {
  'organizations.read': {
    scope: 'org',
    access: 'read',
    roles: ['account_admin', 'org_admin', 'technician', 'reader'],
    support: true,
    readOnlyToken: true,
    label: 'read the organization',
  },
  'settings.manage': {
    scope: 'account',
    access: 'write',
    roles: ['account_admin'],
    support: false,
    readOnlyToken: false,
    label: 'create and edit organizations',
  },
  'organizations.edit': {
    scope: 'org',
    access: 'write',
    roles: ['account_admin', 'org_admin'],
    support: false,
    readOnlyToken: false,
    label: 'view or regenerate the organization secret and bind workflows',
  },
  'organizations.hard_delete': {
    scope: 'account',
    access: 'write',
    roles: ['account_admin'],
    support: false,
    readOnlyToken: false,
    label: 'permanently delete organizations',
  },
  'locations.manage': {
    scope: 'org',
    access: 'write',
    roles: ['account_admin', 'org_admin', 'technician'],
    support: false,
    readOnlyToken: false,
    label: 'manage locations',
  },
  'hosts.manage': {
    scope: 'org',
    access: 'write',
    roles: ['account_admin', 'org_admin', 'technician'],
    support: false,
    readOnlyToken: false,
    label: 'manage hosts',
  },
  'incidents.report': {
    scope: 'org',
    access: 'write',
    roles: ['account_admin', 'org_admin', 'technician'],
    support: false,
    readOnlyToken: false,
    label: 'report incidents',
  },
  'support_access.manage': {
    scope: 'account',
    access: 'write',
    roles: ['account_admin'],
    support: false,
    readOnlyToken: false,
    label: 'manage support access',
  },
  'audit.view': {
    scope: 'org',
    access: 'read',
    roles: ['account_admin', 'org_admin'],
    support: true,
    readOnlyToken: true,
    label: 'view the audit trail',
  },
  'governance.manage': {
    scope: 'org',
    access: 'write',
    roles: ['account_admin', 'org_admin'],
    support: false,
    readOnlyToken: false,
    label: 'manage recording governance',
  },
  'gdpr.manage': {
    scope: 'account',
    access: 'write',
    roles: ['account_admin'],
    support: false,
    readOnlyToken: false,
    label: 'manage personal data requests',
  },
  'users.manage': {
    scope: 'account',
    access: 'write',
    roles: ['account_admin'],
    support: false,
    readOnlyToken: false,
    label: 'manage users and roles',
  },
} as const satisfies Record<string, PermissionSpec>;

export type Permission = keyof typeof PERMISSION_TABLE;

/** Every permission, in the table's order (the order every derived list keeps). */
export const PERMISSIONS = Object.keys(PERMISSION_TABLE) as readonly Permission[];

const where = (test: (spec: PermissionSpec) => boolean): readonly Permission[] =>
  PERMISSIONS.filter((p) => test(PERMISSION_TABLE[p]));

/** Permissions that only make sense account-wide: an org-scoped role never carries them. */
export const ACCOUNT_PERMISSIONS = where((s) => s.scope === 'account');

export const ROLE_PERMISSIONS = Object.fromEntries(
  ROLES.map((role) => [role, where((s) => s.roles.includes(role))]),
) as Record<Role, readonly Permission[]>;

/** What an active support grant allows: reading, never writing. */
export const SUPPORT_PERMISSIONS = where((s) => s.support);

/** Permissions a read-only personal token keeps from its owner. */
export const READ_ONLY_PERMISSIONS = where((s) => s.readOnlyToken);

export function permissionsOf(roles: Iterable<Role>): Set<Permission> {
  const out = new Set<Permission>();
  for (const role of roles) for (const p of ROLE_PERMISSIONS[role]) out.add(p);
  return out;
}

export const PERMISSION_LABELS = Object.fromEntries(
  PERMISSIONS.map((p) => [p, PERMISSION_TABLE[p].label]),
) as Record<Permission, string>;
