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

/** Answers the self-assessment: the best option of single questions, "B C" for multi ones, eight scenes at 一级 and six at 二级. */
async function doAssessment(chat: Chat) {
  await chat.press('开始自评');
  for (let i = 0; i < 40 && /自评 \d+\/\d+/.test(chat.text()); i++) {
    const text = chat.text();
    if (/哪些场景/.test(text)) {
      const scenes = chat.labels().filter((l) => l !== '完成');
      const level = /一级/.test(text) ? 8 : /二级/.test(text) ? 6 : 0;
      for (const s of scenes.slice(0, level)) await chat.press(s);
      await chat.press('完成');
    } else if (/可多选/.test(text)) await chat.say('B C');
    else {
      const letters = [...text.matchAll(/^([A-Z])\. /gm)].map((m) => m[1]);
      await chat.say(letters[letters.length - 1]!);
    }
  }
}

describe('申报诊断 through the engine', () => {
  const USCC = '91330784MA2E12345C';
  let reference = '';

  it('collects, validates with retry prompts, keeps invalid input, resumes after a restart, edits and submits', async () => {
    const chat = new Chat(await services(), 'ent-a');
    await chat.say('/intake');
    expect(chat.text()).toMatch(/企业全称/);
    await chat.say('金华永康星辰工具有限公司');
    await chat.say('91330784MA2E12345D'); // wrong check character
    expect(chat.text()).toMatch(/校验位不正确/);
    expect(chat.text()).toMatch(/统一社会信用代码/);
    await chat.say('９１３３０７８４ma2e12345c'); // full-width and lower case
    expect(chat.text()).toMatch(/联系人姓名/);
    await chat.say('张伟');
    await chat.say('1381234567');
    expect(chat.text()).toMatch(/11位.*10位/);
    await chat.say('+86 138-1234-5678');
    expect(chat.text()).toMatch(/哪个区县/);

    // The process restarts: a new engine on the same database carries on at the same question.
    chat.services = await services();
    await chat.say('永康的');
    expect(chat.text()).toMatch(/试点行业/);
    await chat.say('做电钻');
    await chat.press('规上');
    await chat.say('八千万');
    expect(chat.text()).toMatch(/工业总产值/);
    await chat.say('1.2亿');
    await chat.press('专精特新中小企业');
    expect(chat.text()).toMatch(/哪些系统/);
    await chat.press('ERP（企业资源计划）');
    expect(chat.labels()).toContain('✅ ERP（企业资源计划）');
    await chat.press('MES（生产执行）');
    await chat.say('金蝶云星空');
    await chat.press('完成');
    expect(chat.text()).toMatch(/起步清单（待市经信局正式清单替换）/);
    await chat.press('1. N·产品设计数据与BOM');
    await chat.press('完成');
    await doAssessment(chat);
    expect(chat.last.map((r) => r.text).join('\n')).toMatch(/预评估，仅供参考，以现场评定为准/);
    expect(chat.text()).toMatch(/计划投入/);
    await chat.say('投入120万');
    await chat.press('三级');
    expect(chat.text()).toMatch(/是否同意/);
    await chat.press('同意');
    expect(chat.text()).toMatch(/请核对申报信息/);
    expect(chat.text()).toContain('13812345678');
    expect(chat.text()).toContain('ERP（企业资源计划）、MES（生产执行）、金蝶云星空');

    await chat.say('修改电话');
    expect(chat.text()).toMatch(/手机号码/);
    await chat.say('139 0000 1111');
    expect(chat.text()).toMatch(/请核对申报信息/);
    expect(chat.text()).toContain('13900001111');

    await chat.press('确认提交');
    const m = chat.text().match(/JH-2026-\d{6}/);
    expect(m).not.toBeNull();
    reference = m![0];

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
