import type { UnitOfWork } from '../../core/uow';
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

interface Cached {
  revision: number;
  matcher: OrgMatcher;
}

/** Where the cache reads committed state from: any engine's unit of work (one read each). */
export type MatcherStore = Pick<UnitOfWork<Pick<Repos, 'locations'>>, 'read'>;

/**
 * LOC-3: one longest-prefix matcher per org, built on first use, so registration never rebuilds
 * it per request. Each is kept with the org's location revision it was built at
 * (organizations.location_revision, bumped by triggers in the same transaction as any location or
 * subnet change, migration 0014) and used only while the org is still at that revision: an edit
 * made by another process (a replica, a tool) is seen at the next use, not only our own. Nothing
 * here is needed for correctness (SCALE-2): it is a cache of committed state.
 *
 * Three ways in, none synchronous to storage (issue 15: the same cache over SQLite and
 * PostgreSQL). `get` loads through the unit of work, in a read of its own. The agents' batch
 * jobs cannot await, so they ask `at(orgId, revision)` with the revision they read inside their
 * own transaction and, on a miss, end the job and have it run again after `get` (agents.service.ts).
 * Services over the unit of work use `assignIn(r, …)`, which reads from `r`; a matcher built
 * inside a unit of work is cached only after its COMMIT (`r.afterCommit`), so a rollback leaves
 * the cache as it was. `invalidate` drops an entry early after a local edit (an optimisation:
 * the revision would catch it too).
 */
export class LocationMatcherCache {
  private readonly cache = new Map<number, Cached>();
  constructor(private readonly store: MatcherStore) {}

  /** Keeps a matcher unless the cache already holds one of a later revision. */
  private keep(orgId: number, revision: number, matcher: OrgMatcher): void {
    const now = this.cache.get(orgId);
    if (!now || now.revision < revision) this.cache.set(orgId, { revision, matcher });
  }

  /** The cached matcher if it was built at `revision` (the org's, read by the caller); else none. */
  at(orgId: number, revision: number): OrgMatcher | undefined {
    const hit = this.cache.get(orgId);
    return hit && hit.revision === revision ? hit.matcher : undefined;
  }

  /** The org's matcher at its committed revision, built now (and cached) if the cached one is older. */
  async get(orgId: number): Promise<OrgMatcher> {
    const loaded = await this.store.read(async (r) => {
      const revision = await r.locations.locationRevision(orgId);
      const hit = this.at(orgId, revision);
      if (hit) return { cached: true as const, matcher: hit };
      const input = await r.locations.matcherInput(orgId);
      return {
        cached: false as const,
        revision: input.revision,
        matcher: buildMatcher(orgId, input),
      };
    });
    if (!loaded.cached) this.keep(orgId, loaded.revision, loaded.matcher);
    return loaded.matcher;
  }

  /**
   * Where an IP lands in an org, inside a unit of work that has not changed the org's subnets:
   * the cached matcher if it is of the org's current revision, or one built from `r` and cached
   * once `r` commits. The caller has validated the IP text.
   */
  async assignIn(
    r: Pick<Repos, 'locations' | 'afterCommit'>,
    orgId: number,
    ip: string,
  ): Promise<Assignment> {
    const revision = await r.locations.locationRevision(orgId);
    const hit = this.at(orgId, revision);
    if (hit) return assignWith(hit, ip);
    const input = await r.locations.matcherInput(orgId);
    const built = buildMatcher(orgId, input);
    r.afterCommit(() => this.keep(orgId, input.revision, built));
    return assignWith(built, ip);
  }

  invalidate(orgId: number): void {
    this.cache.delete(orgId);
  }

  get size(): number {
    return this.cache.size;
  }
}
