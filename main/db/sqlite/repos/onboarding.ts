import type { OnboardingRepo } from '../../../features/onboarding/onboarding.repo';
import type { Db } from '../../database';
import { alertRules, complianceBaselines } from '../../schema';
import { notConverted } from './not-converted';

/** Only what org creation (the pilot) needs; the rest waits for the onboarding conversion. */
export function sqliteOnboardingRepo(db: Db): OnboardingRepo {
  return notConverted<OnboardingRepo>('onboarding', {
    async seedDefaults(organizationId, rules, baseline) {
      db.insert(alertRules)
        .values(rules.map((r) => ({ ...r, organizationId })))
        .run();
      db.insert(complianceBaselines)
        .values({ ...baseline, organizationId })
        .run();
    },
  });
}
