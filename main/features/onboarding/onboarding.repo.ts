// Port (issue 14): AUT-5 onboarding defaults, seeded inside the org-creation transaction and
// listed and edited by OnboardingDefaultsService.
import type { AlertRuleRow, ComplianceBaselineRow } from '../../domain/rows';

export interface OnboardingRepo {
  /** Inside the org-creation transaction: the default alert rules and baseline of a new org. */
  seedDefaults(
    orgId: number,
    rules: Omit<AlertRuleRow, 'id' | 'organizationId'>[],
    baseline: Omit<ComplianceBaselineRow, 'id' | 'organizationId'>,
  ): Promise<void>;
  /** The org's rules in creation order. */
  alertRules(orgId: number): Promise<AlertRuleRow[]>;
  alertRule(id: number, opts?: { forUpdate?: boolean }): Promise<AlertRuleRow | undefined>;
  updateAlertRule(id: number, set: Partial<Omit<AlertRuleRow, 'id'>>): Promise<AlertRuleRow>;
  /** The org's baselines in creation order. */
  baselines(orgId: number): Promise<ComplianceBaselineRow[]>;
  baseline(id: number, opts?: { forUpdate?: boolean }): Promise<ComplianceBaselineRow | undefined>;
  updateBaseline(
    id: number,
    set: Partial<Omit<ComplianceBaselineRow, 'id'>>,
  ): Promise<ComplianceBaselineRow>;
}
