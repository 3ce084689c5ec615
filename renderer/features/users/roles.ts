import type { RoleGrant } from '../../../shared/schemas/users.schema';

export const ROLE_LABELS: Record<RoleGrant['role'], string> = {
  account_admin: 'Account admin',
  org_admin: 'Org admin',
  technician: 'Technician',
  reader: 'Reader',
};

export const ROLE_HINTS: Record<RoleGrant['role'], string> = {
  account_admin: 'Every permission in every organization, account-wide.',
  org_admin: 'Edits the organization, its secret, locations, hosts, audit and governance.',
  technician: 'Manages locations and hosts, reports incidents.',
  reader: 'Reads the organization.',
};

export const ROLE_ORDER: readonly RoleGrant['role'][] = [
  'account_admin',
  'org_admin',
  'technician',
  'reader',
];

/** "Reader · Acme Corp", "Account admin · all organizations". */
export function describeGrant(g: RoleGrant, orgName: (id: number) => string): string {
  return g.role === 'account_admin' || g.organization_id === undefined
    ? `${ROLE_LABELS[g.role]} · all organizations`
    : `${ROLE_LABELS[g.role]} · ${orgName(g.organization_id)}`;
}
