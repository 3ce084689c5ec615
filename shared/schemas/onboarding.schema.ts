import { z } from 'zod';
import { MAX_NAME_LENGTH } from '../constants';
import { id, idValue, isoTime, nonBlank } from './common.schema';

export const updateAlertRuleInput = z.strictObject({
  id: id('id'),
  patch: z.strictObject({
    name: nonBlank('name', MAX_NAME_LENGTH).optional(),
    threshold: z
      .number({ error: 'threshold must be a number (percent) or null' })
      .int('threshold must be a whole number')
      .min(1, 'threshold must be between 1 and 100 (percent)')
      .max(100, 'threshold must be between 1 and 100 (percent)')
      .nullable()
      .optional(),
    duration_minutes: z
      .number({ error: 'duration_minutes must be a number of minutes or null' })
      .int('duration_minutes must be a whole number')
      .min(1, 'duration_minutes must be at least 1')
      .max(10_080, 'duration_minutes must be at most 10080 (7 days)')
      .nullable()
      .optional(),
    enabled: z.boolean({ error: 'enabled must be true or false' }).optional(),
  }),
});
export type UpdateAlertRuleInput = z.input<typeof updateAlertRuleInput>;

const baselineRule = z
  .string({ error: 'rules must be a list of rule ids' })
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'rules: each rule id is lowercase letters, digits and "_"');

export const updateBaselineInput = z.strictObject({
  id: id('id'),
  patch: z.strictObject({
    name: nonBlank('name', MAX_NAME_LENGTH).optional(),
    rules: z
      .array(baselineRule, { error: 'rules must be a list of rule ids' })
      .max(200, 'rules must list at most 200 rule ids')
      .optional(),
  }),
});
export type UpdateBaselineInput = z.input<typeof updateBaselineInput>;

export const alertRuleOutput = z.strictObject({
  id: idValue,
  organization_id: idValue,
  kind: z.string().describe('What the rule watches, e.g. host_offline or disk_nearly_full'),
  name: z.string(),
  threshold: z.number().int().nullable().describe('Percent; null for rules without one'),
  duration_minutes: z
    .number()
    .int()
    .nullable()
    .describe('How long the condition must last; null: at once'),
  enabled: z.boolean(),
  created_at: isoTime,
  updated_at: isoTime,
});
export type AlertRule = z.infer<typeof alertRuleOutput>;

export const alertRuleListOutput = z.array(alertRuleOutput);

export const complianceBaselineOutput = z.strictObject({
  id: idValue,
  organization_id: idValue,
  name: z.string(),
  rules: z.array(z.string()).describe('Rule ids, e.g. firewall_enabled'),
  created_at: isoTime,
  updated_at: isoTime,
});
export type ComplianceBaseline = z.infer<typeof complianceBaselineOutput>;

export const complianceBaselineListOutput = z.array(complianceBaselineOutput);
