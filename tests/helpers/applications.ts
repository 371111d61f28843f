/**
 * Stores an application for a chat user the way the intake flow does (open a draft, submit it), in the
 * shape the intake stores ({answers, consentVersion, channel, submittedAt}). For console tests that need
 * more applications than it is worth running the whole dialogue for; one real dialogue shows the shape.
 */
import { loadIntakeConfig } from '../../bot/flows/intake/index.ts';
import type { Services } from '../../console/services.ts';
import { IntakeRepo, type ApplicationRow } from '../../db/index.ts';

/** A complete set of answers (永康市, 电动工具), to override field by field. */
export const SAMPLE_ANSWERS: Record<string, unknown> = {
  contactName: '李娜',
  mobile: '13900002222',
  region: '永康市',
  industry: 'power-tools',
  scale: 'aboveScale',
  revenue: 6000,
  output: 9000,
  srdi: 'none',
  systems: { selected: ['erp'], other: [] },
  painPoints: { selected: [], other: ['订单交期难以把控'] },
  assessment: { skipped: true },
  investment: 80,
  targetLevel: 2,
  consent: true,
};

export async function storeApplication(
  services: Services,
  input: { conversationId: string; uscc: string; companyName: string; answers?: Record<string, unknown>; channel?: string },
): Promise<ApplicationRow> {
  const conv = await services.engine.chat.getConversation(input.conversationId);
  if (!conv) throw new Error(`no conversation ${input.conversationId}`);
  const config = loadIntakeConfig(services.pack);
  const repo = new IntakeRepo(services.db);
  const now = services.clock();
  const channel = input.channel ?? conv.channel;
  const answers = { ...SAMPLE_ANSWERS, ...input.answers, companyName: input.companyName, uscc: input.uscc };
  const data = { answers, consentVersion: config.consent.version, channel, submittedAt: now.toISOString() };
  const draft = await repo.openDraft(services.pack.id, conv.userId, input.conversationId, now);
  return repo.submit({ draftId: draft.id, pack: services.pack.id, prefix: config.referencePrefix, userId: conv.userId, uscc: input.uscc, companyName: input.companyName, data, conversationId: input.conversationId, channel, now, year: now.getFullYear() });
}
