// Draft port (issue 14 step 0): HOST-1..5 and the UI-11 host pages. Not yet implemented on
// SQLite; `organizations` already reads host stats through OrganizationsRepo.hostStats.
import type { HostRow, LocationRow } from '../../domain/rows';
import type { HostSortKey, HostStatus } from '../../../shared/schemas/hosts.schema';
import type { SortOrder } from '../../../shared/schemas/common.schema';

export interface HostPageQuery {
  orgId: number;
  locationId?: number;
  status?: HostStatus;
  search?: string;
  sort: HostSortKey;
  order: SortOrder;
  skip: number;
  limit: number;
  now: number;
}

export interface HostsRepo {
  byId(id: number): Promise<HostRow | undefined>;
  byIds(ids: number[]): Promise<HostRow[]>;
  page(q: HostPageQuery): Promise<{ total: number; rows: HostRow[] }>;
  locationNames(ids: number[]): Promise<Map<number, string>>;
  location(id: number): Promise<LocationRow | undefined>;
  update(id: number, set: Partial<Omit<HostRow, 'id'>>): Promise<HostRow | undefined>;
  moveMany(ids: number[], locationId: number, pinned: boolean): Promise<void>;
  remove(ids: number[]): Promise<void>;
  countInOrg(orgId: number): Promise<number>;
  /** HOST-5 remove-all: the next chunk of an org's host ids. */
  idsInOrg(orgId: number, limit: number): Promise<number[]>;
  /** Unpinned hosts of an org, for reassignment after a subnet change. */
  unpinned(orgId: number): Promise<Pick<HostRow, 'id' | 'locationId' | 'ip'>[]>;
}
