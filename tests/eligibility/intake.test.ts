/**
 * The intake and status flows driven directly on a real database (no engine): the whole script, the
 * draft keeping invalid input, resume with new flow objects on the same database, a duplicate
 * 统一社会信用代码 from another account, another enterprise's application denied, and a status change
 * delivered to the enterprise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow, OutgoingMessage } from '../../bot/index.ts';
import { createIntakeFlows } from '../../bot/flows/intake/index.ts';
import { loadPack } from '../../knowledge/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { FlowDriver } from './flow-driver.ts';
import { runIntakeScript, USCC } from './intake-script.ts';

const pack = loadPack('jinhua');
let t: TestDb;
let now = new Date('2026-03-02T02:00:00Z');
const clock = () => now;
const delivered: { target: unknown; messages: OutgoingMessage[] }[] = [];
async function kit() {
  return createIntakeFlows({ db: t.db, pack, clock, deliver: async (target, messages) => (delivered.push({ target, messages }), { status: 'stored' }) });
}

beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

describe('申报诊断 driven directly', () => {
  let reference = '';

  it('runs the whole intake, resuming on new flow objects midway, and keeps every input', async () => {
    const first = await kit();
    const chat = new FlowDriver(first.flows as Flow<unknown>[], 'user-a', clock);
    reference = await runIntakeScript(chat, { midway: async () => chat.restart((await kit()).flows as Flow<unknown>[]) });
    expect(reference).toBe('JH-2026-000001');
    const [app] = await first.intake.listForUser('user-a');
    expect(app).toMatchObject({ reference, uscc: USCC, status: 'submitted' });
    const { rows } = await t.db.query<{ history: { input: string; ok: boolean }[] }>('select history from intake_drafts where application_id = $1', [app!.id]);
    expect(rows[0]!.history.filter((h) => !h.ok).map((h) => h.input)).toEqual(expect.arrayContaining(['91330784MA2E12345D', '1381234567']));
  });

  it('resumes a half-filled draft when the user comes back', async () => {
    const k = await kit();
    const chat = new FlowDriver(k.flows as Flow<unknown>[], 'user-c', clock);
    await chat.say('/intake');
    await chat.say('义乌市锦绣服饰有限公司');
    await chat.say('/cancel');
    now = new Date('2026-03-09T02:00:00Z'); // a week later
    const again = new FlowDriver((await kit()).flows as Flow<unknown>[], 'user-c', clock);
    await again.say('/intake');
    expect(again.text()).toMatch(/欢迎回来.*已填写 1\//s);
    expect(again.text()).toMatch(/统一社会信用代码/);
  });

  it('refuses the same 统一社会信用代码 from another account without revealing the application', async () => {
    const chat = new FlowDriver((await kit()).flows as Flow<unknown>[], 'user-b', clock);
    await chat.say('/intake');
    await chat.say('另一家工具公司');
    await chat.say(USCC);
    expect(chat.text()).toMatch(/已有一份在办的申请/);
    expect(chat.text()).not.toContain(reference);
    expect(chat.text()).not.toMatch(/星辰/);
  });

  it('shows status only to the owner and notifies the owner of changes', async () => {
    const k = await kit();
    const owner = new FlowDriver(k.flows as Flow<unknown>[], 'user-a', clock);
    await owner.say('/status');
    expect(owner.text()).toContain(reference);
    const stranger = new FlowDriver(k.flows as Flow<unknown>[], 'user-b', clock);
    await stranger.say(`/status ${reference}`);
    expect(stranger.text()).toMatch(/没有找到您名下的这个申请编号/);
    await stranger.say('/status');
    expect(stranger.text()).toMatch(/还没有提交过申请/);

    const r = await k.applications.changeStatus({ reference, status: 'needs_info', note: '请补充近三年财务报表', actor: 'officer:李' });
    expect(r.delivery).toBe('stored');
    expect(delivered.at(-1)!.target).toEqual({ conversationId: 'conv-user-a' });
    expect(delivered.at(-1)!.messages[0]!.text).toMatch(/需补充信息[\s\S]*请补充近三年财务报表/);
    await owner.say('/status');
    expect(owner.text()).toMatch(/需补充信息：请补充近三年财务报表/);
  });
});
