import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { locationSubnets, locations } from '../../db/schema';
import { PrefixMatcher, parseCidr } from '../../../shared/cidr';

export interface OrgMatcher {
  defaultLocationId: number;
  matcher: PrefixMatcher<number>;
}

export interface Assignment {
  locationId: number;
  /** The subnet that decided it, or null when the IP fell through to the default location. */
  subnet: string | null;
}

/**
 * LOC-3: one longest-prefix matcher per org, built on first use and dropped when that org's
 * subnets change, so registration never rebuilds it per request.
 */
export class LocationMatcherCache {
  private readonly cache = new Map<number, OrgMatcher>();
  constructor(private readonly db: Db) {}

  private build(orgId: number): OrgMatcher {
    const subnets = this.db
      .select({ cidr: locationSubnets.cidr, locationId: locationSubnets.locationId })
      .from(locationSubnets)
      .where(eq(locationSubnets.organizationId, orgId))
      .all();
    const entries = subnets.flatMap((s) => {
      const parsed = parseCidr(s.cidr);
      return parsed.ok ? [{ cidr: parsed.cidr, value: s.locationId }] : [];
    });
    const defaultRow = this.db
      .select({ id: locations.id })
      .from(locations)
      .where(and(eq(locations.organizationId, orgId), eq(locations.isDefault, true)))
      .get();
    if (!defaultRow) throw new Error(`Organization ${orgId} has no default location`);
    return {
      defaultLocationId: defaultRow.id,
      matcher: new PrefixMatcher(entries),
    };
  }

  get(orgId: number): OrgMatcher {
    let m = this.cache.get(orgId);
    if (!m) {
      m = this.build(orgId);
      this.cache.set(orgId, m);
    }
    return m;
  }

  /** Where an IP lands in an org; the caller has validated the IP text. */
  assign(orgId: number, ip: string): Assignment {
    const m = this.get(orgId);
    const hit = m.matcher.match(ip);
    return hit
      ? { locationId: hit.value, subnet: hit.cidr.text }
      : { locationId: m.defaultLocationId, subnet: null };
  }

  invalidate(orgId: number): void {
    this.cache.delete(orgId);
  }

  get size(): number {
    return this.cache.size;
  }
}
