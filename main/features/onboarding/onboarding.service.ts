import type { Repos } from '../../repos';

/** Runs inside the org-creation transaction (AUT-5); a throw here undoes the whole creation. */
export interface OnboardingSeeder {
  seed(r: Repos, organizationId: number, now: number): Promise<void> | void;
}

export const DEFAULT_ALERT_RULES = [
  { kind: 'host_offline', name: 'Host offline', threshold: null, durationMinutes: 5 },
  { kind: 'disk_nearly_full', name: 'Disk nearly full', threshold: 90, durationMinutes: null },
  { kind: 'cpu_sustained', name: 'Sustained CPU', threshold: 95, durationMinutes: 15 },
] as const;

export const DEFAULT_BASELINE_RULES = [
  'firewall_enabled',
  'disk_encryption_enabled',
  'os_updates_automatic',
  'antivirus_running',
  'screen_lock_enabled',
];

export const defaultOnboardingSeeder: OnboardingSeeder = {
  seed(r, organizationId, now) {
    return r.onboarding.seedDefaults(
      organizationId,
      DEFAULT_ALERT_RULES.map((rule) => ({
        ...rule,
        enabled: true,
        createdAt: now,
        updatedAt: now,
      })),
      {
        name: 'Default baseline',
        rules: JSON.stringify(DEFAULT_BASELINE_RULES),
        createdAt: now,
        updatedAt: now,
      },
    );
  },
};
