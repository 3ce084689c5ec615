import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { changesOf } from '../../core/audit-diff';
import { iso, type Clock } from '../../core/clock';
import { badRequest } from '../../core/errors';
import type { AlertRuleRow, ComplianceBaselineRow } from '../../domain/rows';
import type { Uow } from '../../repos';
import {
  updateAlertRuleInput,
  updateBaselineInput,
  type AlertRule,
  type ComplianceBaseline,
  type UpdateAlertRuleInput,
  type UpdateBaselineInput,
} from '../../../shared/schemas/onboarding.schema';

export interface OnboardingDefaultsDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
}

type RuleRow = AlertRuleRow;
type BaselineRow = ComplianceBaselineRow;

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

  async alertRules(actor: Actor, orgId: number): Promise<AlertRule[]> {
    return this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, orgId);
      return (await r.onboarding.alertRules(org.id)).map(toRule);
    });
  }

  async baselines(actor: Actor, orgId: number): Promise<ComplianceBaseline[]> {
    return this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, orgId);
      return (await r.onboarding.baselines(org.id)).map(toBaseline);
    });
  }

  async updateAlertRule(actor: Actor, raw: UpdateAlertRuleInput): Promise<AlertRule> {
    const { id, patch } = updateAlertRuleInput.parse(raw);
    if (Object.values(patch).every((v) => v === undefined))
      throw badRequest('Nothing to update: give at least one field to change');
    const now = this.d.clock.now();
    // The check, the "before" row, the change and its audit entry: one transaction.
    return this.d.uow.write(async (r) => {
      const { row: before, org } = await this.d.access.requireInOrg(
        r,
        actor,
        'Alert rule',
        id,
        await r.onboarding.alertRule(id, { forUpdate: true }),
        'organizations.edit',
      );
      if (patch.threshold === null && NEEDS_THRESHOLD.has(before.kind)) {
        throw badRequest(
          `threshold is required for a ${before.kind} rule: give a percentage from 1 to 100`,
          'threshold',
        );
      }
      const row = await r.onboarding.updateAlertRule(id, {
        updatedAt: now,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.threshold !== undefined ? { threshold: patch.threshold } : {}),
        ...(patch.duration_minutes !== undefined
          ? { durationMinutes: patch.duration_minutes }
          : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      });
      const fields = (Object.keys(patch) as (keyof typeof patch)[]).filter(
        (k) => patch[k] !== undefined,
      );
      const changes = changesOf(toRule(before), toRule(row), fields);
      await r.audit.record(actor, {
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

  async updateBaseline(actor: Actor, raw: UpdateBaselineInput): Promise<ComplianceBaseline> {
    const { id, patch } = updateBaselineInput.parse(raw);
    if (patch.name === undefined && patch.rules === undefined)
      throw badRequest('Nothing to update: give a new name or rules');
    const rules = patch.rules === undefined ? undefined : [...new Set(patch.rules)];
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const { row: before, org } = await this.d.access.requireInOrg(
        r,
        actor,
        'Compliance baseline',
        id,
        await r.onboarding.baseline(id, { forUpdate: true }),
        'organizations.edit',
      );
      const row = await r.onboarding.updateBaseline(id, {
        updatedAt: now,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(rules !== undefined ? { rules: JSON.stringify(rules) } : {}),
      });
      const oldRules = JSON.parse(before.rules) as string[];
      await r.audit.record(actor, {
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
