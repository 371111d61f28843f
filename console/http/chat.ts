/**
 * POST /api/chat: one message in, the assistant's replies out. Input is validated here, at the edge,
 * with field-level Chinese messages; the answer itself comes from the services.
 */
import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../db/index.ts';
import type { Services } from '../services.ts';

export function chatRequestSchema(maxChars: number) {
  return z.object({
    user: z.string({ error: '缺少 user（用户标识）。' }).trim().min(1, 'user 不能为空。').max(128, 'user 太长（最多 128 个字符）。'),
    text: z
      .string({ error: '缺少 text（问题内容）。' })
      .refine((t) => t.trim().length > 0, '问题不能为空，请输入您想咨询的内容。')
      .refine((t) => t.length <= maxChars, `问题太长了（最多 ${maxChars} 个字），请精简后再问。`),
  });
}

/** Turns a zod failure into AppError('validation') with one message per field. */
export function zodToAppError(error: z.ZodError): AppError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  return AppError.validation(fields);
}

export function chatRouter(services: Services): Router {
  const router = Router();
  const schema = chatRequestSchema(services.config.limits.maxMessageChars);
  router.post('/api/chat', async (req, res) => {
    const parsed = schema.safeParse(req.body ?? {});
    if (!parsed.success) throw zodToAppError(parsed.error);
    const answer = await services.answerer.answer(parsed.data.text, { now: services.clock() });
    res.json({
      conversation: `api:${parsed.data.user}`,
      replies: [{ text: answer.text, citations: answer.citations }],
      abstained: answer.abstained,
    });
  });
  return router;
}
