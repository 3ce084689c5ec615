import type { Permission } from '../../../shared/permissions';
import { denyReason } from '../../lib/permissions';
import type { Me } from '../../lib/trpc';
import { readOnlyReason } from '../../stores/read-only-store';

/** The server's own words when a support engineer tries to change anything (SUP-5). */
export const VIEW_ONLY_REASON = 'Support access is view-only: no changes can be made.';

/**
 * Why this caller may not run an action that needs `needed`, or null when they may. A support
 * engineer is told that support access is view-only (whatever the grant), everyone else which
 * permission they lack. The server still checks every call.
 */
export function actionReason(
  me: Pick<Me, 'is_support_engineer'>,
  permissions: readonly string[] | undefined,
  needed: Permission,
): string | null {
  if (me.is_support_engineer) return VIEW_ONLY_REASON;
  return denyReason(permissions, needed);
}

/** Why this caller may change nothing at all here (no permission involved), or null. */
export function viewOnlyReason(me: Pick<Me, 'is_support_engineer'>): string | null {
  return me.is_support_engineer ? VIEW_ONLY_REASON : readOnlyReason();
}
