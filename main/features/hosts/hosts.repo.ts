// The hosts' port (issue 14): AGT-4 host pages and detail, HOST moves, pins, identity resets and
// removals (UI-13's bulk forms too). The SQLite adapter is main/db/sqlite/repos/hosts.ts.
import type { HostRow } from '../../domain/rows';
import type { HostSortKey, HostStatus } from '../../../shared/schemas/hosts.schema';
import type { SortOrder } from '../../../shared/schemas/common.schema';

export interface HostPageQuery {
  orgId: number;
  locationId?: number;
  status?: HostStatus;
  /** A part of the hostname ignoring case, or the start of the IP (literal, wildcards included). */
  search?: string;
  sort: HostSortKey;
  order: SortOrder;
  skip: number;
  limit: number;
  /** The instant statuses are judged at (AGT-3). */
  now: number;
}

export interface HostsRepo {
  byId(id: number, opts?: { forUpdate?: boolean }): Promise<HostRow | undefined>;
  byIds(ids: number[], opts?: { forUpdate?: boolean }): Promise<HostRow[]>;
  /** UI-11: one page in the order asked for, and the total matching the filters. */
  page(q: HostPageQuery): Promise<{ total: number; rows: HostRow[] }>;
  /** A location of this org (a move's target), or undefined when it is absent or foreign. */
  locationInOrg(locationId: number, orgId: number): Promise<{ id: number } | undefined>;
  update(
    id: number,
    set: Partial<Pick<HostRow, 'locationId' | 'pinned' | 'publicKey' | 'lastSignedAt'>>,
  ): Promise<HostRow | undefined>;
  /** UI-13 bulk move: every host to one location, pinned. */
  moveMany(ids: number[], locationId: number): Promise<void>;
  remove(ids: number[]): Promise<void>;
  countInOrg(orgId: number): Promise<number>;
  /** The highest host id of an org (0 when it has none): "remove all" removes up to it. */
  topIdInOrg(orgId: number): Promise<number>;
  /** HOST-5 remove-all: the next chunk of an org's hosts, up to id `top`, by id. */
  chunkInOrg(
    orgId: number,
    top: number,
    limit: number,
  ): Promise<Pick<HostRow, 'id' | 'hostname'>[]>;
  /** Unpinned hosts of an org, for reassignment after a subnet change (LOC-3). */
  unpinned(orgId: number): Promise<Pick<HostRow, 'id' | 'locationId' | 'ip'>[]>;
  setLocation(id: number, locationId: number): Promise<void>;
}
