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

/** Where the cache reads from synchronously (on SQLite: the locations repository, same connection). */
export interface MatcherSource {
  input(orgId: number): MatcherInput;
  revision(orgId: number): number;
}

interface Cached {
  revision: number;
  matcher: OrgMatcher;
}

/**
 * LOC-3: one longest-prefix matcher per org, built on first use, so registration never rebuilds
 * it per request. Each is kept with the org's location revision it was built at
 * (organizations.location_revision, bumped by triggers in the same transaction as any location or
 * subnet change, migration 0014) and used only while the org is still at that revision: an edit
 * made by another process (a replica, a tool) is seen at the next use, not only our own. Nothing
 * here is needed for correctness (SCALE-2): it is a cache of committed state.
 *
 * Two ways in (issue 14). The agents' registration and heartbeat run inside a synchronous job
 * (the agents' batch), so `assign` stays synchronous, reading `source` (on SQLite inside that
 * job's transaction); registration passes the revision it already read with the org's secret.
 * Services over the unit of work use `assignIn(r, …)`, which reads from `r`. A matcher built
 * inside a unit of work is cached only after its COMMIT (`r.afterCommit`), so a rollback leaves the
 * cache as it was; `invalidate` drops an entry early after a local edit (an optimisation: the
 * revision would catch it too).
 */
export class LocationMatcherCache {
  private readonly cache = new Map<number, Cached>();
  constructor(private readonly source: MatcherSource) {}

  private current(orgId: number, revision: number): OrgMatcher {
    const hit = this.cache.get(orgId);
    if (hit && hit.revision === revision) return hit.matcher;
    const input = this.source.input(orgId);
    const matcher = buildMatcher(orgId, input);
    this.cache.set(orgId, { revision: input.revision, matcher });
    return matcher;
  }

  /** The org's matcher at its current revision (built now if the cached one is older). */
  get(orgId: number): OrgMatcher {
    return this.current(orgId, this.source.revision(orgId));
  }

  /**
   * Where an IP lands in an org; the caller has validated the IP text. `revision`: the org's
   * location revision read in the caller's transaction, when it has it (else it is read here).
   */
  assign(orgId: number, ip: string, revision?: number): Assignment {
    return assignWith(this.current(orgId, revision ?? this.source.revision(orgId)), ip);
  }

  /**
   * The same, inside a unit of work that has not changed the org's subnets: the cached matcher
   * if it is of the org's current revision, or one built from `r` and cached once `r` commits.
   */
  async assignIn(
    r: Pick<Repos, 'locations' | 'afterCommit'>,
    orgId: number,
    ip: string,
  ): Promise<Assignment> {
    const revision = await r.locations.locationRevision(orgId);
    const hit = this.cache.get(orgId);
    if (hit && hit.revision === revision) return assignWith(hit.matcher, ip);
    const input = await r.locations.matcherInput(orgId);
    const built = buildMatcher(orgId, input);
    r.afterCommit(() => {
      const now = this.cache.get(orgId);
      if (!now || now.revision < input.revision) {
        this.cache.set(orgId, { revision: input.revision, matcher: built });
      }
    });
    return assignWith(built, ip);
  }

  invalidate(orgId: number): void {
    this.cache.delete(orgId);
  }

  get size(): number {
    return this.cache.size;
  }
}
