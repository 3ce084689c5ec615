import { VIEW_ONLY_REASON } from '../../../shared/deny-reasons';
import type { Me } from '../../lib/trpc';
import { readOnlyReason } from '../../stores/read-only-store';

export { VIEW_ONLY_REASON };

/** Why this caller may change nothing at all here (no permission involved), or null. */
export function viewOnlyReason(me: Pick<Me, 'is_support_engineer'>): string | null {
  return me.is_support_engineer ? VIEW_ONLY_REASON : readOnlyReason();
}
