/**
 * 资格测算, 申报诊断 and 我的申请进度 through the real engine and composition root on one database:
 * free-form facts, the estimate with arithmetic and clauses, the whole intake with invalid answers and
 * their retry prompts, an edit from the summary, resume after a restart (a new engine on the same
 * database), a duplicate 统一社会信用代码, status changes notified in chat, and another enterprise's
 * application denied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntakeRepo } from '../../db/index.ts';
import { loadConfig } from '../../console/config.ts';
import { createLogger } from '../../console/log.ts';
import { createServices, type Services } from '../../console/services.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { Chat } from './chat.ts';
import { runIntakeScript, USCC } from './intake-script.ts';

let t: TestDb;
let now = new Date('2026-03-02T02:00:00Z');
const clock = () => now;
const opened: Services[] = [];
async function services(): Promise<Services> {
  const s = await createServices(loadConfig({ LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-for-buttons', RATE_LIMIT_PER_MINUTE: '100000' }), { db: t.db, clock, log: createLogger('silent') });
  opened.push(s);
  return s;
}

beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  for (const s of opened) await s.close();
  await t?.close();
});

describe('资格测算 in chat', () => {
  it('asks only for what is missing, understands free-form answers and shows the cited estimate', async () => {
    const chat = new Chat(await services(), 'elig-1');
    await chat.say('/eligibility');
    expect(chat.text()).toMatch(/区县/);
    await chat.say('永康的，做电钻');
    expect(chat.text()).toMatch(/规上还是规下/);
    expect(chat.text()).not.toMatch(/哪个行业/);
    await chat.say('规上，去年产值八千万');
    expect(chat.text()).toMatch(/几级/);
    await chat.say('目标三级，投入120万');
    expect(chat.text()).toMatch(/第几年/);
    await chat.press('第一年（50%）');
    const result = chat.last[0]!;
    expect(result.text).toContain('**60万元**');
    expect(result.text).toContain('min(80万元, 120万元 × 50% = 60万元) = 60万元');
    expect(result.text).toMatch(/先完成验收的企业先得/);
    expect(result.text).toMatch(/以列入试点、验收结果和当期可用资金为准/);
    expect(result.citations?.some((c) => c.section.endsWith('17.'))).toBe(true);
  });

  it('starts from a free-text question and says "not in scope" with the reason', async () => {
    const chat = new Chat(await services(), 'elig-2');
    await chat.say('我们杭州市做汽配的能补多少');
    expect(chat.text()).toMatch(/区县/);
    await chat.press('金华市以外');
    expect(chat.text()).toMatch(/不在本次试点补助范围内/);
    expect(chat.text()).toMatch(/不在金华市的区县范围内/);
  });
});

describe('申报诊断 through the engine', () => {
  let reference = '';

  it('collects, validates with retry prompts, keeps invalid input, resumes after a restart, edits and submits', async () => {
    const chat = new Chat(await services(), 'ent-a');
    reference = await runIntakeScript(chat, {
      // The process restarts: a new engine on the same database carries on at the same question.
      midway: async () => {
        chat.services = await services();
      },
    });
    // Nothing typed was lost: the draft history holds the invalid inputs too.
    const repo = new IntakeRepo(t.db);
    const app = (await repo.listForUser((await chat.services.engine.chat.identify('api', 'ent-a')).id))[0]!;
    const drafts = await t.db.query<{ history: { field: string; input: string; ok: boolean }[] }>('select history from intake_drafts where application_id = $1', [app.id]);
    const history = drafts.rows[0]!.history;
    expect(history.some((h) => h.input === '91330784MA2E12345D' && !h.ok)).toBe(true);
    expect(history.some((h) => h.input === '1381234567' && !h.ok)).toBe(true);
    expect(app).toMatchObject({ reference, uscc: USCC, status: 'submitted' });
    expect((app.data as { answers: Record<string, unknown> }).answers).toMatchObject({ mobile: '13900001111', revenue: 8000, output: 12000, region: '永康市', industry: 'power-tools', targetLevel: 3, investment: 120, consent: true });
  });

  it('detects a second submission for the same 统一社会信用代码', async () => {
    const other = new Chat(await services(), 'ent-b');
    await other.say('/intake');
    await other.say('另一家工具公司');
    await other.say(USCC);
    expect(other.text()).toMatch(/已有一份在办的申请/);
    expect(other.text()).not.toContain(reference);

    const same = new Chat(await services(), 'ent-a');
    await same.say('/intake');
    await same.say('金华永康星辰工具有限公司');
    await same.say(USCC);
    expect(same.text()).toContain(reference);
    await same.press('查看申请');
    expect(same.text()).toMatch(/已提交/);
  });

  it('shows an enterprise only its own applications, and notifies it of status changes', async () => {
    const s = await services();
    const owner = new Chat(s, 'ent-a');
    await owner.say('/cancel');
    await owner.say('/status');
    expect(owner.text()).toContain(reference);
    expect(owner.text()).toMatch(/已提交/);

    const stranger = new Chat(s, 'ent-b');
    await stranger.say('/cancel');
    await stranger.say(`/status ${reference}`);
    expect(stranger.text()).toMatch(/没有找到您名下的这个申请编号/);
    expect(stranger.text()).not.toMatch(/星辰/);

    now = new Date('2026-03-05T03:00:00Z');
    const changed = await s.applications.changeStatus({ reference, status: 'under_review', note: '材料齐全，进入审核', actor: 'officer:李' });
    expect(changed.application.status).toBe('under_review');
    expect(['stored', 'sent']).toContain(changed.delivery);
    await owner.say('/status');
    expect(owner.text()).toMatch(/审核中：材料齐全，进入审核/);
  });
});
