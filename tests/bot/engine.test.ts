/**
 * The engine end to end on a real database: the pipeline's order, dedupe, rate limit, guards, commands,
 * the menu, buttons (valid, tampered, expired, stale), flows and /cancel, the error boundary, Q&A
 * storage and history, feedback, handoff and delivery, and the shared scripted conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, MAX_PAYLOAD_BYTES, type BotEngine, type ChannelSender, type EngineOptions, type IncomingMessage, type Middleware, type OutgoingMessage } from '../../bot/index.ts';
import { HandoffRepo, TranscriptRepo } from '../../db/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { canonical, checkScript, engineDriver, FIXTURE_QUOTE, fixtureAnswerer, runScript, SCRIPT_QUESTION } from '../helpers/script.ts';
import { formFlow, officerFlow, throwingFlow } from './fixtures.ts';

let t: TestDb;
let now = new Date('2026-03-02T02:00:00Z');
const clock = () => now;
const answerer = fixtureAnswerer();
let seq = 0;

function msg(user: string, body: { text?: string; payload?: string; attachments?: IncomingMessage['attachments']; id?: string }, channel: IncomingMessage['channel'] = 'api'): IncomingMessage {
  return { id: body.id ?? `m${++seq}`, channel, user: { externalId: user, displayName: `用户${user}` }, chat: { id: `chat-${user}`, kind: 'private' }, receivedAt: now, ...body };
}

async function engine(extra: Partial<EngineOptions> = {}): Promise<BotEngine> {
  return createEngine({ db: t.db, answerer, flows: [formFlow(), officerFlow, throwingFlow], limits: { ratePerMinute: 1000, maxMessageChars: 2000 }, clock, ...extra });
}

const texts = (replies: OutgoingMessage[]) => replies.map((r) => r.text).join('\n');
const button = (replies: OutgoingMessage[], label: string) => {
  const b = replies.flatMap((r) => r.buttons?.flat() ?? []).find((x) => x.label === label);
  if (!b) throw new Error(`no button ${label} in ${JSON.stringify(replies)}`);
  return b;
};

beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

describe('engine pipeline', () => {
  let e: BotEngine;
  const seenByMiddleware: string[] = [];
  beforeAll(async () => {
    const probe: Middleware = async (turn, next) => {
      seenByMiddleware.push(`${turn.message.id}:${turn.user.role}:${turn.conversation.id ? 'conv' : 'none'}`);
      await next();
    };
    e = await engine({ middleware: [probe], limits: { ratePerMinute: 3, maxMessageChars: 20 } });
  });

  it('runs identify → dedupe → conversation → guards before custom middleware and routing', async () => {
    const r = await e.handle(msg('p1', { text: '你好', id: 'once' }));
    expect(r.conversationId).toMatch(/^c_/);
    expect(seenByMiddleware).toEqual(['once:enterprise:conv']);
    const dup = await e.handle(msg('p1', { text: '你好', id: 'once' }));
    expect(dup).toMatchObject({ duplicate: true, replies: [], conversationId: r.conversationId });
    expect(seenByMiddleware).toHaveLength(1);
  });

  it('processes a duplicated delivery once, also across two engines on one database', async () => {
    const other = await engine();
    const calls = answerer.calls.length;
    const [a, b] = await Promise.all([e.handle(msg('p2', { text: '三级补助多少', id: 'dup-x' })), other.handle(msg('p2', { text: '三级补助多少', id: 'dup-x' }))]);
    expect([a.duplicate, b.duplicate].filter(Boolean)).toHaveLength(1);
    expect(answerer.calls.length).toBe(calls + 1);
  });

  it('a returning user: the known conversation, duplicates dropped once across engines, a new chat its own conversation', async () => {
    const other = await engine();
    const first = await e.handle(msg('p3', { text: '你好', id: 'ret-1' }));
    const [a, b] = await Promise.all([e.handle(msg('p3', { text: '你好', id: 'ret-2' })), other.handle(msg('p3', { text: '你好', id: 'ret-2' }))]);
    expect([a.duplicate, b.duplicate].filter(Boolean)).toHaveLength(1);
    expect([a.conversationId, b.conversationId]).toEqual([first.conversationId, first.conversationId]);
    const elsewhere = await e.handle({ ...msg('p3', { text: '你好', id: 'ret-3' }), chat: { id: 'group-9', kind: 'group' } });
    expect(elsewhere.duplicate).toBeUndefined();
    expect(elsewhere.conversationId).not.toBe(first.conversationId);
    // The identity was not created twice: both conversations belong to one user.
    const [c1, c2] = await Promise.all([e.chat.getConversation(first.conversationId), e.chat.getConversation(elsewhere.conversationId)]);
    expect(c1!.userId).toBe(c2!.userId);
  });

  it('rate-limits per user in the database with a clear Chinese message, and recovers next minute', async () => {
    now = new Date('2026-03-02T02:10:05Z');
    for (let i = 0; i < 3; i++) expect((await e.handle(msg('rl', { text: '/help' }))).rateLimited).toBeUndefined();
    const other = await engine({ limits: { ratePerMinute: 3, maxMessageChars: 20 } });
    const limited = await other.handle(msg('rl', { text: '/help' }));
    expect(limited.rateLimited).toBe(true);
    expect(texts(limited.replies)).toContain('每分钟最多 3 条');
    expect(seenByMiddleware.filter((s) => s.startsWith(limited.conversationId))).toEqual([]);
    now = new Date('2026-03-02T02:11:01Z');
    expect((await e.handle(msg('rl', { text: '/help' }))).rateLimited).toBeUndefined();
  });

  it('refuses over-long messages and answers stickers, photos and files politely', async () => {
    const long = await e.handle(msg('g1', { text: '补'.repeat(21) }));
    expect(texts(long.replies)).toContain('最多 20 个字');
    const sticker = await e.handle(msg('g1', { attachments: [{ kind: 'sticker' }] }));
    expect(texts(sticker.replies)).toContain('目前只支持文字消息');
    const photo = await e.handle(msg('g1', { attachments: [{ kind: 'photo', name: 'a.jpg' }] }));
    expect(texts(photo.replies)).toContain('目前只支持文字消息');
  });
});

describe('commands, menu, buttons and flows', () => {
  let e: BotEngine;
  const cancelled: string[] = [];
  beforeAll(async () => {
    e = await createEngine({
      db: t.db,
      answerer,
      flows: [formFlow({ cancelled }), officerFlow, throwingFlow],
      commands: [{ name: 'bind', description: '绑定工作人员身份', async run(ctx, args) {
        return [{ text: `绑定码 ${args || '(空)'}，渠道 ${ctx.channel}，用户 ${ctx.input.user.externalId}` }];
      } }],
      limits: { ratePerMinute: 1000, maxMessageChars: 2000 },
      clock,
    });
    now = new Date('2026-03-02T03:00:00Z');
  });

  it('/start greets with the main menu; the menu lists registered flows the role may use', async () => {
    const r = await e.handle(msg('c1', { text: '/start' }));
    expect(texts(r.replies)).toContain('数改助手');
    const labels = r.replies.flatMap((x) => x.buttons?.flat() ?? []).map((b) => b.label);
    expect(labels).toEqual(['政策问答', '资格测算', '申报诊断', '转人工']);
    for (const b of r.replies.flatMap((x) => x.buttons?.flat() ?? [])) expect(Buffer.byteLength(b.payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });

  it('/help lists the commands including pluggable ones; unknown commands get the help text', async () => {
    const help = await e.handle(msg('c1', { text: '/help' }));
    expect(texts(help.replies)).toMatch(/\/cancel[\s\S]*\/bind — 绑定工作人员身份[\s\S]*\/form — 资格测算/);
    const unknown = await e.handle(msg('c1', { text: '/frobnicate' }));
    expect(texts(unknown.replies)).toContain('没有“/frobnicate”这个命令');
    expect(texts(unknown.replies)).toContain('/help');
  });

  it('runs a pluggable command with its arguments (also with a Telegram @bot suffix)', async () => {
    const r = await e.handle(msg('c1', { text: '/bind@shugai_bot  AB12CD ' }));
    expect(texts(r.replies)).toBe('绑定码 AB12CD，渠道 api，用户 c1');
    await expect(createEngine({ db: t.db, answerer, limits: { ratePerMinute: 1, maxMessageChars: 10 }, commands: [{ name: 'cancel', async run() { return []; } }] })).rejects.toMatchObject({ code: 'config' });
  });

  it('a menu button starts a flow, its own buttons step it, and /cancel leaves it keeping what was entered', async () => {
    const menu = await e.handle(msg('c2', { text: '/menu' }));
    const started = await e.handle(msg('c2', { payload: button(menu.replies, '资格测算').payload }));
    expect(texts(started.replies)).toContain('企业名称');
    const named = await e.handle(msg('c2', { text: '金华某某工具有限公司' }));
    expect(texts(named.replies)).toContain('请选择企业规模');
    // While the flow is active, the menu says so.
    const menu2 = await e.handle(msg('c2', { text: '菜单' }));
    expect(texts(menu2.replies)).toContain('您正在进行「资格测算」');
    const cancel = await e.handle(msg('c2', { text: '/cancel' }));
    expect(texts(cancel.replies)).toContain('草稿已保存');
    expect(texts(cancel.replies)).toContain('已退出「资格测算」');
    expect(cancelled).toEqual(['金华某某工具有限公司']);
    // The old size button now belongs to no active flow.
    const stale = await e.handle(msg('c2', { payload: button(named.replies, '规上').payload }));
    expect(texts(stale.replies)).toContain('流程已经结束');
    expect(texts((await e.handle(msg('c2', { text: '/cancel' }))).replies)).toContain('当前没有进行中的流程');
  });

  it('finishes a flow through its buttons, and a flow command starts it', async () => {
    await e.handle(msg('c3', { text: '/form' }));
    const named = await e.handle(msg('c3', { text: '永康电钻厂' }));
    const done = await e.handle(msg('c3', { payload: button(named.replies, '规下').payload }));
    expect(texts(done.replies)).toBe('已记录：永康电钻厂，规下。');
    const conv = await e.chat.getConversation(done.conversationId);
    expect(conv?.flowId).toBeNull();
  });

  it('rejects a tampered payload and an expired one with clear messages', async () => {
    const menu = await e.handle(msg('c4', { text: '/menu' }));
    const good = button(menu.replies, '资格测算').payload;
    const tampered = good.replace('/menu form', '/menu prog');
    expect(texts((await e.handle(msg('c4', { payload: tampered }))).replies)).toContain('无法识别');
    expect(texts((await e.handle(msg('c4', { payload: 'garbage' }))).replies)).toContain('无法识别');
    const saved = now;
    now = new Date(saved.getTime() + 15 * 24 * 3600 * 1000);
    expect(texts((await e.handle(msg('c4', { payload: good }))).replies)).toContain('已经过期');
    now = saved;
  });

  it('keeps long payloads within 64 bytes by storing them', async () => {
    const flow = formFlow();
    const longFlow = { ...flow, id: 'longform', menuLabel: undefined, commands: ['longform'], async start() {
      return { state: {}, replies: [{ text: '选一个', buttons: [[{ label: '很长的选项', payload: 'pick:' + '数字化改造'.repeat(8) }]] }] };
    }, async step(_c: unknown, _s: unknown, input: IncomingMessage) {
      return { state: null, replies: [{ text: `收到 ${input.payload}` }] };
    } };
    const e2 = await createEngine({ db: t.db, answerer, flows: [longFlow], limits: { ratePerMinute: 1000, maxMessageChars: 2000 }, clock });
    const r = await e2.handle(msg('c5', { text: '/longform' }));
    const b = button(r.replies, '很长的选项');
    expect(Buffer.byteLength(b.payload)).toBeLessThanOrEqual(64);
    expect(texts((await e2.handle(msg('c5', { payload: b.payload }))).replies)).toBe('收到 pick:' + '数字化改造'.repeat(8));
  });

  it('contains a throwing flow: a polite error, the state kept, the next message fine', async () => {
    await e.handle(msg('c6', { text: '/menu broken' }));
    expect(texts((await e.handle(msg('c6', { text: '第一次' }))).replies)).toBe('第 1 次回答已记录。');
    const boom = await e.handle(msg('c6', { text: '炸' }));
    expect(texts(boom.replies)).toContain('出了点问题');
    expect(boom.replies[0]!.meta?.kind).toBe('error');
    expect(texts((await e.handle(msg('c6', { text: '第二次' }))).replies)).toBe('第 2 次回答已记录。');
  });

  it('shows role-restricted flows only to their roles; matches() claims free text for them', async () => {
    const r = await e.handle(msg('off', { text: '永康电动工具签约多少家' }));
    expect(r.replies[0]!.meta?.kind).toBe('answer'); // an enterprise gets Q&A, not progress
    const conv = await e.chat.getConversation(r.conversationId);
    await e.chat.setRole(conv!.userId, 'officer');
    const r2 = await e.handle(msg('off', { text: '永康电动工具签约多少家' }));
    expect(texts(r2.replies)).toBe('进度：永康电动工具签约多少家');
    const menu = await e.handle(msg('off', { text: '/menu' }));
    expect(menu.replies.flatMap((x) => x.buttons?.flat() ?? []).map((b) => b.label)).toContain('进度查询');
  });

  it('switches language with /lang', async () => {
    expect(texts((await e.handle(msg('c7', { text: '/lang en' }))).replies)).toContain('English');
    expect(texts((await e.handle(msg('c7', { text: '/cancel' }))).replies)).toContain('Nothing to cancel');
    expect(texts((await e.handle(msg('c7', { text: '/lang zh' }))).replies)).toContain('中文');
    expect(texts((await e.handle(msg('c7', { text: '/lang fr' }))).replies)).toContain('/lang en');
  });
});

describe('Q&A, feedback and handoff', () => {
  let e: BotEngine;
  const sent: { chatId: string; messages: OutgoingMessage[] }[] = [];
  beforeAll(async () => {
    e = await engine();
    const telegram: ChannelSender = { channel: 'telegram', async send(chatId, messages) { sent.push({ chatId, messages }); } };
    e.registerSender(telegram);
  });

  it('stores every answer with citations, hits and mode, and passes the last turns as history', async () => {
    const r1 = await e.handle(msg('q1', { text: SCRIPT_QUESTION }));
    const reply = r1.replies[0]!;
    expect(reply.citations?.[0]?.quote).toBe(FIXTURE_QUOTE);
    const stored = await new TranscriptRepo(t.db).getAnswer(reply.meta!.answerId!);
    expect(stored).toMatchObject({ question: SCRIPT_QUESTION, abstained: false, mode: 'extractive', conversationId: r1.conversationId });
    expect(stored!.citations[0]!.quote).toBe(FIXTURE_QUOTE);
    expect(stored!.hits[0]).toMatchObject({ chunkId: 'fixture-17', scores: { lexical: { rank: 1 } } });
    await e.handle(msg('q1', { text: '那四级呢补助' }));
    expect(answerer.calls.at(-1)).toEqual({ question: '那四级呢补助', history: 2 });
    const transcript = await e.transcripts.messages(r1.conversationId);
    expect(transcript.map((m) => m.direction)).toEqual(['in', 'out', 'in', 'out']);
    expect(transcript[1]!.citations?.[0]?.quote).toBe(FIXTURE_QUOTE);
  });

  it('stores a repeated set of hits once, and every answer still shows them (also from a fresh repository)', async () => {
    const before = (await t.db.query<{ n: number }>('select count(*)::int as n from answer_hits')).rows[0]!.n;
    const ids: string[] = [];
    for (const user of ['h1', 'h2', 'h3']) ids.push((await e.handle(msg(user, { text: SCRIPT_QUESTION }))).replies[0]!.meta!.answerId!);
    const after = (await t.db.query<{ n: number }>('select count(*)::int as n from answer_hits')).rows[0]!.n;
    expect(after - before).toBeLessThanOrEqual(1);
    for (const id of ids) expect((await new TranscriptRepo(t.db).getAnswer(id))!.hits[0]).toMatchObject({ chunkId: 'fixture-17' });
  });

  it("records 👍 and 👎 (with the reason asked afterwards) only for the conversation's own answers", async () => {
    const r = await e.handle(msg('fb', { text: '三级补助' }));
    const up = await e.handle(msg('fb', { payload: button(r.replies, '👍 有帮助').payload }));
    expect(texts(up.replies)).toContain('感谢');
    const answerId = r.replies[0]!.meta!.answerId!;
    expect((await e.transcripts.getAnswer(answerId))?.feedback).toBe(1);
    const down = await e.handle(msg('fb', { payload: button(r.replies, '👎 没帮助').payload }));
    expect(texts(down.replies)).toContain('哪里不对');
    const why = await e.handle(msg('fb', { payload: button(down.replies, '信息有误').payload }));
    expect(texts(why.replies)).toContain('已记录');
    expect(await e.transcripts.getAnswer(answerId)).toMatchObject({ feedback: -1, feedbackReason: '信息有误' });
    const foreign = await e.handle(msg('someone-else', { text: `/fb ${answerId} down` }));
    expect(texts(foreign.replies)).toContain('没有找到这条回答');
  });

  it('abstained answers offer the menu and 转人工; two in a row open a handoff', async () => {
    const a1 = await e.handle(msg('ab', { text: '食堂几点开饭' }, 'telegram'));
    expect(a1.replies[0]!.meta?.abstained).toBe(true);
    expect(a1.replies.flatMap((r) => r.buttons?.flat() ?? []).map((b) => b.label)).toEqual(['👍 有帮助', '👎 没帮助', '主菜单', '转人工']);
    const a2 = await e.handle(msg('ab', { text: '停车场在哪里' }, 'telegram'));
    expect(texts(a2.replies)).toContain('工作人员会在工作时间内回复');
    const h = await new HandoffRepo(t.db).openFor(a2.conversationId);
    expect(h).toMatchObject({ status: 'waiting', reason: 'abstentions', channel: 'telegram', chatId: 'chat-ab' });
  });

  it('“转人工” opens a handoff once; staff reply goes out on the channel of the user; close notifies', async () => {
    const r = await e.handle(msg('hu', { text: '转人工' }, 'telegram'));
    expect(texts(r.replies)).toContain('工作人员会在工作时间内回复');
    expect(texts(r.replies)).toContain('继续');
    expect(texts((await e.handle(msg('hu', { text: '人工客服' }, 'telegram'))).replies)).toContain('已在等待');
    const inbox = await e.handoffs.list({ status: 'waiting' });
    const mine = inbox.find((h) => h.conversationId === r.conversationId)!;
    expect(mine).toMatchObject({ reason: 'user', lastUserText: '人工客服', userName: '用户hu' });
    const delivery = await e.handoffs.reply(mine.id, { text: '您好，补助按实际投入计算。', author: 'admin' });
    expect(delivery.status).toBe('sent');
    expect(sent.at(-1)).toMatchObject({ chatId: 'chat-hu' });
    expect(sent.at(-1)!.messages[0]!.text).toContain('您好，补助按实际投入计算。');
    expect((await e.handoffs.get(mine.id))?.status).toBe('answered');
    expect(await e.handoffs.close(mine.id, { by: 'admin' })).toBe(true);
    expect(sent.at(-1)!.messages[0]!.text).toContain('人工服务已结束');
    await expect(e.handoffs.reply(mine.id, { text: '再说一句', author: 'admin' })).rejects.toMatchObject({ code: 'conflict' });
    const stored = await e.transcripts.messages(r.conversationId, { pushed: true });
    expect(stored.map((m) => m.author)).toEqual(['admin', 'admin']);
  });

  it('/cancel withdraws a waiting handoff; a channel without a sender keeps the reply stored', async () => {
    const r = await e.handle(msg('hc', { text: '转人工' }, 'slack'));
    const h = (await e.handoffs.list({ status: 'waiting' })).find((x) => x.conversationId === r.conversationId)!;
    const delivery = await e.handoffs.reply(h.id, { text: '稍等', author: 'staff' });
    expect(delivery.status).toBe('undeliverable');
    expect(texts((await e.handle(msg('hc', { text: '/cancel' }, 'slack'))).replies)).toContain('已取消人工服务');
  });
});

describe('console queries', () => {
  it('lists conversations with the filters the console needs', async () => {
    const e = await engine();
    const a = await e.handle(msg('lc-a', { text: '食堂几点开饭' }, 'slack'));
    const b = await e.handle(msg('lc-b', { text: '三级补助' }, 'slack'));
    await e.handle(msg('lc-b', { payload: button(b.replies, '👎 没帮助').payload }, 'slack'));
    const c = await e.handle(msg('lc-c', { text: '转人工' }, 'slack'));
    const ids = async (f: Parameters<typeof e.transcripts.listConversations>[0]) =>
      (await e.transcripts.listConversations({ channel: 'slack', limit: 500, ...f })).map((x) => x.id).filter((id) => [a, b, c].some((r) => r.conversationId === id)).sort();
    expect(await ids({})).toEqual([a.conversationId, b.conversationId, c.conversationId].sort());
    expect(await ids({ abstained: true })).toEqual([a.conversationId]);
    expect(await ids({ downvoted: true })).toEqual([b.conversationId]);
    expect(await ids({ waiting: true })).toEqual([c.conversationId]);
    expect(await ids({ flowId: 'feedback' })).toEqual([b.conversationId]);
    const [summary] = await e.transcripts.listConversations({ userId: (await e.chat.getConversation(b.conversationId))!.userId });
    expect(summary).toMatchObject({ answers: 1, downvotes: 1, abstained: 0, userName: '用户lc-b', role: 'enterprise' });
  });

  it('prunes delivery ids older than a week', async () => {
    const saved = now;
    now = new Date(saved.getTime() + 30 * 24 * 3600_000);
    const e = await engine();
    await e.handle(msg('prune', { text: '/help', id: 'fresh-id' }));
    const left = await t.db.query<{ n: number }>('select count(*)::int as n from processed_updates where processed_at < $1', [new Date(now.getTime() - 7 * 24 * 3600_000)]);
    expect(left.rows[0]!.n).toBe(0);
    now = saved;
  });
});

describe('the scripted conversation', () => {
  it('gives the answer with its citation, the menu, the 👎 question and /cancel', async () => {
    const e = await engine();
    const transcript = await runScript(engineDriver(e, { user: 'script-engine', clock }));
    expect(checkScript(transcript)).toEqual([]);
    // Deterministic: a second user sees exactly the same content.
    const again = await runScript(engineDriver(e, { user: 'script-engine-2', clock }));
    expect(canonical(again)).toEqual(canonical(transcript));
  });
});
