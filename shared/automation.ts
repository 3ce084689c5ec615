// AUT-1/AUT-2: the one decision every engine consults (patching, workflows, drift correction,
// alert remediation). Pure and browser-safe, so the console explains exactly what the server does.
import type { AutomationLevel } from './schemas/organizations.schema';

export const ACTION_KINDS = [
  'security_patch',
  'critical_patch',
  'other_patch',
  'runbook',
  'workflow',
  'drift_correction',
  'alert_remediation',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export type AutomationDecision = 'run' | 'wait_for_approval' | 'blocked_by_kill_switch';

/** What each level approves by itself; everything else waits for a person (seed 000). */
export const AUTO_APPROVED: Record<AutomationLevel, readonly ActionKind[]> = {
  manual: [],
  semi_auto: ['security_patch', 'critical_patch'],
  full_auto: ACTION_KINDS,
};

export const ACTION_KIND_LABELS: Record<ActionKind, string> = {
  security_patch: 'security patch',
  critical_patch: 'critical patch',
  other_patch: 'other patch',
  runbook: 'runbook',
  workflow: 'workflow',
  drift_correction: 'drift correction',
  alert_remediation: 'alert remediation',
};

/** The kill switch wins over every level; otherwise the level's auto-approved list decides. */
export function decide(
  level: AutomationLevel,
  killSwitch: boolean,
  kind: ActionKind,
): AutomationDecision {
  if (killSwitch) return 'blocked_by_kill_switch';
  return AUTO_APPROVED[level].includes(kind) ? 'run' : 'wait_for_approval';
}

/** One sentence for the console and API answers: why this decision. */
export function explainDecision(
  level: AutomationLevel,
  killSwitch: boolean,
  kind: ActionKind,
): string {
  const what = ACTION_KIND_LABELS[kind];
  switch (decide(level, killSwitch, kind)) {
    case 'blocked_by_kill_switch':
      return `The kill switch is on: no ${what} runs automatically, whatever the level (${level})`;
    case 'run':
      return `Under ${level}, a ${what} is approved and runs automatically`;
    case 'wait_for_approval':
      return level === 'manual'
        ? `Under manual, every action waits for approval, including a ${what}`
        : `Under ${level}, a ${what} waits for approval`;
  }
}
