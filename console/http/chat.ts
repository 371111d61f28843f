/**
 * The web chat's HTTP side: POST /api/chat hands one message to the dialogue engine (JSON, or SSE when
 * the client asks for `text/event-stream` or `?stream=1`, streaming generative answers as they are
 * written); GET /api/chat/history and /api/chat/updates let the widget restore a conversation after a
 * reload and pick up staff replies; POST /api/feedback records 👍/👎. Input is validated here, at the
 * edge, with field-level Chinese messages. GET /chat serves the embeddable widget (no CDN).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError, type MessageRow } from '../../db/index.ts';
import { storableText, type ChannelId, type EngineResult, type IncomingMessage, type OutgoingMessage } from '../../bot/index.ts';
import type { Services } from '../services.ts';
import { zodToAppError } from './errors.ts';

export { zodToAppError };

const WIDGET_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'webchat');
const CHANNEL: ChannelId = 'web';

const userField = z
  .string({ error: '缺少 user（用户标识）。' })
  .transform(storableText)
  .pipe(z.string().trim().min(1, 'user 不能为空。').max(128, 'user 太长（最多 128 个字符）。'));

export function chatRequestSchema(maxChars: number) {
  return z
    .object({
      user: userField,
      text: z
        .string({ error: 'text（问题内容）必须是文字。' })
        .refine((t) => t.trim().length > 0, '问题不能为空，请输入您想咨询的内容。')
        .refine((t) => t.length <= maxChars, `问题太长了（最多 ${maxChars} 个字），请精简后再问。`)
        .optional(),
      /** A pressed button's payload, exactly as a previous response gave it. */
      payload: z.string({ error: 'payload 必须是文字。' }).min(1, 'payload 不能为空。').max(256, 'payload 太长。').optional(),
      /** Client-chosen message id: a retried request with the same id is processed once. */
      id: z.string({ error: 'id（消息编号）必须是文字。' }).trim().min(1, 'id 不能为空。').max(100, 'id 太长（最多 100 个字符）。').optional(),
      name: z.string({ error: 'name（称呼）必须是文字。' }).trim().max(64, 'name 太长（最多 64 个字符）。').optional(),
    }, { error: '请求体应为 JSON 对象，例如 {"user":"u1","text":"达到三级的试点项目最高补助多少？"}。' })
    .superRefine((v, ctx) => {
      if (v.text === undefined && v.payload === undefined) ctx.addIssue({ code: 'custom', path: ['text'], message: '缺少 text（问题内容）。' });
    });
}

const NOT_AN_OBJECT = { error: '请求体应为 JSON 对象。' };

const feedbackSchema = z.object({
  user: userField,
  answerId: z.string({ error: '缺少 answerId（回答编号）。' }).regex(/^\d{1,18}$/, 'answerId 格式不对。'),
  vote: z.enum(['up', 'down'], { error: 'vote 只能是 up 或 down。' }),
  reason: z.string({ error: 'reason（原因）必须是文字。' }).trim().max(500, '原因太长（最多 500 个字）。').transform(storableText).optional(),
}, NOT_AN_OBJECT);

const pollSchema = z.object({
  user: userField,
  after: z.string({ error: 'after 必须是消息编号。' }).regex(/^\d{1,18}$/, 'after 必须是消息编号。').optional(),
}, NOT_AN_OBJECT);

/** The reply shape of /api/chat: issue 2's {text, citations} plus what the widget needs. */
export function replyJson(r: OutgoingMessage) {
  return {
    text: r.text,
    citations: r.citations ?? [],
    ...(r.buttons?.length ? { buttons: r.buttons } : {}),
    ...(r.meta?.answerId ? { answerId: r.meta.answerId } : {}),
    ...(r.meta?.kind ? { kind: r.meta.kind } : {}),
    ...(r.meta?.abstained !== undefined ? { abstained: r.meta.abstained } : {}),
  };
}

function resultJson(result: EngineResult) {
  return {
    conversation: result.conversationId,
    replies: result.replies.map(replyJson),
    abstained: result.replies.some((r) => r.meta?.abstained === true),
    ...(result.duplicate ? { duplicate: true } : {}),
    ...(result.rateLimited ? { rateLimited: true } : {}),
  };
}

function messageJson(m: MessageRow) {
  return {
    id: m.id,
    direction: m.direction,
    kind: m.kind,
    text: m.text,
    citations: m.citations ?? [],
    ...(m.buttons ? { buttons: m.buttons } : {}),
    ...(m.answerId ? { answerId: m.answerId } : {}),
    ...(m.author ? { author: m.author } : {}),
    at: m.createdAt,
  };
}

function wantsStream(req: express.Request): boolean {
  return req.query.stream === '1' || req.query.stream === 'true' || (req.get('accept') ?? '').includes('text/event-stream');
}

function sse(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function chatRouter(services: Services): Router {
  const router = Router();
  const schema = chatRequestSchema(services.config.limits.maxMessageChars);
  const engine = services.engine;

  router.post('/api/chat', async (req, res) => {
    const parsed = schema.safeParse(req.body ?? {});
    if (!parsed.success) throw zodToAppError(parsed.error);
    const body = parsed.data;
    const message: IncomingMessage = {
      id: body.id ? `${body.user}:${body.id}` : crypto.randomUUID(),
      channel: CHANNEL,
      user: { externalId: body.user, ...(body.name ? { displayName: body.name } : {}) },
      chat: { id: body.user, kind: 'private' },
      ...(body.text !== undefined ? { text: body.text } : {}),
      ...(body.payload !== undefined ? { payload: body.payload } : {}),
      receivedAt: services.clock(),
    };
    if (!wantsStream(req)) {
      res.json(resultJson(await engine.handle(message)));
      return;
    }
    res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    try {
      const result = await engine.handle(message, { onDelta: (text) => sse(res, 'delta', { text }) });
      for (const r of result.replies) sse(res, 'reply', replyJson(r));
      sse(res, 'done', resultJson(result));
    } catch (e) {
      const err = AppError.wrap(e);
      services.log.error('chat stream failed', { code: err.code, err: err.cause ?? err });
      sse(res, 'error', err.toJSON());
    }
    res.end();
  });

  /** The web user's transcript, for restoring the widget after a reload. */
  router.get('/api/chat/history', async (req, res) => {
    const parsed = pollSchema.safeParse(req.query);
    if (!parsed.success) throw zodToAppError(parsed.error);
    const conv = await engine.chat.findConversation(CHANNEL, parsed.data.user, parsed.data.user);
    if (!conv) {
      res.json({ conversation: null, messages: [] });
      return;
    }
    const messages = await engine.transcripts.messages(conv.id, { after: parsed.data.after, limit: 100 });
    res.json({ conversation: conv.id, messages: messages.map(messageJson) });
  });

  /** Messages pushed to the web user since `after` (staff replies, notifications). */
  router.get('/api/chat/updates', async (req, res) => {
    const parsed = pollSchema.safeParse(req.query);
    if (!parsed.success) throw zodToAppError(parsed.error);
    const conv = await engine.chat.findConversation(CHANNEL, parsed.data.user, parsed.data.user);
    const messages = conv ? await engine.transcripts.messages(conv.id, { after: parsed.data.after ?? '0', pushed: true, limit: 50 }) : [];
    res.json({ conversation: conv?.id ?? null, messages: messages.map(messageJson), cursor: messages.at(-1)?.id ?? parsed.data.after ?? '0' });
  });

  router.post('/api/feedback', async (req, res) => {
    const parsed = feedbackSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw zodToAppError(parsed.error);
    const { user, answerId, vote, reason } = parsed.data;
    const conv = await engine.chat.findConversation(CHANNEL, user, user);
    const answer = await engine.transcripts.getAnswer(answerId);
    if (!conv || !answer || answer.conversationId !== conv.id)
      throw new AppError('not_found', `answer ${answerId} not in this user's conversation`, { userMessage: '没有找到这条回答。' });
    await engine.transcripts.setFeedback(answerId, vote === 'up' ? 1 : -1, services.clock(), reason);
    res.json({ ok: true, answerId, vote });
  });

  router.get('/chat', (_req, res) => {
    res.sendFile(path.join(WIDGET_DIR, 'index.html'));
  });
  router.use('/chat/assets', express.static(WIDGET_DIR, { index: false, maxAge: '1h' }));
  return router;
}
