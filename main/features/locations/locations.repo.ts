// The locations' port (issue 14): LOC-1..4 locations and subnets, and what the LOC-3 matcher is
// built from. The SQLite adapter is main/db/sqlite/repos/locations.ts. Issue 14 item 3: every
// change bumps the org's location revision in the same transaction, and matcher caches are keyed
// by it.
import type { HostRow, LocationRow, LocationSubnetRow } from '../../domain/rows';

/** What an org's LOC-3 matcher is built from. */
export interface MatcherInput {
  /** Undefined only for an org that does not exist (every org has its Default). */
  defaultLocationId: number | undefined;
  subnets: Pick<LocationSubnetRow, 'cidr' | 'locationId'>[];
  /** organizations.location_revision read with them: what a matcher built from them is valid for. */
  revision: number;
}

export type NewLocation = Omit<LocationRow, 'id'>;

export interface LocationsRepo {
  byId(id: number, opts?: { forUpdate?: boolean }): Promise<LocationRow | undefined>;
  /** The org's locations by name (name key), then id. */
  ofOrg(orgId: number): Promise<LocationRow[]>;
  /** The subnets of these locations, in the order they were written. */
  subnetsOf(locationIds: number[]): Promise<Pick<LocationSubnetRow, 'locationId' | 'cidr'>[]>;
  /** Hosts per location, for these locations (absent: none). */
  hostCounts(locationIds: number[]): Promise<Map<number, number>>;
  /** LOC-2: one of `cidrs` already a subnet of another location of the org, with its name. */
  subnetClash(
    orgId: number,
    locationId: number,
    cidrs: string[],
  ): Promise<{ cidr: string; name: string } | undefined>;
  replaceSubnets(orgId: number, locationId: number, cidrs: string[]): Promise<void>;
  insert(values: NewLocation): Promise<LocationRow>;
  update(
    id: number,
    set: Partial<Pick<LocationRow, 'name' | 'nameKey' | 'timezone' | 'updatedAt'>>,
  ): Promise<void>;
  /** LOC-4: moves the org's default flag to this location, in one step. */
  makeDefault(orgId: number, locationId: number, now: number): Promise<void>;
  defaultOf(orgId: number): Promise<number | undefined>;
  /** The org's subnets outside one location (where that location's hosts go once it is gone). */
  subnetsExcept(
    orgId: number,
    locationId: number,
  ): Promise<Pick<LocationSubnetRow, 'cidr' | 'locationId'>[]>;
  hostsAt(locationId: number): Promise<Pick<HostRow, 'id' | 'ip' | 'pinned'>[]>;
  names(ids: number[]): Promise<Map<number, string>>;
  /** LOC-4: these hosts to one location (any number of them). */
  moveHosts(hostIds: number[], toLocationId: number): Promise<void>;
  delete(id: number): Promise<void>;
  matcherInput(orgId: number): Promise<MatcherInput>;
  /** The org's location revision (0 for an org that does not exist). */
  locationRevision(orgId: number): Promise<number>;
}
