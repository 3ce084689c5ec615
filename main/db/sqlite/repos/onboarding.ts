import { asc, eq } from 'drizzle-orm';
import type { OnboardingRepo } from '../../../features/onboarding/onboarding.repo';
import type { AlertRuleRow, ComplianceBaselineRow } from '../../../domain/rows';
import type { Db } from '../../database';
import { alertRules, complianceBaselines } from '../../schema';

/** AUT-5 on SQLite: the onboarding defaults (seeded with the org, then listed and edited). */
export class SqliteOnboardingRepo implements OnboardingRepo {
  constructor(private readonly db: Db) {}

  async seedDefaults(
    organizationId: number,
    rules: Omit<AlertRuleRow, 'id' | 'organizationId'>[],
    baseline: Omit<ComplianceBaselineRow, 'id' | 'organizationId'>,
  ): Promise<void> {
    this.db
      .insert(alertRules)
      .values(rules.map((r) => ({ ...r, organizationId })))
      .run();
    this.db
      .insert(complianceBaselines)
      .values({ ...baseline, organizationId })
      .run();
  }

  async alertRules(orgId: number): Promise<AlertRuleRow[]> {
    return this.db
      .select()
      .from(alertRules)
      .where(eq(alertRules.organizationId, orgId))
      .orderBy(asc(alertRules.id))
      .all();
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async alertRule(id: number, _opts?: { forUpdate?: boolean }): Promise<AlertRuleRow | undefined> {
    return this.db.select().from(alertRules).where(eq(alertRules.id, id)).get();
  }

  async updateAlertRule(id: number, set: Partial<Omit<AlertRuleRow, 'id'>>): Promise<AlertRuleRow> {
    return this.db.update(alertRules).set(set).where(eq(alertRules.id, id)).returning().get()!;
  }

  async baselines(orgId: number): Promise<ComplianceBaselineRow[]> {
    return this.db
      .select()
      .from(complianceBaselines)
      .where(eq(complianceBaselines.organizationId, orgId))
      .orderBy(asc(complianceBaselines.id))
      .all();
  }

  async baseline(
    id: number,
    _opts?: { forUpdate?: boolean },
  ): Promise<ComplianceBaselineRow | undefined> {
    return this.db.select().from(complianceBaselines).where(eq(complianceBaselines.id, id)).get();
  }

  async updateBaseline(
    id: number,
    set: Partial<Omit<ComplianceBaselineRow, 'id'>>,
  ): Promise<ComplianceBaselineRow> {
    return this.db
      .update(complianceBaselines)
      .set(set)
      .where(eq(complianceBaselines.id, id))
      .returning()
      .get()!;
  }
}
