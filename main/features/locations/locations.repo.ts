// Draft port (issue 14 step 0): LOC-1..4 locations, subnets and the matcher's input. Not yet
// implemented on SQLite. Issue 14 item 3: every change bumps the org's location revision in the
// same transaction, and matcher caches are keyed by it.
import type { LocationRow, LocationSubnetRow } from '../../domain/rows';

export interface LocationsRepo {
  byId(id: number): Promise<LocationRow | undefined>;
  ofOrg(orgId: number): Promise<LocationRow[]>;
  subnetsOf(locationIds: number[]): Promise<LocationSubnetRow[]>;
  /** What a matcher is built from: the org's locations and subnets, and its revision. */
  matcherInput(
    orgId: number,
  ): Promise<{ rev: number; locations: LocationRow[]; subnets: LocationSubnetRow[] }>;
  insert(values: Omit<LocationRow, 'id'>): Promise<LocationRow>;
  update(id: number, set: Partial<Omit<LocationRow, 'id'>>): Promise<LocationRow | undefined>;
  replaceSubnets(
    locationId: number,
    cidrs: { cidr: string; start: Buffer; end: Buffer }[],
  ): Promise<void>;
  /** LOC-4: hosts of a deleted location move to the org's Default. */
  moveHostsTo(fromLocationId: number, toLocationId: number): Promise<number>;
  delete(id: number): Promise<void>;
  hostCount(locationId: number): Promise<number>;
  bumpRevision(orgId: number): Promise<number>;
}
