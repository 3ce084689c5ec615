import { and, asc, count, eq, inArray, ne, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type {
  LocationsRepo,
  MatcherInput,
  NewLocation,
} from '../../../features/locations/locations.repo';
import type { HostRow, LocationRow, LocationSubnetRow } from '../../../domain/rows';
import { hosts, locationSubnets, locations, organizations } from '../schema';
import { idArray, lockRow } from './sql-helpers';

/**
 * LOC-1..4 on PostgreSQL. Lists SQLite returns without an ORDER BY are read here in id order
 * (the order SQLite's rowid walks give them), so both engines answer the same list.
 */
export class PgLocationsRepo implements LocationsRepo {
  constructor(
    private readonly db: NodePgDatabase,
    /** A read's (PgTx.readOnly): `{ forUpdate }` then takes no lock (lockRow). */
    private readonly readOnly = false,
  ) {}

  async byId(id: number, opts?: { forUpdate?: boolean }): Promise<LocationRow | undefined> {
    const q = this.db.select().from(locations).where(eq(locations.id, id));
    const [row] = lockRow(this.readOnly, opts) ? await q.for('update') : await q;
    return row;
  }

  async ofOrg(orgId: number): Promise<LocationRow[]> {
    return this.db
      .select()
      .from(locations)
      .where(eq(locations.organizationId, orgId))
      .orderBy(asc(locations.nameKey), asc(locations.id));
  }

  async subnetsOf(
    locationIds: number[],
  ): Promise<Pick<LocationSubnetRow, 'locationId' | 'cidr'>[]> {
    if (locationIds.length === 0) return [];
    return this.db
      .select({ locationId: locationSubnets.locationId, cidr: locationSubnets.cidr })
      .from(locationSubnets)
      .where(sql`${locationSubnets.locationId} = ANY(${idArray(locationIds)})`)
      .orderBy(asc(locationSubnets.id));
  }

  async hostCounts(locationIds: number[]): Promise<Map<number, number>> {
    if (locationIds.length === 0) return new Map();
    const rows = await this.db
      .select({ locationId: hosts.locationId, n: count() })
      .from(hosts)
      .where(sql`${hosts.locationId} = ANY(${idArray(locationIds)})`)
      .groupBy(hosts.locationId)
      .orderBy(asc(hosts.locationId));
    return new Map(rows.map((r) => [r.locationId, r.n]));
  }

  async subnetClash(
    orgId: number,
    locationId: number,
    cidrs: string[],
  ): Promise<{ cidr: string; name: string } | undefined> {
    if (cidrs.length === 0) return undefined;
    const [row] = await this.db
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
      // The first clash by CIDR text, the one SQLite's walk of (organization_id, cidr) meets first.
      .orderBy(asc(locationSubnets.cidr))
      .limit(1);
    return row;
  }

  async replaceSubnets(orgId: number, locationId: number, cidrs: string[]): Promise<void> {
    await this.db.delete(locationSubnets).where(eq(locationSubnets.locationId, locationId));
    if (cidrs.length > 0) {
      await this.db
        .insert(locationSubnets)
        .values(cidrs.map((cidr) => ({ locationId, organizationId: orgId, cidr })));
    }
  }

  async insert(values: NewLocation): Promise<LocationRow> {
    const [row] = await this.db.insert(locations).values(values).returning();
    return row!;
  }

  async update(
    id: number,
    set: Partial<Pick<LocationRow, 'name' | 'nameKey' | 'timezone' | 'updatedAt'>>,
  ): Promise<void> {
    await this.db.update(locations).set(set).where(eq(locations.id, id));
  }

  // The partial unique index forbids two defaults: the old flag goes first (the index is checked
  // per statement on PostgreSQL too, not deferred).
  async makeDefault(orgId: number, locationId: number, now: number): Promise<void> {
    await this.db
      .update(locations)
      .set({ isDefault: false, updatedAt: now })
      .where(and(eq(locations.organizationId, orgId), eq(locations.isDefault, true)));
    await this.db
      .update(locations)
      .set({ isDefault: true, updatedAt: now })
      .where(eq(locations.id, locationId));
  }

  async defaultOf(orgId: number): Promise<number | undefined> {
    const [row] = await this.db
      .select({ id: locations.id })
      .from(locations)
      .where(and(eq(locations.organizationId, orgId), eq(locations.isDefault, true)));
    return row?.id;
  }

  async subnetsExcept(
    orgId: number,
    locationId: number,
  ): Promise<Pick<LocationSubnetRow, 'cidr' | 'locationId'>[]> {
    return this.db
      .select({ cidr: locationSubnets.cidr, locationId: locationSubnets.locationId })
      .from(locationSubnets)
      .where(
        and(eq(locationSubnets.organizationId, orgId), ne(locationSubnets.locationId, locationId)),
      )
      .orderBy(asc(locationSubnets.id));
  }

  async hostsAt(locationId: number): Promise<Pick<HostRow, 'id' | 'ip' | 'pinned'>[]> {
    return this.db
      .select({ id: hosts.id, ip: hosts.ip, pinned: hosts.pinned })
      .from(hosts)
      .where(eq(hosts.locationId, locationId))
      .orderBy(asc(hosts.id));
  }

  async names(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: locations.id, name: locations.name })
      .from(locations)
      .where(sql`${locations.id} = ANY(${idArray(ids)})`)
      .orderBy(asc(locations.id));
    return new Map(rows.map((l) => [l.id, l.name]));
  }

  // One statement: the id list is one array parameter (no bound-parameter limit to chunk for).
  async moveHosts(hostIds: number[], toLocationId: number): Promise<void> {
    if (hostIds.length === 0) return;
    await this.db
      .update(hosts)
      .set({ locationId: toLocationId })
      .where(sql`${hosts.id} = ANY(${idArray(hostIds)})`);
  }

  async delete(id: number): Promise<void> {
    await this.db.delete(locations).where(eq(locations.id, id));
  }

  async matcherInput(orgId: number): Promise<MatcherInput> {
    return {
      revision: await this.locationRevision(orgId),
      subnets: await this.db
        .select({ cidr: locationSubnets.cidr, locationId: locationSubnets.locationId })
        .from(locationSubnets)
        .where(eq(locationSubnets.organizationId, orgId))
        .orderBy(asc(locationSubnets.id)),
      defaultLocationId: await this.defaultOf(orgId),
    };
  }

  async locationRevision(orgId: number): Promise<number> {
    const [row] = await this.db
      .select({ revision: organizations.locationRevision })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row?.revision ?? 0;
  }
}
