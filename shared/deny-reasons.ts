// UI-16: why a control is disabled, in the words a person reads: who may do it, never the
// permission's id, and never "ask an admin" to someone no admin can help. Pure and zod-free: the
// console reads it (renderer/lib/permissions.ts), tests/deny-reasons.test.ts checks every
// permission of the registry.
import { PERMISSION_TABLE, ROLES, type Permission, type Role } from './permissions';

/** The server's own words when a support engineer tries to change anything (SUP-5). */
export const VIEW_ONLY_REASON = 'Support access is view-only: no changes can be made.';

const ROLE_PLURALS: Record<Role, string> = {
  account_admin: 'account admins',
  org_admin: 'org admins',
  technician: 'technicians',
  reader: 'readers',
};

const list = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

export interface Viewer {
  /** A platform support engineer reading a customer's account through a grant (SUP-1). */
  supportEngineer: boolean;
}

/** Why `viewer` may not do what `needed` allows (the caller has checked they may not). */
export function denialReason(needed: Permission, viewer: Viewer): string {
  const spec = PERMISSION_TABLE[needed];
  // A grant carries reads only and no role can be given to an engineer: nobody to ask.
  if (viewer.supportEngineer) {
    return spec.access === 'write' ? VIEW_ONLY_REASON : 'Support access does not include this.';
  }
  const holders = ROLES.filter((r) => (spec.roles as readonly Role[]).includes(r));
  return `Only ${list(holders.map((r) => ROLE_PLURALS[r]))} can ${spec.label}.`;
}
