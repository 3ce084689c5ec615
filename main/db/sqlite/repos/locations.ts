import { and, asc, count, eq, inArray, ne, sql } from 'drizzle-orm';
import type {
  LocationsRepo,
  MatcherInput,
  NewLocation,
} from '../../../features/locations/locations.repo';
import type { HostRow, LocationRow, LocationSubnetRow } from '../../../domain/rows';
import type { Db } from '../../database';
import { hosts, locationSubnets, locations, organizations } from '../../schema';

/** Host ids per UPDATE … IN (…): well inside SQLite's bound-parameter limit. */
const ID_CHUNK = 500;

/**
 * LOC-1..4 on SQLite: the SQL that was locations.service.ts's (and location-matcher.ts's),
 * unchanged (issue 14).
 */
export class SqliteLocationsRepo implements LocationsRepo {
  private readonly byIdStmt;
  private readonly ofOrgStmt;
  private readonly defaultStmt;
  private readonly orgSubnetsStmt;
  private readonly subnetsExceptStmt;
  private readonly hostsAtStmt;
  private readonly revisionStmt;

  constructor(private readonly db: Db) {
    const p = (name: string) => sql.placeholder(name);
    this.byIdStmt = db
      .select()
      .from(locations)
      .where(eq(locations.id, p('id')))
      .prepare();
    this.ofOrgStmt = db
      .select()
      .from(locations)
      .where(eq(locations.organizationId, p('orgId')))
      .orderBy(asc(locations.nameKey), asc(locations.id))
      .prepare();
    this.defaultStmt = db
      .select({ id: locations.id })
      .from(locations)
      .where(and(eq(locations.organizationId, p('orgId')), eq(locations.isDefault, true)))
      .prepare();
    this.revisionStmt = db
      .select({ revision: organizations.locationRevision })
      .from(organizations)
      .where(eq(organizations.id, p('orgId')))
      .prepare();
    this.orgSubnetsStmt = db
      .select({ cidr: locationSubnets.cidr, locationId: locationSubnets.locationId })
      .from(locationSubnets)
      .where(eq(locationSubnets.organizationId, p('orgId')))
      .prepare();
    this.subnetsExceptStmt = db
      .select({ cidr: locationSubnets.cidr, locationId: locationSubnets.locationId })
      .from(locationSubnets)
      .where(
        and(
          eq(locationSubnets.organizationId, p('orgId')),
          ne(locationSubnets.locationId, p('locationId')),
        ),
      )
      .prepare();
    this.hostsAtStmt = db
      .select({ id: hosts.id, ip: hosts.ip, pinned: hosts.pinned })
      .from(hosts)
      .where(eq(hosts.locationId, p('locationId')))
      .prepare();
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async byId(id: number, _opts?: { forUpdate?: boolean }): Promise<LocationRow | undefined> {
    return this.byIdStmt.get({ id });
  }

  async ofOrg(orgId: number): Promise<LocationRow[]> {
    return this.ofOrgStmt.all({ orgId });
  }

  async subnetsOf(
    locationIds: number[],
  ): Promise<Pick<LocationSubnetRow, 'locationId' | 'cidr'>[]> {
    if (locationIds.length === 0) return [];
    return this.db
      .select({ locationId: locationSubnets.locationId, cidr: locationSubnets.cidr })
      .from(locationSubnets)
      .where(inArray(locationSubnets.locationId, locationIds))
      .orderBy(asc(locationSubnets.id))
      .all();
  }

  async hostCounts(locationIds: number[]): Promise<Map<number, number>> {
    if (locationIds.length === 0) return new Map();
    return new Map(
      this.db
        .select({ locationId: hosts.locationId, n: count() })
        .from(hosts)
        .where(inArray(hosts.locationId, locationIds))
        .groupBy(hosts.locationId)
        .all()
        .map((r) => [r.locationId, r.n]),
    );
  }

  async subnetClash(
    orgId: number,
    locationId: number,
    cidrs: string[],
  ): Promise<{ cidr: string; name: string } | undefined> {
    if (cidrs.length === 0) return undefined;
    return this.db
      .select({ cidr: locationSubnets.cidr, name: locations.name })
      .from(locationSubnets)
      .innerJoin(locations, eq(locations.id, locationSubnets.locationId))
      .where(
        and(
          eq(locationSubnets.organizationId, orgId),
          ne(locationSubnets.locationId, locationId),
          inArray(locationSubnets.cidr, cidrs),
        ),
      )
      .get();
  }

  async replaceSubnets(orgId: number, locationId: number, cidrs: string[]): Promise<void> {
    this.db.delete(locationSubnets).where(eq(locationSubnets.locationId, locationId)).run();
    if (cidrs.length > 0) {
      this.db
        .insert(locationSubnets)
        .values(cidrs.map((cidr) => ({ locationId, organizationId: orgId, cidr })))
        .run();
    }
  }

  async insert(values: NewLocation): Promise<LocationRow> {
    return this.db.insert(locations).values(values).returning().get();
  }

  async update(
    id: number,
    set: Partial<Pick<LocationRow, 'name' | 'nameKey' | 'timezone' | 'updatedAt'>>,
  ): Promise<void> {
    this.db.update(locations).set(set).where(eq(locations.id, id)).run();
  }

  // The partial unique index forbids two defaults: the old flag goes first.
  async makeDefault(orgId: number, locationId: number, now: number): Promise<void> {
    this.db
      .update(locations)
      .set({ isDefault: false, updatedAt: now })
      .where(and(eq(locations.organizationId, orgId), eq(locations.isDefault, true)))
      .run();
    this.db
      .update(locations)
      .set({ isDefault: true, updatedAt: now })
      .where(eq(locations.id, locationId))
      .run();
  }

  async defaultOf(orgId: number): Promise<number | undefined> {
    return this.defaultStmt.get({ orgId })?.id;
  }

  async subnetsExcept(
    orgId: number,
    locationId: number,
  ): Promise<Pick<LocationSubnetRow, 'cidr' | 'locationId'>[]> {
    return this.subnetsExceptStmt.all({ orgId, locationId });
  }

  async hostsAt(locationId: number): Promise<Pick<HostRow, 'id' | 'ip' | 'pinned'>[]> {
    return this.hostsAtStmt.all({ locationId });
  }

  async names(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    return new Map(
      this.db
        .select({ id: locations.id, name: locations.name })
        .from(locations)
        .where(inArray(locations.id, ids))
        .all()
        .map((l) => [l.id, l.name]),
    );
  }

  async moveHosts(hostIds: number[], toLocationId: number): Promise<void> {
    for (let i = 0; i < hostIds.length; i += ID_CHUNK) {
      this.db
        .update(hosts)
        .set({ locationId: toLocationId })
        .where(inArray(hosts.id, hostIds.slice(i, i + ID_CHUNK)))
        .run();
    }
  }

  async delete(id: number): Promise<void> {
    this.db.delete(locations).where(eq(locations.id, id)).run();
  }

  async matcherInput(orgId: number): Promise<MatcherInput> {
    return {
      revision: this.revisionStmt.get({ orgId })?.revision ?? 0,
      subnets: this.orgSubnetsStmt.all({ orgId }),
      defaultLocationId: this.defaultStmt.get({ orgId })?.id,
    };
  }

  async locationRevision(orgId: number): Promise<number> {
    return this.revisionStmt.get({ orgId })?.revision ?? 0;
  }
}
