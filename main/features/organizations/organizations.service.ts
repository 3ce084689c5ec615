import type { AccessScope, AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { changesOf } from '../../core/audit-diff';
import type { Clock } from '../../core/clock';
import type { Offload } from '../../core/offload';
import type { SecretBox } from '../../core/crypto';
import { DomainError, badRequest, conflict, notFound } from '../../core/errors';
import { isUniqueViolation, nameKey } from '../../core/names';
import type { Repos, Uow } from '../../repos';
import type { Permission } from '../../../shared/permissions';
import {
  listOrganizationsInput,
  type CreatedOrganization,
  type CreateOrganizationInput,
  type DeletedOrganization,
  type HostStats,
  type ListOrganizationsInput,
  type Organization,
  type OrganizationDetail,
  type UpdateOrganizationFields,
  type UpdateOrganizationInput,
  createOrganizationInput,
  deactivateOrganizationsInput,
  updateOrganizationInput,
  type DeactivateOrganizationsInput,
} from '../../../shared/schemas/organizations.schema';
import type { BulkResult } from '../../../shared/schemas/bulk.schema';
import type { Page } from '../../../shared/schemas/common.schema';
import type { OnboardingSeeder } from '../onboarding/onboarding.service';
import { searchText, toOrganization } from './organizations.mapper';
import { orgPageQuery, readOrgPage, toOrgPage } from './organizations-page';
import type { OrgChanges, OrgFilter, OrgRow } from './organizations.repo';

export interface OrganizationsDeps {
  uow: Uow;
  clock: Clock;
  box: SecretBox;
  /** Where ORG-2 pages over ORG_PAGE_INLINE_LIMIT are read (main/workers/read-jobs.ts). */
  offload: Offload;
  access: AccessService;
  onboarding: OnboardingSeeder;
  /** Told after a commit that changed an org's subnets or existence, so cached matchers are dropped. */
  onOrgChanged?: (orgId: number) => void;
}

/** Which permission each PATCH field needs (ORG-4); a PATCH needs all of its fields' permissions. */
const FIELD_PERMISSION: Record<keyof UpdateOrganizationFields, Permission> = {
  name: 'settings.manage',
  description: 'settings.manage',
  region: 'settings.manage',
  is_active: 'settings.manage',
  automation_level: 'organizations.edit',
  kill_switch: 'organizations.edit',
  major_incident_workflow_id: 'organizations.edit',
  recording_policy: 'governance.manage',
  recording_retention_days: 'governance.manage',
  legal_hold: 'governance.manage',
  legal_hold_reason: 'governance.manage',
};

/**
 * ORG-2 pages up to this size are read on the event loop (about 3 ms for 100 with stats); larger
 * ones on a read worker, whose round trip costs less than their read.
 */
export const ORG_PAGE_INLINE_LIMIT = 200;

export const secretAad = (orgId: number): string => `org-secret:${orgId}`;

const NO_HOSTS: HostStats = { online: 0, offline: 0, stale: 0, total: 0 };

/** How many actors' last ORG-2 scopes a process remembers as its next guesses (a hint only). */
const SCOPE_HINTS = 10_000;

const sameIds = (a: number[], b: number[]) =>
  a.length === b.length &&
  [...a].sort((x, y) => x - y).join() === [...b].sort((x, y) => x - y).join();

const sameScope = (a: AccessScope, b: AccessScope) =>
  sameIds(a.accountIds, b.accountIds) && sameIds(a.orgIds, b.orgIds);

/**
 * ORG-1..5 and UI-13 over the unit of work (issue 14's pilot): every use case is one read() or
 * write(), its access check reads in the same transaction as the work it guards, and the service
 * names no database: storage is `r.orgs` and its neighbours.
 */
export class OrganizationsService {
  /**
   * ORG-2's guess of each actor's scope: the one decided from their facts last time. Never a
   * decision: a page read under a guess is kept only when the facts read in the same statement
   * decide that same scope (list), so a stale or missing hint costs a statement, never an answer.
   */
  private readonly scopeHints = new Map<number, AccessScope>();

  constructor(private readonly d: OrganizationsDeps) {}

  private async row(r: Repos, id: number, forUpdate = false): Promise<OrgRow> {
    const row = await r.orgs.byId(id, { forUpdate });
    if (!row) throw notFound('Organization', id);
    return row;
  }

  private nameTaken(name: string): DomainError {
    return conflict(
      `An organization named "${name}" already exists in this account (names are unique ignoring case); choose another name`,
      'name',
    );
  }

  /** ORG-1: the org, its secret, its Default location and the onboarding defaults, all or nothing. */
  async create(actor: Actor, raw: CreateOrganizationInput): Promise<CreatedOrganization> {
    const input = createOrganizationInput.parse(raw);
    const now = this.d.clock.now();
    const secret = this.d.box.newOrgSecret();
    try {
      return await this.d.uow.write(async (r) => {
        const accountId = await this.d.access.requireAccount(r, actor, 'settings.manage');
        const org = await r.orgs.insert(
          {
            accountId,
            name: input.name,
            nameKey: nameKey(input.name),
            description: input.description ?? null,
            searchText: searchText(input.name, input.description),
            region: input.region ?? null,
            secretDigest: this.d.box.secretDigest(secret),
            createdAt: now,
          },
          (id) => this.d.box.encrypt(secret, secretAad(id)),
        );
        const locationId = await r.orgs.insertDefaultLocation(org.id, now);
        await this.d.onboarding.seed(r, org.id, now);
        await r.audit.record(actor, {
          accountId,
          organizationId: org.id,
          action: 'organization.created',
          targetType: 'organization',
          targetId: org.id,
          details: { name: org.name, region: org.region, default_location_id: locationId },
        });
        return { ...toOrganization(org, NO_HOSTS), secret, default_location_id: locationId };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw this.nameTaken(input.name);
      throw err;
    }
  }

  /** What the actor may read (TEN-4, TEN-5) and the ORG-2 filters; null: nothing at all. */
  private async filters(
    r: Repos,
    actor: Actor,
    input: { region?: string | null; active: boolean | null; accountId?: number | null },
  ): Promise<OrgFilter | null> {
    return this.filtersOf(actor, await this.d.access.scope(r, actor), input);
  }

  private filtersOf(
    actor: Actor,
    scope: AccessScope,
    input: { region?: string | null; active: boolean | null; accountId?: number | null },
  ): OrgFilter | null {
    // One account only (UI-6: the engineer picked it): narrowed, never widened. Org roles are
    // held in the actor's own account only, so they count only when that is the one asked for.
    const accountIds =
      input.accountId == null
        ? scope.accountIds
        : scope.accountIds.filter((a) => a === input.accountId);
    const orgIds =
      input.accountId == null || input.accountId === actor.accountId ? scope.orgIds : [];
    if (accountIds.length === 0 && orgIds.length === 0) return null;
    return {
      accountIds,
      orgIds,
      active: input.active,
      region: input.region || null,
    };
  }

  /**
   * ORG-2. Sorted by `sort` in `order` (ties: name, then id), each order walked from an index
   * (readOrgPage). A page of at most ORG_PAGE_INLINE_LIMIT is read in one snapshot with the
   * facts its scope is decided from, so the scope, the total, the page and its stats agree: on
   * PostgreSQL one statement, one round trip (OrganizationsRepo.pageFor). A larger one (1,000 orgs
   * with stats kept the event loop busy for 16–50 ms) is read on a read worker, after the scope
   * was decided here: its snapshot may be a moment newer than the scope's, as if the request had
   * come a moment later.
   */
  async list(actor: Actor, raw?: ListOrganizationsInput): Promise<Page<Organization>> {
    const input = listOrganizationsInput.parse(raw ?? {});
    const request = (f: OrgFilter) => ({
      ...f,
      search: input.search || null,
      sort: input.sort,
      order: input.order,
      skip: input.skip,
      limit: input.limit,
      includeStats: input.include_stats,
      now: this.d.clock.now(),
    });
    const scope = (r: Repos) =>
      this.filters(r, actor, {
        region: input.region,
        active: input.is_active ?? (input.active_only ? true : null),
        accountId: input.account_id,
      });
    if (input.limit > ORG_PAGE_INLINE_LIMIT) {
      const f = await this.d.uow.read(scope);
      if (!f) return { items: [], total: 0 };
      return this.d.offload.run<Page<Organization>>({ kind: 'orgs.page', request: request(f) });
    }
    // One statement, its own snapshot (readOne): the actor's facts and the page read under the
    // scope guessed for them; kept only if those facts decide that scope (AccessService), so the
    // scope, the total, the page and its stats agree as in one transaction. A wrong guess (a
    // first call, a role or grant changed) is read again under the scope just decided.
    const asked = {
      region: input.region,
      active: input.is_active ?? (input.active_only ? true : null),
      accountId: input.account_id,
    };
    const factsQuery = this.d.access.factsQuery(actor);
    let guess = this.scopeHints.get(actor.userId) ?? {
      accountIds: actor.isSupportEngineer ? [] : [actor.accountId],
      orgIds: [],
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const f = this.filtersOf(actor, guess, asked);
      const req = f && request(f);
      const read = await this.d.uow.readOne((r) =>
        r.orgs.pageFor(factsQuery, req && orgPageQuery(req)),
      );
      const decided = this.d.access.scopeFrom(actor, read.facts);
      this.hint(actor, decided);
      if (sameScope(decided, guess)) {
        return req && read.page ? toOrgPage(read.page, req) : { items: [], total: 0 };
      }
      guess = decided;
    }
    // The facts changed between both reads: one transaction, its scope read in it.
    return this.d.uow.read(async (r) => {
      const f = await scope(r);
      return f ? readOrgPage(r.orgs, request(f)) : { items: [], total: 0 };
    });
  }

  private hint(actor: Actor, scope: AccessScope): void {
    this.scopeHints.delete(actor.userId);
    if (this.scopeHints.size >= SCOPE_HINTS) {
      this.scopeHints.delete(this.scopeHints.keys().next().value!);
    }
    this.scopeHints.set(actor.userId, scope);
  }

  /** ORG-3. */
  async regions(actor: Actor): Promise<string[]> {
    return this.d.uow.read(async (r) => {
      const scope = await this.d.access.scope(r, actor);
      if (scope.accountIds.length === 0 && scope.orgIds.length === 0) return [];
      return r.orgs.regions(scope);
    });
  }

  async get(actor: Actor, id: number): Promise<OrganizationDetail> {
    return this.d.uow.read(async (r) => {
      const ref = await this.d.access.requireOrg(r, actor, id);
      const row = await this.row(r, ref.id);
      const stats = (await r.orgs.hostStats([id], this.d.clock.now())).get(id);
      const permissions = [...(await this.d.access.orgPermissions(r, actor, ref))].sort();
      return { ...toOrganization(row, stats), permissions };
    });
  }

  /**
   * ORG-4. Every update takes the procedure's input, `{ id, patch }` (one shape for all features).
   * The "before" row is read inside the write (for update), so the search text derived from it
   * and the audited changes are those of the row actually changed.
   */
  async update(actor: Actor, raw: UpdateOrganizationInput): Promise<Organization> {
    const { id, patch } = updateOrganizationInput.parse(raw);
    const fields = (Object.keys(patch) as (keyof UpdateOrganizationFields)[]).filter(
      (k) => patch[k] !== undefined,
    );
    if (fields.length === 0)
      throw badRequest('Nothing to update: give at least one field to change');
    const needed = [...new Set(fields.map((f) => FIELD_PERMISSION[f]))];
    const now = this.d.clock.now();
    let name = patch.name;
    try {
      return await this.d.uow.write(async (r) => {
        const ref = await this.d.access.requireOrg(r, actor, id, ...needed);
        const before = await this.row(r, ref.id, true);
        name ??= before.name;
        const set = await this.changes(r, id, patch, before);
        const row = (await r.orgs.update(id, set, now))!;
        // Compared by structure: an array or object field is a new value on every read.
        const changes = changesOf(toOrganization(before), toOrganization(row), fields);
        await r.audit.record(actor, {
          accountId: row.accountId,
          organizationId: id,
          action: 'organization.updated',
          targetType: 'organization',
          targetId: id,
          details: { changes },
        });
        return toOrganization(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw this.nameTaken(name ?? '');
      throw err;
    }
  }

  /** The columns an ORG-4 patch sets, checked against the row it changes. */
  private async changes(
    r: Repos,
    id: number,
    patch: UpdateOrganizationFields,
    before: OrgRow,
  ): Promise<OrgChanges> {
    const set: OrgChanges = {};
    if (patch.name !== undefined) {
      set.name = patch.name;
      set.nameKey = nameKey(patch.name);
    }
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.name !== undefined || patch.description !== undefined) {
      set.searchText = searchText(patch.name ?? before.name, set.description ?? before.description);
    }
    if (patch.region !== undefined) set.region = patch.region;
    if (patch.is_active !== undefined) set.isActive = patch.is_active;
    if (patch.automation_level !== undefined) set.automationLevel = patch.automation_level;
    if (patch.kill_switch !== undefined) set.killSwitch = patch.kill_switch;
    if (patch.major_incident_workflow_id !== undefined) {
      if (patch.major_incident_workflow_id !== null)
        await this.requireBindable(r, id, patch.major_incident_workflow_id);
      set.majorIncidentWorkflowId = patch.major_incident_workflow_id;
    }
    if (patch.recording_policy !== undefined) set.recordingPolicy = patch.recording_policy;
    if (patch.recording_retention_days !== undefined)
      set.recordingRetentionDays = patch.recording_retention_days;
    if (patch.legal_hold !== undefined) {
      if (patch.legal_hold && !(patch.legal_hold_reason ?? before.legalHoldReason)) {
        throw badRequest(
          'legal_hold_reason is required when turning legal hold on: say why data must be kept',
          'legal_hold_reason',
        );
      }
      set.legalHold = patch.legal_hold;
      set.legalHoldReason = patch.legal_hold
        ? (patch.legal_hold_reason ?? before.legalHoldReason)
        : null;
    } else if (patch.legal_hold_reason !== undefined) {
      set.legalHoldReason = patch.legal_hold_reason;
    }
    return set;
  }

  /** AUT-3: only an active workflow definition of the same org may be bound. */
  private async requireBindable(r: Repos, orgId: number, workflowId: number): Promise<void> {
    const wf = await r.orgs.workflowOf(orgId, workflowId);
    if (!wf) {
      throw new DomainError(
        'NOT_FOUND',
        `Workflow ${workflowId} not found in this organization`,
        'major_incident_workflow_id',
      );
    }
    if (!wf.isActive) {
      throw badRequest(
        `Workflow ${workflowId} is inactive: activate it first, or choose an active workflow`,
        'major_incident_workflow_id',
      );
    }
  }

  /** ORG-5: soft delete by default; hard delete only when asked and allowed, and never with hosts. */
  async delete(actor: Actor, id: number, hardDelete = false): Promise<DeletedOrganization> {
    const now = this.d.clock.now();
    if (!hardDelete) {
      await this.d.uow.write(async (r) => {
        const ref = await this.d.access.requireOrg(r, actor, id, 'settings.manage');
        await r.orgs.update(id, { isActive: false }, now);
        await r.audit.record(actor, {
          accountId: ref.accountId,
          organizationId: id,
          action: 'organization.deactivated',
          targetType: 'organization',
          targetId: id,
        });
      });
      return { id, deleted: 'soft' };
    }
    await this.d.uow.write(async (r) => {
      const ref = await this.d.access.requireOrg(r, actor, id, 'organizations.hard_delete');
      const n = await r.orgs.hostCount(id);
      if (n > 0) {
        throw conflict(
          `Organization "${ref.name}" still has ${n} host${n === 1 ? '' : 's'}; remove ${n === 1 ? 'it' : 'them'} first, then delete the organization`,
        );
      }
      await r.orgs.deleteHard(id);
      await r.audit.record(actor, {
        accountId: ref.accountId,
        organizationId: id,
        action: 'organization.hard_deleted',
        targetType: 'organization',
        targetId: id,
        details: { name: ref.name },
      });
      r.afterCommit(() => this.d.onOrgChanged?.(id));
    });
    return { id, deleted: 'hard' };
  }

  /**
   * UI-13: ORG-5's soft delete for several orgs in one transaction. Every id goes through the
   * chokepoint first: one the caller cannot see (or that does not exist) refuses the whole call as
   * NOT_FOUND, one they may read but not manage as FORBIDDEN, before anything changes. An org
   * that is already deactivated stays so and gets no second audit entry.
   */
  async deactivateMany(actor: Actor, raw: DeactivateOrganizationsInput): Promise<BulkResult> {
    const input = deactivateOrganizationsInput.parse(raw);
    const now = this.d.clock.now();
    await this.d.uow.write(async (r) => {
      const refs = [];
      for (const id of input.ids)
        refs.push(await this.d.access.requireOrg(r, actor, id, 'settings.manage'));
      for (const ref of refs) {
        if (!ref.isActive) continue;
        await r.orgs.update(ref.id, { isActive: false }, now);
        await r.audit.record(actor, {
          accountId: ref.accountId,
          organizationId: ref.id,
          action: 'organization.deactivated',
          targetType: 'organization',
          targetId: ref.id,
          details: { bulk: true },
        });
      }
    });
    return { ids: input.ids, count: input.ids.length };
  }
}
