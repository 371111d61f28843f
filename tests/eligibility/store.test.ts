/**
 * The intake's storage on a real database: drafts keep every input (even invalid ones), submissions get
 * gap-free reference numbers, a second live application for one 统一社会信用代码 is refused, only the
 * owner reads an application, status changes are recorded; N+X seeding keeps console edits. Also the
 * self-assessment's deterministic scoring against the pack's question bank.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntakeRepo, isAppError, NxRepo } from '../../db/index.ts';
import { loadPack } from '../../knowledge/index.ts';
import { loadAssessment, loadNx, nxSeedItems, scoreAssessment } from '../../knowledge/rules/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

const pack = loadPack('jinhua');
const now = new Date('2026-03-02T02:00:00Z');
let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

describe('IntakeRepo', () => {
  it('keeps every input in the draft history and valid ones as answers; one open draft per user', async () => {
    const repo = new IntakeRepo(t.db);
    const d = await repo.openDraft('jinhua', 'u-a', 'c1', now);
    await repo.record(d.id, { field: 'mobile', input: '1234', ok: false, error: '手机号码应为11位' }, { cursor: 'mobile', returnTo: null }, now);
    await repo.record(d.id, { field: 'mobile', input: '138 1234 5678', ok: true, value: '13812345678' }, { cursor: 'region', returnTo: null }, now);
    const again = await repo.openDraft('jinhua', 'u-a', 'c2', now);
    expect(again.id).toBe(d.id);
    expect(again.history.map((h) => [h.input, h.ok])).toEqual([
      ['1234', false],
      ['138 1234 5678', true],
    ]);
    expect(again.answers.mobile).toMatchObject({ value: '13812345678', input: '138 1234 5678' });
    expect(again.currentField).toBe('region');
  });

  it('submits with gap-free reference numbers, refuses a second live application for the same code, and guards access', async () => {
    const repo = new IntakeRepo(t.db);
    const submit = async (user: string, uscc: string) => {
      const d = await repo.openDraft('jinhua', user, `conv-${user}`, now);
      return repo.submit({ draftId: d.id, pack: 'jinhua', prefix: 'JH', userId: user, uscc, companyName: `${user}公司`, data: { x: 1 }, conversationId: `conv-${user}`, channel: 'api', now, year: 2026 });
    };
    const a = await submit('u1', '91330784MA2E12345C');
    const b = await submit('u2', '91330702MA28DT0N4W');
    expect([a.reference, b.reference]).toEqual(['JH-2026-000001', 'JH-2026-000002']);
    try {
      await submit('u3', '91330784MA2E12345C');
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e, 'conflict')).toBe(true);
      expect((e as { details: { reference: string } }).details.reference).toBe('JH-2026-000001');
    }
    // The failed attempt did not burn a number.
    expect((await submit('u4', '91330783609761234X')).reference).toBe('JH-2026-000003');

    expect((await repo.getForUser('JH-2026-000001', 'u1')).companyName).toBe('u1公司');
    await expect(repo.getForUser('JH-2026-000001', 'u2')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(repo.getForUser('JH-2026-999999', 'u2')).rejects.toMatchObject({ code: 'forbidden' });
    expect((await repo.listForUser('u2')).map((x) => x.reference)).toEqual(['JH-2026-000002']);

    await repo.changeStatus('JH-2026-000001', 'under_review', '材料齐全，进入审核', 'officer:李', now);
    expect((await repo.history(a.id)).map((h) => [h.status, h.note])).toEqual([
      ['submitted', null],
      ['under_review', '材料齐全，进入审核'],
    ]);
    await expect(repo.changeStatus('JH-2026-000001', 'bogus' as never, null, 'x', now)).rejects.toMatchObject({ code: 'validation' });
    // Withdrawn frees the code for a new application.
    await repo.changeStatus('JH-2026-000001', 'withdrawn', null, 'officer:李', now);
    expect((await submit('u3', '91330784MA2E12345C')).reference).toBe('JH-2026-000004');
  });
});

describe('NxRepo', () => {
  it('seeds the starter lists idempotently and keeps console edits over a re-seed', async () => {
    const repo = new NxRepo(t.db);
    const items = nxSeedItems(loadNx(pack));
    await repo.seed('jinhua', items);
    await repo.seed('jinhua', items);
    expect(await repo.count('jinhua')).toBe(items.length);
    const pt = await repo.list('jinhua', 'power-tools');
    expect(pt.filter((i) => i.kind === 'N').length).toBeGreaterThanOrEqual(5);
    await repo.upsert('jinhua', { industryId: 'power-tools', kind: 'N', code: 'PT-N01', title: '经信局修改后的标题' }, 'admin:王');
    await repo.setActive('jinhua', 'power-tools', 'PT-X01', false, 'admin:王');
    await repo.seed('jinhua', items);
    const after = await repo.list('jinhua', 'power-tools');
    expect(after.find((i) => i.code === 'PT-N01')).toMatchObject({ title: '经信局修改后的标题', source: 'console' });
    expect(after.find((i) => i.code === 'PT-X01')).toBeUndefined();
    expect((await repo.list('jinhua', 'power-tools', { includeInactive: true })).some((i) => i.code === 'PT-X01')).toBe(true);
  });

  it('the starter lists are labelled as starter lists and cover the three industries with national scene names', () => {
    const nx = loadNx(pack);
    expect(nx.label).toBe('起步清单（待市经信局正式清单替换）');
    expect(Object.keys(nx.industries).sort()).toEqual(['apparel', 'magnetic-materials', 'power-tools']);
    const scenes = new Set(loadAssessment(pack).scenes.map((s) => s.name));
    for (const items of Object.values(nx.industries)) for (const it of items) for (const s of it.scenes) expect(scenes.has(s), s).toBe(true);
  });
});

describe('self-assessment scoring', () => {
  const bank = loadAssessment(pack);
  const best = Object.fromEntries(bank.questions.map((q) => [q.id, q.type === 'single' ? [q.options[q.options.length - 1]!.id] : q.options.filter((o) => o.points > 0).map((o) => o.id)]));
  const all = (level: number) => Object.fromEntries(bank.scenes.map((s) => [s.name, level]));

  it('the bank totals 100 points (50 + 30 + 20)', () => {
    const r = scoreAssessment(bank, { answers: best, scenes: {} });
    expect(r.score).toBe(100);
    expect(r.byDimension).toEqual({ 数字化基础: 50, 数字化管理: 30, 数字化成效: 20 });
  });

  it('levels need both the score and the scenes, and carry the disclaimer', () => {
    expect(scoreAssessment(bank, { answers: best, scenes: all(3) }).level).toBe(3);
    expect(scoreAssessment(bank, { answers: best, scenes: all(4) }).level).toBe(4);
    expect(scoreAssessment(bank, { answers: best, scenes: {} }).level).toBe(0);
    const none = Object.fromEntries(bank.questions.map((q) => [q.id, [q.options[0]!.id]]));
    const r = scoreAssessment(bank, { answers: none, scenes: all(3) });
    expect(r.score).toBe(0);
    expect(r.level).toBe(0);
    expect(r.disclaimer).toBe('预评估，仅供参考，以现场评定为准');
    // 二级 needs ≥ 6 scenes at 二级 with ≥ 3 constrained: five scenes are not enough.
    const five = Object.fromEntries(bank.scenes.slice(0, 5).map((s) => [s.name, 2]));
    const fewer = scoreAssessment(bank, { answers: best, scenes: { ...all(1), ...five } });
    expect(fewer.level).toBe(1);
    expect(fewer.explanation.join('')).toMatch(/还差1个/);
  });
});
