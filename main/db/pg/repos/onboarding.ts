import { asc, eq } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { OnboardingRepo } from '../../../features/onboarding/onboarding.repo';
import type { AlertRuleRow, ComplianceBaselineRow } from '../../../domain/rows';
import { alertRules, complianceBaselines } from '../schema';
import { lockRow } from './sql-helpers';

/** AUT-5 on PostgreSQL: the onboarding defaults. */
export class PgOnboardingRepo implements OnboardingRepo {
  constructor(
    private readonly db: NodePgDatabase,
    /** A read's (PgTx.readOnly): `{ forUpdate }` then takes no lock (lockRow). */
    private readonly readOnly = false,
  ) {}

  async seedDefaults(
    organizationId: number,
    rules: Omit<AlertRuleRow, 'id' | 'organizationId'>[],
    baseline: Omit<ComplianceBaselineRow, 'id' | 'organizationId'>,
  ): Promise<void> {
    if (rules.length > 0) {
      await this.db.insert(alertRules).values(rules.map((r) => ({ ...r, organizationId })));
    }
    await this.db.insert(complianceBaselines).values({ ...baseline, organizationId });
  }

  async alertRules(orgId: number): Promise<AlertRuleRow[]> {
    return this.db
      .select()
      .from(alertRules)
      .where(eq(alertRules.organizationId, orgId))
      .orderBy(asc(alertRules.id));
  }

  async alertRule(id: number, opts?: { forUpdate?: boolean }): Promise<AlertRuleRow | undefined> {
    const q = this.db.select().from(alertRules).where(eq(alertRules.id, id));
    const [row] = lockRow(this.readOnly, opts) ? await q.for('update') : await q;
    return row;
  }

  async updateAlertRule(id: number, set: Partial<Omit<AlertRuleRow, 'id'>>): Promise<AlertRuleRow> {
    const [row] = await this.db
      .update(alertRules)
      .set(set)
      .where(eq(alertRules.id, id))
      .returning();
    return row!;
  }

  async baselines(orgId: number): Promise<ComplianceBaselineRow[]> {
    return this.db
      .select()
      .from(complianceBaselines)
      .where(eq(complianceBaselines.organizationId, orgId))
      .orderBy(asc(complianceBaselines.id));
  }

  async baseline(
    id: number,
    opts?: { forUpdate?: boolean },
  ): Promise<ComplianceBaselineRow | undefined> {
    const q = this.db.select().from(complianceBaselines).where(eq(complianceBaselines.id, id));
    const [row] = lockRow(this.readOnly, opts) ? await q.for('update') : await q;
    return row;
  }

  async updateBaseline(
    id: number,
    set: Partial<Omit<ComplianceBaselineRow, 'id'>>,
  ): Promise<ComplianceBaselineRow> {
    const [row] = await this.db
      .update(complianceBaselines)
      .set(set)
      .where(eq(complianceBaselines.id, id))
      .returning();
    return row!;
  }
}
