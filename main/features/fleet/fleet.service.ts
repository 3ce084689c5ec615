// UI-12: the fleet overview on All organizations, and the health history behind its chart.
import { and, asc, eq, gte, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { chunksOf, yieldToEventLoop, type Yield } from '../../core/yield';
import type { Db } from '../../db/database';
import { accountHealthSnapshots, organizations, orgHealthSnapshots } from '../../db/schema';
import {
  ATTENTION_LIST_LIMIT,
  ATTENTION_OFFLINE_SHARE,
  ATTENTION_STALE_SHARE,
} from '../../../shared/constants';
import {
  fleetHistoryInput,
  type AttentionItem,
  type AttentionReason,
  type FleetHistory,
  type FleetHistoryInput,
  type FleetOverview,
  type HealthPoint,
} from '../../../shared/schemas/fleet.schema';
import type { HostStats } from '../../../shared/schemas/organizations.schema';
import { hostStatsFor } from '../hosts/host-stats';
import type { SupportStatusNow } from '../support-access/support-access.mapper';
import { HOUR_MS, hourOf } from './fleet-snapshots';

export interface FleetDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  supportAccess: Pick<SupportStatusNow, 'status'>;
  /** Orgs whose host stats are read per chunk of the overview (tests make it small). */
  chunk?: number;
  yieldNow?: Yield;
}

/**
 * Orgs per chunk of the overview's stats. At the bench's size (10,000 orgs, 1,000,000 hosts, a
 * quarter of them offline or stale) hostStatsFor reads 100 orgs in about 1 ms and the whole
 * account in about 110 ms, so the overview yields to the event loop every 250 orgs instead of
 * holding it for the whole account.
 */
export const OVERVIEW_CHUNK = 250;

const NO_HOSTS: HostStats = { online: 0, offline: 0, stale: 0, total: 0 };

/** Pure: why an org needs attention (UI-12), in a fixed order; empty when it does not. */
export function attentionReasons(
  org: { isActive: boolean; killSwitch: boolean },
  stats: HostStats,
): AttentionReason[] {
  const reasons: AttentionReason[] = [];
  if (org.isActive && stats.total > 0) {
    if (stats.offline / stats.total >= ATTENTION_OFFLINE_SHARE) reasons.push('offline_share');
    if (stats.stale / stats.total >= ATTENTION_STALE_SHARE) reasons.push('stale_share');
  }
  if (org.killSwitch) reasons.push('kill_switch');
  if (!org.isActive) reasons.push('deactivated');
  return reasons;
}

const share = (n: number, total: number) => (total === 0 ? 0 : n / total);

/**
 * Active orgs first, then the most reasons, then the largest share. Ties keep the order the orgs
 * were read in (name, then id): the sort is stable, and comparing names here with localeCompare
 * cost 40 ms for 3,000 flagged orgs of the bench.
 */
function worstFirst(a: AttentionItem, b: AttentionItem): number {
  return (
    Number(b.is_active) - Number(a.is_active) ||
    b.reasons.length - a.reasons.length ||
    Math.max(b.offline_share, b.stale_share) - Math.max(a.offline_share, a.stale_share)
  );
}

export class FleetService {
  constructor(private readonly d: FleetDeps) {}

  /** The orgs the actor may read, as a WHERE clause (TEN-4, TEN-5), or null for none. */
  private scope(actor: Actor): { where: SQL | null; accountIds: number[]; orgIds: number[] } {
    const scope = this.d.access.scope(actor);
    const parts: SQL[] = [];
    if (scope.accountIds.length > 0) parts.push(inArray(organizations.accountId, scope.accountIds));
    if (scope.orgIds.length > 0) parts.push(inArray(organizations.id, scope.orgIds));
    const where = parts.length === 0 ? null : parts.length === 1 ? parts[0]! : or(...parts)!;
    return { where, ...scope };
  }

  /**
   * Totals (orgs; hosts of the active orgs by status) and the orgs needing attention, for every
   * org the caller may read: account admins their account, org-scoped users their orgs, support
   * engineers the accounts of their active grants. The per-org counts come from the trigger-kept
   * totals and the status ranges (hostStatsFor), in chunks with a yield between them.
   */
  async overview(actor: Actor): Promise<FleetOverview> {
    const now = this.d.clock.now();
    const { where } = this.scope(actor);
    const orgs = where
      ? this.d.db
          .select({
            id: organizations.id,
            accountId: organizations.accountId,
            name: organizations.name,
            isActive: organizations.isActive,
            killSwitch: organizations.killSwitch,
          })
          .from(organizations)
          .where(where)
          .orderBy(asc(organizations.nameKey), asc(organizations.id))
          .all()
      : [];
    const chunk = this.d.chunk ?? OVERVIEW_CHUNK;
    const yieldNow = this.d.yieldNow ?? yieldToEventLoop;
    const stats = new Map<number, HostStats>();
    for (const [i, part] of chunksOf(orgs, chunk).entries()) {
      if (i > 0) await yieldNow();
      for (const [id, s] of hostStatsFor(
        this.d.db,
        part.map((o) => o.id),
        now,
      ))
        stats.set(id, s);
    }

    const hosts = { ...NO_HOSTS };
    const counts: Record<AttentionReason, number> = {
      offline_share: 0,
      stale_share: 0,
      kill_switch: 0,
      deactivated: 0,
    };
    const flagged: AttentionItem[] = [];
    let active = 0;
    for (const org of orgs) {
      const s = stats.get(org.id) ?? NO_HOSTS;
      if (org.isActive) {
        active++;
        hosts.online += s.online;
        hosts.offline += s.offline;
        hosts.stale += s.stale;
        hosts.total += s.total;
      }
      const reasons = attentionReasons(org, s);
      if (reasons.length === 0) continue;
      for (const r of reasons) counts[r]++;
      flagged.push({
        organization_id: org.id,
        name: org.name,
        is_active: org.isActive,
        kill_switch: org.killSwitch,
        stats: s,
        offline_share: share(s.offline, s.total),
        stale_share: share(s.stale, s.total),
        reasons,
      });
    }
    flagged.sort(worstFirst);
    return {
      generated_at: iso(now),
      organizations: { total: orgs.length, active, deactivated: orgs.length - active },
      hosts,
      thresholds: { offline_share: ATTENTION_OFFLINE_SHARE, stale_share: ATTENTION_STALE_SHARE },
      attention: { total: flagged.length, counts, items: flagged.slice(0, ATTENTION_LIST_LIMIT) },
      support_access: this.supportAccess(actor),
    };
  }

  /** SUP-2, for those who manage it: support access is account-wide, so it is one line, not per org. */
  private supportAccess(actor: Actor): FleetOverview['support_access'] {
    if (actor.isSupportEngineer) return null;
    const perms = this.d.access.accountPermissions(actor, actor.accountId);
    if (!perms.has('support_access.manage')) return null;
    const status = this.d.supportAccess.status(actor);
    return { active: status.active, expires_at: status.expires_at, grants: status.grants.length };
  }

  /**
   * The last `hours` hourly snapshots, oldest first: of one org (which the caller must be able to
   * read: NOT_FOUND otherwise, TEN-4), or of the caller's fleet (the active orgs they may read),
   * summed from the account rows where they see whole accounts and from the org rows otherwise.
   */
  history(actor: Actor, raw?: FleetHistoryInput): FleetHistory {
    const input = fleetHistoryInput.parse(raw);
    const to = hourOf(this.d.clock.now());
    const from = to - (input.hours - 1) * HOUR_MS;
    const point = (r: {
      hour: number;
      online: number;
      offline: number;
      stale: number;
      total: number;
    }): HealthPoint => ({
      hour: iso(r.hour),
      online: r.online,
      offline: r.offline,
      stale: r.stale,
      total: r.total,
    });
    const range = { from: iso(from), to: iso(to) };
    const h = orgHealthSnapshots;

    if (input.organization_id) {
      const org = this.d.access.requireOrg(actor, input.organization_id);
      const rows = this.d.db
        .select()
        .from(h)
        .where(and(eq(h.organizationId, org.id), gte(h.hour, from), lte(h.hour, to)))
        .orderBy(asc(h.hour))
        .all();
      return { organization_id: org.id, ...range, points: rows.map(point) };
    }

    const scope = this.scope(actor);
    const byHour = new Map<number, HealthPoint & { at: number }>();
    const add = (r: {
      hour: number;
      online: number;
      offline: number;
      stale: number;
      total: number;
    }) => {
      const p = byHour.get(r.hour) ?? {
        ...point({ ...r, online: 0, offline: 0, stale: 0, total: 0 }),
        at: r.hour,
      };
      p.online += r.online;
      p.offline += r.offline;
      p.stale += r.stale;
      p.total += r.total;
      byHour.set(r.hour, p);
    };
    const a = accountHealthSnapshots;
    if (scope.accountIds.length > 0) {
      this.d.db
        .select()
        .from(a)
        .where(and(inArray(a.accountId, scope.accountIds), gte(a.hour, from), lte(a.hour, to)))
        .all()
        .forEach(add);
    }
    // Org-scoped roles: their orgs' rows, unless a whole account of theirs already counts them.
    if (scope.orgIds.length > 0) {
      const sums = this.d.db
        .select({
          hour: h.hour,
          online: sql<number>`sum(${h.online})`,
          offline: sql<number>`sum(${h.offline})`,
          stale: sql<number>`sum(${h.stale})`,
          total: sql<number>`sum(${h.total})`,
        })
        .from(h)
        .where(
          and(
            inArray(h.organizationId, scope.orgIds),
            scope.accountIds.length > 0
              ? sql`${h.accountId} NOT IN (SELECT value FROM json_each(${JSON.stringify(scope.accountIds)}))`
              : undefined,
            eq(h.isActive, true),
            gte(h.hour, from),
            lte(h.hour, to),
          ),
        )
        .groupBy(h.hour)
        .all();
      sums.forEach(add);
    }
    const points = [...byHour.values()].sort((x, y) => x.at - y.at).map(({ at: _at, ...p }) => p);
    return { organization_id: null, ...range, points };
  }
}
