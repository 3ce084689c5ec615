// Port (issue 14): AUT-5 onboarding defaults. `seedDefaults` is implemented on SQLite (org
// creation, the pilot, needs it); the rest are a draft for the onboarding conversion.
import type { AlertRuleRow, ComplianceBaselineRow } from '../../domain/rows';

export interface OnboardingRepo {
  /** Inside the org-creation transaction: the default alert rules and baseline of a new org. */
  seedDefaults(
    orgId: number,
    rules: Omit<AlertRuleRow, 'id' | 'organizationId'>[],
    baseline: Omit<ComplianceBaselineRow, 'id' | 'organizationId'>,
  ): Promise<void>;
  alertRules(orgId: number): Promise<AlertRuleRow[]>;
  alertRule(id: number): Promise<AlertRuleRow | undefined>;
  updateAlertRule(id: number, set: Partial<Omit<AlertRuleRow, 'id'>>): Promise<AlertRuleRow>;
  baselines(orgId: number): Promise<ComplianceBaselineRow[]>;
  baseline(id: number): Promise<ComplianceBaselineRow | undefined>;
  updateBaseline(
    id: number,
    set: Partial<Omit<ComplianceBaselineRow, 'id'>>,
  ): Promise<ComplianceBaselineRow>;
}
