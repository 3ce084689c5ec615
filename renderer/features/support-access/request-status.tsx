import type { SupportRequestStatus } from '../../../shared/schemas/support-access.schema';

const TONE: Record<SupportRequestStatus, string> = {
  pending: 'tag-info',
  approved: 'tag-success',
  denied: 'tag-danger',
  expired: '',
  cancelled: 'tag-warning',
};

const LABEL: Record<SupportRequestStatus, string> = {
  pending: 'Pending',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

export function RequestStatusTag({ status }: { status: SupportRequestStatus }) {
  return <span className={`tag ${TONE[status]}`}>{LABEL[status]}</span>;
}

export const REQUEST_FILTERS: readonly { value: SupportRequestStatus | 'all'; label: string }[] = [
  { value: 'pending', label: 'Pending' },
  { value: 'all', label: 'All' },
  { value: 'approved', label: 'Approved' },
  { value: 'denied', label: 'Denied' },
  { value: 'expired', label: 'Expired' },
  { value: 'cancelled', label: 'Cancelled' },
];
