// Roles, permissions and the map between them. The server checks these on every call; the
// console reads the same map only to disable controls and explain why.

export const PERMISSIONS = [
  'organizations.read',
  'settings.manage',
  'organizations.edit',
  'organizations.hard_delete',
  'locations.manage',
  'hosts.manage',
  'incidents.report',
  'support_access.manage',
  'audit.view',
  'governance.manage',
  'gdpr.manage',
  'users.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['account_admin', 'org_admin', 'technician', 'reader'] as const;
export type Role = (typeof ROLES)[number];

/** Roles held on one organization; `account_admin` alone is held account-wide. */
export const ORG_ROLES = ['org_admin', 'technician', 'reader'] as const satisfies readonly Role[];
export type OrgRole = (typeof ORG_ROLES)[number];

/** Permissions that only make sense account-wide: an org-scoped role never carries them. */
export const ACCOUNT_PERMISSIONS: readonly Permission[] = [
  'settings.manage',
  'organizations.hard_delete',
  'support_access.manage',
  'gdpr.manage',
  'users.manage',
];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  account_admin: PERMISSIONS,
  org_admin: [
    'organizations.read',
    'organizations.edit',
    'locations.manage',
    'hosts.manage',
    'incidents.report',
    'audit.view',
    'governance.manage',
  ],
  technician: ['organizations.read', 'locations.manage', 'hosts.manage', 'incidents.report'],
  reader: ['organizations.read'],
};

/** What an active support grant allows: reading, never writing. */
export const SUPPORT_PERMISSIONS: readonly Permission[] = ['organizations.read', 'audit.view'];

/** Permissions a read-only personal token keeps from its owner. */
export const READ_ONLY_PERMISSIONS: readonly Permission[] = ['organizations.read', 'audit.view'];

export function permissionsOf(roles: Iterable<Role>): Set<Permission> {
  const out = new Set<Permission>();
  for (const role of roles) for (const p of ROLE_PERMISSIONS[role]) out.add(p);
  return out;
}

export const PERMISSION_LABELS: Record<Permission, string> = {
  'organizations.read': 'read the organization',
  'settings.manage': 'create and edit organizations',
  'organizations.edit': 'view or regenerate the organization secret and bind workflows',
  'organizations.hard_delete': 'permanently delete organizations',
  'locations.manage': 'manage locations',
  'hosts.manage': 'manage hosts',
  'incidents.report': 'report incidents',
  'support_access.manage': 'manage support access',
  'audit.view': 'view the audit trail',
  'governance.manage': 'manage recording governance',
  'gdpr.manage': 'manage personal data requests',
  'users.manage': 'manage users and roles',
};
