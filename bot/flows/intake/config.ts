/**
 * What the intake needs from the pack besides regions and industries: the reference-number prefix, the
 * consent text (versioned, stored with each application), whom to contact, and the list of systems to
 * choose from. Validated once when the flow is built.
 */
import { z } from 'zod';
import type { Pack } from '../../../knowledge/index.ts';

export const IntakeConfigSchema = z.object({
  referencePrefix: z.string().regex(/^[A-Z]{1,6}$/),
  programme: z.string(),
  contact: z.string(),
  consent: z.object({ version: z.string(), text: z.string() }),
  systems: z.array(z.object({ id: z.string().regex(/^[a-z0-9-]+$/), label: z.string() })).min(1),
});
export type IntakeConfig = z.infer<typeof IntakeConfigSchema>;

export function loadIntakeConfig(pack: Pack): IntakeConfig {
  return pack.section('intake', IntakeConfigSchema);
}

export const STATUS_LABELS: Record<string, string> = {
  submitted: '已提交，待受理',
  under_review: '审核中',
  needs_info: '需补充信息',
  accepted: '已通过（列入试点）',
  rejected: '未通过',
  withdrawn: '已撤回',
};
