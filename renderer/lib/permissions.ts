import { denialReason } from '../../shared/deny-reasons';
import {
  READ_ONLY_PERMISSIONS,
  permissionsOf,
  type Permission,
  type Role,
} from '../../shared/permissions';
import { readOnlyReason } from '../stores/read-only-store';
import type { Me } from './trpc';

/**
 * Why the caller may not do something, in plain words (UI-16: who may, never a permission id;
 * a support engineer hears that support access is view-only, whatever the grant), or null when
 * they may. The server still checks every call; this only disables controls and says why.
 */
export function denyReason(
  who: Pick<Me, 'is_support_engineer'>,
  permissions: readonly string[] | undefined,
  needed: Permission,
): string | null {
  // A read-only review allows what reading needs and nothing else, whatever the roles say.
  const readOnly = READ_ONLY_PERMISSIONS.includes(needed) ? null : readOnlyReason();
  if (readOnly) return readOnly;
  const viewer = { supportEngineer: who.is_support_engineer };
  // An engineer's grant never carries a write: no need to wait for the permissions to say so.
  if (viewer.supportEngineer && !READ_ONLY_PERMISSIONS.includes(needed)) {
    return denialReason(needed, viewer);
  }
  if (permissions === undefined) return 'Checking your permissions…';
  if (permissions.includes(needed)) return null;
  return denialReason(needed, viewer);
}

export const isAccountAdmin = (me: Me): boolean =>
  me.roles.some((r) => r.role === 'account_admin' && r.organization_id == null);

/** Permissions held account-wide (roles without an organization). */
export function accountPermissions(me: Me): Permission[] {
  if (me.is_support_engineer) return [];
  const roles = me.roles.filter((r) => r.organization_id == null).map((r) => r.role as Role);
  return [...permissionsOf(roles)];
}
