// Progress through the real dialogue engine (routing, roles, signed buttons, persisted conversations):
// an enterprise's question goes to Q&A and /progress is refused; /bind makes the chat user an officer,
// whose questions are then answered within scope; a reused code fails; list pages turn by button.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type BotEngine, type IncomingMessage, type OutgoingMessage } from '../../bot/index.ts';
import { createBindCommand, createProgressFlow } from '../../bot/flows/progress/index.ts';
import { ChatRepo, listAudit, recordAudit } from '../../db/index.ts';
import { loadPack } from '../../knowledge/index.ts';
import { createProgressService, type ProgressService } from '../../knowledge/progress/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { fixtureAnswerer } from '../helpers/script.ts';
import { uscc } from './fixtures.ts';

const now = new Date('2026-03-15T04:00:00Z');
let seq = 0;
const msg = (user: string, body: { text?: string; payload?: string }): IncomingMessage => ({
  id: `p${++seq}`,
  channel: 'api',
  user: { externalId: user, displayName: `用户${user}` },
  chat: { id: `chat-${user}`, kind: 'private' },
  receivedAt: now,
  ...body,
});
const text = (replies: OutgoingMessage[]) => replies.map((r) => r.text).join('\n');

describe('progress through the engine', () => {
  let t: TestDb;
  let engine: BotEngine;
  let progress: ProgressService;
  const answerer = fixtureAnswerer();
  beforeAll(async () => {
    t = await openTestDb();
    progress = createProgressService({ db: t.db, pack: loadPack('jinhua'), clock: () => now });
    const audit = (e: Parameters<typeof recordAudit>[1]) => recordAudit(t.db, e);
    const chat = new ChatRepo(t.db);
    engine = await createEngine({
      db: t.db,
      answerer,
      flows: [createProgressFlow({ progress, audit })],
      commands: [createBindCommand({ progress, audit, setRole: (id, role) => chat.setRole(id, role) })],
      limits: { ratePerMinute: 1000, maxMessageChars: 2000 },
      clock: () => now,
    });
    const rows = ['企业名称,统一社会信用代码,区县,行业,规模,阶段,数字化等级,签约日期', `永康一,${uscc(1)},永康市,电动工具,规上,达标,二级,2025-01-02`];
    for (let i = 0; i < 11; i++) rows.push(`东阳${i + 1}号,${uscc(100 + i, '330783')},东阳市,磁性材料,规上,签约,,2025-03-03`);
    await progress.importFile('seed.csv', Buffer.from(rows.join('\n')), 'test');
  });
  afterAll(async () => t?.close());

  it('sends an enterprise’s progress-like question to Q&A and refuses /progress', async () => {
    const before = answerer.calls.length;
    const r = await engine.handle(msg('ent', { text: '永康电动工具签约多少家' }));
    expect(answerer.calls.length).toBe(before + 1);
    expect(text(r.replies)).not.toContain('561');
    const refused = await engine.handle(msg('ent', { text: '/progress 全市二级达标率' }));
    expect(text(refused.replies)).toMatch(/没有使用这项功能的权限|仅向已绑定/);
    expect(text(refused.replies)).not.toMatch(/\d+(\.\d)?%/);
  });

  it('binds with /bind, then answers the officer within scope; a reused code fails', async () => {
    const yk = await progress.officers.create({ name: '永康专员', region: '永康市' }, 'test');
    const { code } = await progress.officers.issueBindCode(yk.id, 'test');
    const bound = await engine.handle(msg('off', { text: `/bind ${code}` }));
    expect(text(bound.replies)).toContain('绑定成功');
    const before = answerer.calls.length;
    const r = await engine.handle(msg('off', { text: '永康电动工具签约多少家' }));
    expect(answerer.calls.length).toBe(before);
    expect(text(r.replies)).toMatch(/规上企业改造\s+1\s+561\s+0\.2%/);
    const other = await engine.handle(msg('off', { text: '东阳磁性材料还有哪些企业没验收' }));
    expect(text(other.replies)).toContain('不能查看东阳市的数据');
    // A policy question from an officer is still Q&A.
    await engine.handle(msg('off', { text: '达到三级的试点项目最高补助多少？' }));
    expect(answerer.calls.length).toBe(before + 1);

    const again = await engine.handle(msg('someone', { text: `/bind ${code}` }));
    expect(text(again.replies)).toContain('已使用过');
    const still = await engine.handle(msg('someone', { text: '/progress 永康签约多少家' }));
    expect(text(still.replies)).not.toContain('561');
  });

  it('turns list pages with the engine’s signed buttons for a city-wide officer', async () => {
    const city = await progress.officers.create({ name: '市级专员', region: 'all' }, 'test');
    const { code } = await progress.officers.issueBindCode(city.id, 'test');
    await engine.handle(msg('cityoff', { text: `/bind ${code}` }));
    const p1 = await engine.handle(msg('cityoff', { text: '东阳磁性材料还有哪些企业没验收' }));
    expect(text(p1.replies)).toContain('共 11 家，第 1/2 页');
    const next = p1.replies.flatMap((r) => r.buttons?.flat() ?? []).find((b) => b.label === '下一页')!;
    expect(next.payload).not.toContain('/progress'); // signed by the engine, opaque to channels
    const p2 = await engine.handle(msg('cityoff', { payload: next.payload }));
    expect(text(p2.replies)).toContain('第 2/2 页');
    expect(text(p2.replies)).toContain('11. 东阳');
    const ranking = await engine.handle(msg('cityoff', { text: '本季度区县排名' }));
    expect(text(ranking.replies)).toContain('区县晾晒排名');
    const audit = await listAudit(t.db, { action: 'progress.query' });
    expect(audit.rows.filter((a) => (a.details as { via?: string }).via === 'chat').length).toBeGreaterThanOrEqual(5);
  });
});
