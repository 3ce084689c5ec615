import type { Repos } from '../../repos';
import { PrefixMatcher, parseCidr } from '../../../shared/cidr';
import type { MatcherInput } from './locations.repo';

export interface OrgMatcher {
  defaultLocationId: number;
  matcher: PrefixMatcher<number>;
}

export interface Assignment {
  locationId: number;
  /** The subnet that decided it, or null when the IP fell through to the default location. */
  subnet: string | null;
}

/** LOC-3: an org's longest-prefix matcher from its subnets and its default location. */
export function buildMatcher(orgId: number, input: MatcherInput): OrgMatcher {
  const entries = input.subnets.flatMap((s) => {
    const parsed = parseCidr(s.cidr);
    return parsed.ok ? [{ cidr: parsed.cidr, value: s.locationId }] : [];
  });
  if (input.defaultLocationId === undefined) {
    throw new Error(`Organization ${orgId} has no default location`);
  }
  return { defaultLocationId: input.defaultLocationId, matcher: new PrefixMatcher(entries) };
}

/** Where an IP lands by one matcher; the caller has validated the IP text. */
export function assignWith(m: OrgMatcher, ip: string): Assignment {
  const hit = m.matcher.match(ip);
  return hit
    ? { locationId: hit.value, subnet: hit.cidr.text }
    : { locationId: m.defaultLocationId, subnet: null };
}

/**
 * LOC-3: one longest-prefix matcher per org, built on first use and dropped when that org's
 * subnets change, so registration never rebuilds it per request.
 *
 * Two ways in (issue 14). The agents' registration and heartbeat run inside a synchronous job
 * (the agents' batch), so `get`/`assign` stay synchronous, built from `source` (on SQLite the
 * locations repository's synchronous read, on the one connection, so inside that job's
 * transaction). Services over the unit of work use `assignIn(r, …)`, which builds from `r`. A
 * matcher is only cached from committed state: one built inside a unit of work is kept after its
 * COMMIT (`r.afterCommit`), and a unit of work that changes subnets builds its own, uncached, and
 * drops the cached one after its COMMIT (`invalidate` in `r.afterCommit`), so a rollback leaves
 * the cache as it was.
 */
export class LocationMatcherCache {
  private readonly cache = new Map<number, OrgMatcher>();
  constructor(private readonly source: (orgId: number) => MatcherInput) {}

  get(orgId: number): OrgMatcher {
    let m = this.cache.get(orgId);
    if (!m) {
      m = buildMatcher(orgId, this.source(orgId));
      this.cache.set(orgId, m);
    }
    return m;
  }

  /** Where an IP lands in an org; the caller has validated the IP text. */
  assign(orgId: number, ip: string): Assignment {
    return assignWith(this.get(orgId), ip);
  }

  /**
   * The same, inside a unit of work that has not changed the org's subnets: the cached matcher,
   * or one built from `r` and cached once `r` commits.
   */
  async assignIn(
    r: Pick<Repos, 'locations' | 'afterCommit'>,
    orgId: number,
    ip: string,
  ): Promise<Assignment> {
    let m = this.cache.get(orgId);
    if (!m) {
      const built = buildMatcher(orgId, await r.locations.matcherInput(orgId));
      r.afterCommit(() => {
        if (!this.cache.has(orgId)) this.cache.set(orgId, built);
      });
      m = built;
    }
    return assignWith(m, ip);
  }

  invalidate(orgId: number): void {
    this.cache.delete(orgId);
  }

  get size(): number {
    return this.cache.size;
  }
}
