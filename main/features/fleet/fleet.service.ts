// UI-12: the fleet overview on All organizations, and the health history behind its chart.
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { chunksOf, yieldToEventLoop, type Yield } from '../../core/yield';
import type { Uow } from '../../repos';
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
import type { HourCounts } from './fleet.repo';
import type { SupportAccessService } from '../support-access/support-access.service';
import { HOUR_MS, hourOf } from './fleet-snapshots';

export interface FleetDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
  /** SUP-2's status line: another service, called outside this one's units of work. */
  supportAccess: Pick<SupportAccessService, 'status'>;
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

  /**
   * Totals (orgs; hosts of the active orgs by status) and the orgs needing attention, for every
   * org the caller may read: account admins their account, org-scoped users their orgs, support
   * engineers the accounts of their active grants. The per-org counts come from the trigger-kept
   * totals and the status ranges (hostStatsFor), in chunks with a yield between them: the scope
   * and the orgs are one read, each chunk of stats a read of its own (a unit of work never spans
   * a yield), as the chunks were separate reads before.
   */
  async overview(actor: Actor): Promise<FleetOverview> {
    const now = this.d.clock.now();
    const { orgs, managesSupport } = await this.d.uow.read(async (r) => {
      const scope = await this.d.access.scope(r, actor);
      return {
        orgs: await r.fleet.orgsInScope(scope),
        managesSupport:
          !actor.isSupportEngineer &&
          (await this.d.access.accountPermissions(r, actor, actor.accountId)).has(
            'support_access.manage',
          ),
      };
    });
    const chunk = this.d.chunk ?? OVERVIEW_CHUNK;
    const yieldNow = this.d.yieldNow ?? yieldToEventLoop;
    const stats = new Map<number, HostStats>();
    for (const [i, part] of chunksOf(orgs, chunk).entries()) {
      if (i > 0) await yieldNow();
      const partStats = await this.d.uow.read((r) =>
        r.fleet.hostStats(
          part.map((o) => o.id),
          now,
        ),
      );
      for (const [id, s] of partStats) stats.set(id, s);
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
      support_access: managesSupport ? await this.supportAccess(actor) : null,
    };
  }

  /**
   * SUP-2, for those who manage it: support access is account-wide, so it is one line, not per
   * org. Another service's call, so outside this service's units of work (never nested); awaited,
   * so it reads the same whether that service is synchronous yet or not.
   */
  private async supportAccess(actor: Actor): Promise<FleetOverview['support_access']> {
    const status = await this.d.supportAccess.status(actor);
    return { active: status.active, expires_at: status.expires_at, grants: status.grants.length };
  }

  /**
   * The last `hours` hourly snapshots, oldest first: of one org (which the caller must be able to
   * read: NOT_FOUND otherwise, TEN-4), or of the caller's fleet (the active orgs they may read),
   * summed from the account rows where they see whole accounts and from the org rows otherwise.
   * One read: the check and the rows agree.
   */
  async history(actor: Actor, raw?: FleetHistoryInput): Promise<FleetHistory> {
    const input = fleetHistoryInput.parse(raw);
    const to = hourOf(this.d.clock.now());
    const from = to - (input.hours - 1) * HOUR_MS;
    const point = (r: HourCounts): HealthPoint => ({
      hour: iso(r.hour),
      online: r.online,
      offline: r.offline,
      stale: r.stale,
      total: r.total,
    });
    const range = { from: iso(from), to: iso(to) };

    return this.d.uow.read(async (r) => {
      if (input.organization_id) {
        const org = await this.d.access.requireOrg(r, actor, input.organization_id);
        const rows = await r.fleet.orgHistory(org.id, from, to);
        return { organization_id: org.id, ...range, points: rows.map(point) };
      }

      const scope = await this.d.access.scope(r, actor);
      const byHour = new Map<number, HealthPoint & { at: number }>();
      const add = (row: HourCounts) => {
        const p = byHour.get(row.hour) ?? {
          ...point({ ...row, online: 0, offline: 0, stale: 0, total: 0 }),
          at: row.hour,
        };
        p.online += row.online;
        p.offline += row.offline;
        p.stale += row.stale;
        p.total += row.total;
        byHour.set(row.hour, p);
      };
      if (scope.accountIds.length > 0) {
        (await r.fleet.accountHistory(scope.accountIds, from, to)).forEach(add);
      }
      // Org-scoped roles: their orgs' rows, unless a whole account of theirs already counts them.
      if (scope.orgIds.length > 0) {
        (await r.fleet.orgSums(scope.orgIds, scope.accountIds, from, to)).forEach(add);
      }
      const points = [...byHour.values()].sort((x, y) => x.at - y.at).map(({ at: _at, ...p }) => p);
      return { organization_id: null, ...range, points };
    });
  }
}
