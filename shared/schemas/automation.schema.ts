import { z } from 'zod';
import { ACTION_KINDS, type AutomationDecision } from '../automation';
import { id, idValue } from './common.schema';
import { AUTOMATION_LEVELS } from './organizations.schema';

export const actionKind = z.enum(ACTION_KINDS, {
  error: `action_kind must be one of ${ACTION_KINDS.join(', ')}`,
});

export const decideInput = z.strictObject({
  organization_id: id('organization_id'),
  action_kind: actionKind,
});
export type DecideInput = z.input<typeof decideInput>;

// Keyed by the decision itself, so the compiler insists every AutomationDecision is listed.
const AUTOMATION_DECISIONS = {
  run: 'run',
  wait_for_approval: 'wait_for_approval',
  blocked_by_kill_switch: 'blocked_by_kill_switch',
} as const satisfies { [K in AutomationDecision]: K };

export const automationDecisionOutput = z.strictObject({
  organization_id: idValue,
  action_kind: z.enum(ACTION_KINDS),
  automation_level: z.enum(AUTOMATION_LEVELS),
  kill_switch: z.boolean(),
  decision: z.enum(AUTOMATION_DECISIONS),
  reason: z.string().describe('One sentence: why this decision'),
});
export type AutomationDecisionAnswer = z.infer<typeof automationDecisionOutput>;
