import { z } from 'zod';
import { ACTION_KINDS, type ActionKind, type AutomationDecision } from '../automation';
import { id } from './common.schema';
import type { AutomationLevel } from './organizations.schema';

export const actionKind = z.enum(ACTION_KINDS, {
  error: `action_kind must be one of ${ACTION_KINDS.join(', ')}`,
});

export const decideInput = z.strictObject({
  organization_id: id('organization_id'),
  action_kind: actionKind,
});
export type DecideInput = z.input<typeof decideInput>;

export interface AutomationDecisionAnswer {
  organization_id: number;
  action_kind: ActionKind;
  automation_level: AutomationLevel;
  kill_switch: boolean;
  decision: AutomationDecision;
  reason: string;
}
