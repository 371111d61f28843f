/**
 * 我的申请进度 and /status: an enterprise sees its own applications and their status history, and
 * nothing else — a reference number that is not its own gets the same answer as one that does not exist.
 * Staff change statuses through ApplicationService, which records the change and tells the enterprise
 * in the conversation it applied from.
 */
import type { ApplicationRow, ApplicationStatus, IntakeRepo } from '../../../db/index.ts';
import { AppError } from '../../../db/index.ts';
import type { Pack } from '../../../knowledge/index.ts';
import type { Flow, OutgoingMessage } from '../../types.ts';
import { STATUS_LABELS } from './config.ts';
import { fmtDate } from './flow.ts';
import { inRows, reply } from './ui.ts';
import type { DescribeApplications } from './describe.ts';

export function statusFlow(deps: { pack: Pack; intake: IntakeRepo }): Flow<{ list: string[] }> {
  const { pack, intake } = deps;
  const tz = pack.manifest.timezone;

  async function detail(app: ApplicationRow): Promise<OutgoingMessage> {
    const history = await intake.history(app.id);
    const lines = [
      `**${app.reference}** ${app.companyName}`,
      `当前状态：${STATUS_LABELS[app.status] ?? app.status}`,
      '进度记录：',
      ...history.map((h) => `· ${fmtDate(h.at, tz)} ${STATUS_LABELS[h.status] ?? h.status}${h.note ? `：${h.note}` : ''}`),
    ];
    return reply(lines.join('\n'));
  }

  async function overview(userId: string, reference?: string): Promise<{ list: string[] } | null | OutgoingMessage[]> {
    if (reference) {
      try {
        return [await detail(await intake.getForUser(reference.toUpperCase(), userId))];
      } catch (e) {
        if (e instanceof AppError && e.code === 'forbidden') return [reply(e.userMessage)];
        throw e;
      }
    }
    const apps = await intake.listForUser(userId, pack.id);
    if (apps.length === 0) return [reply('您还没有提交过申请。', [[{ label: '申报诊断', payload: '/menu intake' }]])];
    if (apps.length === 1) return [await detail(apps[0]!)];
    return { list: apps.map((a) => a.reference) };
  }

  return {
    id: 'status',
    version: 1,
    menuLabel: '我的申请进度',
    commands: ['status', 'jindu'],
    matches: (_ctx, text) => /^(我的)?申请进度|^查(询)?进度$/.test(text.trim()),
    async start(ctx, input) {
      const ref = input.text?.match(/[A-Za-z]{1,6}-\d{4}-\d{6}/)?.[0];
      const r = await overview(ctx.user.id, ref);
      if (Array.isArray(r)) return { state: null, replies: r };
      const apps = await intake.listForUser(ctx.user.id, pack.id);
      const lines = ['您的申请：', ...apps.map((a) => `· ${a.reference} ${a.companyName}：${STATUS_LABELS[a.status] ?? a.status}`), '点编号查看进度记录。'];
      return { state: r, replies: [reply(lines.join('\n'), inRows(apps.map((a) => ({ label: a.reference, payload: `ref:${a.reference}` })), 2))] };
    },
    async step(ctx, state, input) {
      const ref = input.payload?.startsWith('ref:') ? input.payload.slice(4) : input.text?.match(/[A-Za-z]{1,6}-\d{4}-\d{6}/)?.[0];
      if (!ref) return { state: null, replies: [reply('已退出申请进度查询。')] };
      const r = await overview(ctx.user.id, ref);
      return { state: null, replies: Array.isArray(r) ? r : [] };
    },
  };
}

/** Delivers messages to a user outside their own turn (the engine's SenderRegistry.deliver). */
export type Deliver = (target: { conversationId: string } | { userId: string }, messages: OutgoingMessage[], options?: { author?: string }) => Promise<{ status: string }>;

export interface ApplicationService {
  /** Changes an application's status (staff), records it with the note, and notifies the enterprise in chat. */
  changeStatus(input: { reference: string; status: ApplicationStatus; note?: string; actor: string }): Promise<{ application: ApplicationRow; delivery: string }>;
  /** Its answers as labelled rows, worded like the summary the enterprise confirmed. */
  describe: DescribeApplications;
}

export function createApplicationService(deps: {
  intake: IntakeRepo;
  deliver: Deliver;
  clock: () => Date;
  describe: DescribeApplications;
  log?: { warn(msg: string, f?: Record<string, unknown>): void };
}): ApplicationService {
  return {
    describe: deps.describe,
    async changeStatus({ reference, status, note, actor }) {
      const app = await deps.intake.changeStatus(reference, status, note?.trim() || null, actor, deps.clock());
      const text = [`📋 您的申请 **${app.reference}**（${app.companyName}）状态更新为：${STATUS_LABELS[status] ?? status}`, note?.trim() ? `说明：${note.trim()}` : '', '发送 /status 可查看完整进度。']
        .filter(Boolean)
        .join('\n');
      let delivery = 'undeliverable';
      try {
        const target = app.conversationId ? { conversationId: app.conversationId } : { userId: app.userId };
        delivery = (await deps.deliver(target, [{ text, meta: { kind: 'notice' } }], { author: actor })).status;
      } catch (e) {
        // The status change stands even when the enterprise cannot be reached; staff see the delivery result.
        deps.log?.warn('status notification failed', { reference, err: e });
      }
      return { application: app, delivery };
    },
  };
}
