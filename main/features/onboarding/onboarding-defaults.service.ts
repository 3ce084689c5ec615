import { asc, eq } from 'drizzle-orm';
import type { OrgRef, SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { changesOf } from '../../core/audit-diff';
import { iso, type Clock } from '../../core/clock';
import { badRequest } from '../../core/errors';
import type { Db } from '../../db/database';
import { alertRules, complianceBaselines } from '../../db/schema';
import {
  updateAlertRuleInput,
  updateBaselineInput,
  type AlertRule,
  type ComplianceBaseline,
  type UpdateAlertRuleInput,
  type UpdateBaselineInput,
} from '../../../shared/schemas/onboarding.schema';

export interface OnboardingDefaultsDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
}

type RuleRow = typeof alertRules.$inferSelect;
type BaselineRow = typeof complianceBaselines.$inferSelect;

/** Rule kinds whose meaning depends on a percentage: they cannot go without one. */
const NEEDS_THRESHOLD = new Set(['disk_nearly_full', 'cpu_sustained']);

const toRule = (r: RuleRow): AlertRule => ({
  id: r.id,
  organization_id: r.organizationId,
  kind: r.kind,
  name: r.name,
  threshold: r.threshold,
  duration_minutes: r.durationMinutes,
  enabled: r.enabled,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});

const toBaseline = (r: BaselineRow): ComplianceBaseline => ({
  id: r.id,
  organization_id: r.organizationId,
  name: r.name,
  rules: JSON.parse(r.rules) as string[],
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});

/**
 * AUT-5 "listed and editable": the alert rules and compliance baseline the seeder created with
 * the org. Any reader lists them; changing them is org configuration (organizations.edit).
 */
export class OnboardingDefaultsService {
  constructor(private readonly d: OnboardingDefaultsDeps) {}

  private inOrg<T extends { organizationId: number }>(
    actor: Actor,
    what: string,
    id: number,
    row: T | undefined,
  ): { row: T; org: OrgRef } {
    return this.d.access.requireInOrg(actor, what, id, row, 'organizations.edit');
  }

  alertRules(actor: Actor, orgId: number): AlertRule[] {
    const org = this.d.access.requireOrg(actor, orgId);
    return this.d.db
      .select()
      .from(alertRules)
      .where(eq(alertRules.organizationId, org.id))
      .orderBy(asc(alertRules.id))
      .all()
      .map(toRule);
  }

  baselines(actor: Actor, orgId: number): ComplianceBaseline[] {
    const org = this.d.access.requireOrg(actor, orgId);
    return this.d.db
      .select()
      .from(complianceBaselines)
      .where(eq(complianceBaselines.organizationId, org.id))
      .orderBy(asc(complianceBaselines.id))
      .all()
      .map(toBaseline);
  }

  updateAlertRule(actor: Actor, raw: UpdateAlertRuleInput): AlertRule {
    const { id, patch } = updateAlertRuleInput.parse(raw);
    if (Object.values(patch).every((v) => v === undefined))
      throw badRequest('Nothing to update: give at least one field to change');
    const { row: before, org } = this.inOrg(
      actor,
      'Alert rule',
      id,
      this.d.db.select().from(alertRules).where(eq(alertRules.id, id)).get(),
    );
    if (patch.threshold === null && NEEDS_THRESHOLD.has(before.kind)) {
      throw badRequest(
        `threshold is required for a ${before.kind} rule: give a percentage from 1 to 100`,
        'threshold',
      );
    }
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      const row = this.d.db
        .update(alertRules)
        .set({
          updatedAt: now,
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.threshold !== undefined ? { threshold: patch.threshold } : {}),
          ...(patch.duration_minutes !== undefined
            ? { durationMinutes: patch.duration_minutes }
            : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        })
        .where(eq(alertRules.id, id))
        .returning()
        .get()!;
      const fields = (Object.keys(patch) as (keyof typeof patch)[]).filter(
        (k) => patch[k] !== undefined,
      );
      const changes = changesOf(toRule(before), toRule(row), fields);
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'alert_rule.updated',
        targetType: 'alert_rule',
        targetId: id,
        details: { kind: row.kind, changes },
      });
      return toRule(row);
    });
  }

  updateBaseline(actor: Actor, raw: UpdateBaselineInput): ComplianceBaseline {
    const { id, patch } = updateBaselineInput.parse(raw);
    if (patch.name === undefined && patch.rules === undefined)
      throw badRequest('Nothing to update: give a new name or rules');
    const { row: before, org } = this.inOrg(
      actor,
      'Compliance baseline',
      id,
      this.d.db.select().from(complianceBaselines).where(eq(complianceBaselines.id, id)).get(),
    );
    const rules = patch.rules === undefined ? undefined : [...new Set(patch.rules)];
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      const row = this.d.db
        .update(complianceBaselines)
        .set({
          updatedAt: now,
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(rules !== undefined ? { rules: JSON.stringify(rules) } : {}),
        })
        .where(eq(complianceBaselines.id, id))
        .returning()
        .get()!;
      const oldRules = JSON.parse(before.rules) as string[];
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'compliance_baseline.updated',
        targetType: 'compliance_baseline',
        targetId: id,
        details: {
          ...(patch.name !== undefined ? { name: { from: before.name, to: row.name } } : {}),
          ...(rules !== undefined
            ? {
                rules_added: rules.filter((r) => !oldRules.includes(r)),
                rules_removed: oldRules.filter((r) => !rules.includes(r)),
              }
            : {}),
        },
      });
      return toBaseline(row);
    });
  }
}
