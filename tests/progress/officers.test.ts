// Officers on a real database: one-time binding codes (hashed, expiring, single use), and the progress
// flow's scoping, refusals, suggestions, pagination and audit — called the way the engine calls a flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, progressRepo, recordAudit } from '../../db/index.ts';
import { loadPack } from '../../knowledge/index.ts';
import { createProgressService, sha256, type ProgressService } from '../../knowledge/progress/index.ts';
import { createProgressFlow, parseProgressQuestion, runBind } from '../../bot/flows/progress/index.ts';
import type { FlowContext, IncomingMessage, UserRole } from '../../bot/types.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { uscc } from './fixtures.ts';

let now = new Date('2026-03-15T04:00:00Z');
const HOUR = 3600_000;

describe('officers, binding codes and the progress flow', () => {
  let t: TestDb;
  let svc: ProgressService;
  const roles = new Map<string, UserRole>();
  const deps = () => ({
    progress: svc,
    audit: (e: Parameters<typeof recordAudit>[1]) => recordAudit(t.db, e),
    setRole: async (id: string, role: UserRole) => void roles.set(id, role),
  });
  const ctx = (userId: string, role: UserRole = roles.get(userId) ?? 'enterprise'): FlowContext => ({ conversationId: `c-${userId}`, user: { id: userId, role, lang: 'zh' }, channel: 'web', now });
  const msg = (text: string, payload?: string): IncomingMessage => ({
    id: String(Math.random()),
    channel: 'web',
    user: { externalId: 'x' },
    chat: { id: 'x', kind: 'private' },
    ...(payload ? { payload } : { text }),
    receivedAt: now,
  });

  beforeAll(async () => {
    t = await openTestDb();
    svc = createProgressService({ db: t.db, pack: loadPack('jinhua'), clock: () => now });
    const rows = ['企业名称,统一社会信用代码,区县,行业,规模,阶段,数字化等级,签约日期'];
    rows.push(`永康一,${uscc(1)},永康市,电动工具,规上,达标,二级,2025-01-02`, `永康二,${uscc(2)},永康市,电动工具,规下,签约,,2025-02-02`);
    for (let i = 0; i < 12; i++) rows.push(`东阳磁材${String(i + 1).padStart(2, '0')},${uscc(100 + i, '330783')},东阳市,磁性材料,规上,实施,,2025-03-03`);
    rows.push(`东阳已验收,${uscc(200, '330783')},东阳市,磁性材料,规上,验收,,2025-03-03`);
    await svc.importFile('seed.csv', Buffer.from(rows.join('\n')), 'test');
  });
  afterAll(async () => t?.close());

  it('creates officers with a region or city scope and rejects unknown regions with suggestions', async () => {
    const yk = await svc.officers.create({ name: '永康专员', region: '永康' }, 'admin:1');
    expect(yk.region).toBe('永康市');
    expect((await svc.officers.create({ name: '市级专员', region: 'all' }, 'admin:1')).region).toBeNull();
    await expect(svc.officers.create({ name: 'x', region: '杭州' }, 'admin:1')).rejects.toMatchObject({ code: 'validation' });
  });

  it('binds with a one-time code stored hashed; a reused code and an expired code are refused', async () => {
    const [yk] = await svc.officers.list();
    const { code, expiresAt } = await svc.officers.issueBindCode(yk.id, 'admin:1');
    expect(expiresAt.getTime() - now.getTime()).toBe(24 * HOUR);
    const stored = await t.db.query<{ code_hash: string }>('select code_hash from progress_bind_codes');
    expect(stored.rows.map((r) => r.code_hash)).toEqual([sha256(code)]);

    now = new Date(now.getTime() + HOUR);
    const ok = await runBind(deps(), ctx('u-yk'), ` ${code.toLowerCase()} `);
    expect(ok[0].text).toContain('绑定成功');
    expect(roles.get('u-yk')).toBe('officer');
    expect((await svc.officers.forUser('u-yk'))?.id).toBe(yk.id);

    const reused = await runBind(deps(), ctx('u-other'), code);
    expect(reused[0].text).toContain('已使用过');
    expect(await svc.officers.forUser('u-other')).toBeNull();

    const late = await svc.officers.issueBindCode(yk.id, 'admin:1');
    now = new Date(now.getTime() + 25 * HOUR);
    const expired = await runBind(deps(), ctx('u-late'), late.code);
    expect(expired[0].text).toContain('已过期');
    expect(roles.has('u-late')).toBe(false);

    expect((await runBind(deps(), ctx('u-x'), 'NOPE1234'))[0].text).toContain('不正确');
    const audit = await listAudit(t.db, { action: 'progress.bind' });
    expect(audit.rows.filter((a) => a.action === 'progress.bind_failed').length).toBe(3);
  });

  it('answers a bound officer within scope, with figures, targets and the share of each target', async () => {
    const flow = createProgressFlow(deps());
    expect(await flow.matches!(ctx('u-yk'), '永康电动工具签约多少家')).toBe(true);
    const r = await flow.start(ctx('u-yk'), msg('永康电动工具签约多少家'));
    expect(r.state).toBeNull();
    const text = r.replies[0].text;
    expect(text).toContain('永康市 · 电动工具 签约情况');
    expect(text).toContain('已签约（含之后各阶段）：2 家');
    expect(text).toMatch(/规上企业改造\s+1\s+561\s+0\.2%/);
    expect(text).toMatch(/规下企业改造\s+1\s+20\s+5\.0%/);
    // No region named: the officer's own.
    const own = await flow.start(ctx('u-yk'), msg('/progress 二级达标率'));
    expect(own.replies[0].text).toContain('永康市');
    expect(own.replies[0].text).toContain('规上企业二级及以上占比：100%（1/1）（目标 93%');
  });

  it('refuses an officer of 永康 asking about 东阳 or the whole city, and audits the refusal', async () => {
    const flow = createProgressFlow(deps());
    const r = await flow.start(ctx('u-yk'), msg('东阳磁性材料还有哪些企业没验收'));
    expect(r.replies[0].text).toContain('不能查看东阳市的数据');
    const city = await flow.start(ctx('u-yk'), msg('全市二级达标率'));
    expect(city.replies[0].text).toContain('不能查看全市数据');
    const audit = await listAudit(t.db, { action: 'progress.query' });
    const refused = audit.rows.filter((a) => (a.details as { refused?: boolean }).refused);
    expect(refused.length).toBe(2);
    expect(refused[0]).toMatchObject({ actorKind: 'officer', actorName: '永康专员' });
  });

  it('never shows progress to enterprises or unbound users; their free text is left to Q&A', async () => {
    const flow = createProgressFlow(deps());
    expect(await flow.matches!(ctx('ent', 'enterprise'), '永康电动工具签约多少家')).toBe(false);
    expect(await flow.matches!(ctx('ghost', 'officer'), '永康电动工具签约多少家')).toBe(false); // officer role but no binding
    for (const [id, role] of [['ent', 'enterprise'], ['ghost', 'officer']] as const) {
      const r = await flow.start(ctx(id, role), msg('/progress 全市二级达标率'));
      expect(r.replies[0].text).toContain('仅向已绑定的区县专员开放');
      expect(r.replies[0].text).not.toMatch(/\d+%/);
    }
    // An officer's policy question is not claimed either.
    expect(await flow.matches!(ctx('u-yk'), '达标后奖励多少钱')).toBe(false);
  });

  it('gives a city-wide admin the whole city, paginated lists with buttons, the ranking, and suggestions', async () => {
    const flow = createProgressFlow(deps());
    const admin = ctx('adm', 'admin');
    const city = await flow.start(admin, msg('全市二级达标率'));
    expect(city.replies[0].text).toContain('规上企业二级及以上占比：7.1%（1/14）（目标 93%，完成目标的 7.6%）');

    const list = await flow.start(admin, msg('东阳磁性材料还有哪些企业没验收'));
    const p1 = list.replies[0];
    expect(p1.text).toContain('东阳市 · 磁性材料 尚未验收的企业**（共 12 家，第 1/2 页）');
    expect(p1.text).toContain('10. 东阳磁材10');
    expect(p1.text).not.toContain('东阳已验收');
    const next = p1.buttons!.flat().find((b) => b.label === '下一页')!;
    expect(next.payload).toBe('/progress 东阳磁性材料还有哪些企业没验收 第2页');
    const p2 = await flow.start(admin, msg('', next.payload));
    expect(p2.replies[0].text).toContain('第 2/2 页');
    expect(p2.replies[0].text).toContain('12. 东阳磁材12');
    expect(p2.replies[0].buttons!.flat().map((b) => b.label)).toEqual(['上一页']);

    const ranking = await flow.start(admin, msg('本季度区县排名'));
    expect(ranking.replies[0].text).toContain('2026年第一季度区县晾晒排名');

    const unknown = await flow.start(admin, msg('杭州市电动工具签约多少家'));
    expect(unknown.replies[0].text).toContain('没有找到区县“杭州市”');
    const unknownIndustry = await flow.start(admin, msg('永康汽配行业签约多少家'));
    expect(unknownIndustry.replies[0].text).toContain('没有找到行业“汽配”');
    expect(unknownIndustry.replies[0].text).toContain('电动工具');
  });

  it('parses the issue’s example questions', () => {
    const v = svc.vocab;
    const today = '2026-03-15';
    expect(parseProgressQuestion('永康电动工具签约多少家', v, today)).toMatchObject({ kind: 'figure', metric: 'stage', stage: 'signed', region: '永康市', industry: 'power-tools' });
    expect(parseProgressQuestion('全市二级达标率', v, today)).toMatchObject({ kind: 'figure', metric: 'level2', cityWide: true });
    expect(parseProgressQuestion('本季度区县排名', v, today)).toEqual({ kind: 'ranking', quarter: { year: 2026, q: 1 } });
    expect(parseProgressQuestion('上季度晾晒排名', v, today)).toEqual({ kind: 'ranking', quarter: { year: 2025, q: 4 } });
    expect(parseProgressQuestion('东阳磁性材料还有哪些企业没验收', v, today)).toMatchObject({ kind: 'list', region: '东阳市', industry: 'magnetic-materials', notReached: 'accepted', page: 1 });
    expect(parseProgressQuestion('义乌2025年上云用云多少家', v, today)).toMatchObject({ kind: 'figure', metric: 'cloud', region: '义乌市', year: 2025 });
  });
});
