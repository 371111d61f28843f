/**
 * The progress flow: bound officers (and admins) ask about the programme in plain Chinese and get
 * figures against the pack's targets, only within their scope. It claims free text only from officers and
 * only when it looks like a progress question, so enterprises' messages (and officers' policy questions)
 * still go to Q&A; enterprises and unbound users who call /progress get a polite refusal. Each answer is
 * one turn (no state is kept), and page buttons carry the question, so paging works after anything else.
 * Every officer query, answered or refused, is written to the audit log. Also here: /bind CODE.
 */
import type { AuditEntry, OfficerRow } from '../../../db/index.ts';
import type { ProgressService } from '../../../knowledge/progress/index.ts';
import type { CommandHandler, Flow, FlowContext, IncomingMessage, OutgoingMessage, UserRole } from '../../types.ts';
import { answerQuestion, helpReply, type Viewer } from './answer.ts';
import { looksLikeProgressQuestion, parseProgressQuestion } from './question.ts';

export { looksLikeProgressQuestion, parseProgressQuestion } from './question.ts';
export type { ProgressQuestion } from './question.ts';
export { answerQuestion, PAGE_SIZE } from './answer.ts';
export type { Viewer } from './answer.ts';

export interface ProgressFlowDeps {
  progress: ProgressService;
  /** Appends to the shared audit log (recordAudit bound to the database). */
  audit(entry: AuditEntry): Promise<void>;
}

export const PROGRESS_ROLES: UserRole[] = ['officer', 'admin'];

const REFUSAL =
  '进度数据仅向已绑定的区县专员开放。如果您是专员，请向管理员索取绑定码，然后发送：/bind 绑定码。企业用户可以直接提问政策问题。';

type Resolved = { viewer: Viewer; officer: OfficerRow | null } | null;

async function resolveViewer(deps: ProgressFlowDeps, ctx: FlowContext): Promise<Resolved> {
  if (ctx.user.role === 'admin') return { viewer: { kind: 'city', label: `${deps.progress.vocab.city}全市` }, officer: null };
  if (ctx.user.role !== 'officer') return null;
  const officer = await deps.progress.officers.forUser(ctx.user.id);
  if (!officer) return null;
  return {
    officer,
    viewer: officer.region ? { kind: 'region', region: officer.region, label: officer.region } : { kind: 'city', label: `${deps.progress.vocab.city}全市` },
  };
}

/** The question inside '/progress …', '/menu progress' or plain text. */
export function questionOf(input: IncomingMessage): string {
  const raw = (input.text ?? input.payload ?? '').trim();
  return raw.replace(/^\/(?:menu\s+progress|progress)(?:@\w+)?\s*/i, '').trim();
}

export function createProgressFlow(deps: ProgressFlowDeps): Flow<null> {
  const answer = async (ctx: FlowContext, input: IncomingMessage): Promise<OutgoingMessage[]> => {
    const who = await resolveViewer(deps, ctx);
    if (!who) return [{ text: REFUSAL, meta: { kind: 'notice' } }];
    const text = questionOf(input);
    if (!text) return [helpReply(who.viewer)];
    const q = parseProgressQuestion(text, deps.progress.vocab, deps.progress.today());
    const result = await answerQuestion(deps.progress, who.viewer, q, text);
    await deps.audit({
      actorKind: who.officer ? 'officer' : 'chat_user',
      actorId: who.officer ? who.officer.id : ctx.user.id,
      actorName: who.officer?.name ?? ctx.user.displayName ?? null,
      action: 'progress.query',
      targetType: 'progress',
      targetId: q.kind,
      details: { via: 'chat', channel: ctx.channel, chatUser: ctx.user.id, question: text, scope: result.scope, ...(result.refused ? { refused: true } : {}) },
    });
    return result.replies;
  };
  return {
    id: 'progress',
    version: 1,
    menuLabel: '试点进度',
    // The engine hides the menu entry and /progress from everyone else, with its polite refusal.
    roles: PROGRESS_ROLES,
    commands: ['progress'],
    async matches(ctx, text) {
      if (!PROGRESS_ROLES.includes(ctx.user.role) || !looksLikeProgressQuestion(text, deps.progress.vocab)) return false;
      return (await resolveViewer(deps, ctx)) !== null;
    },
    async start(ctx, input) {
      return { state: null, replies: await answer(ctx, input) };
    },
    async step(ctx, _state, input) {
      return { state: null, replies: await answer(ctx, input) };
    },
  };
}

export interface BindDeps {
  progress: ProgressService;
  /** Makes the chat user an officer in the engine's users table. */
  setRole(userId: string, role: UserRole): Promise<void>;
  audit(entry: AuditEntry): Promise<void>;
}

/** `/bind CODE`: binds the chat identity to the officer the one-time code was issued for. */
export async function runBind(deps: BindDeps, ctx: FlowContext, args: string): Promise<OutgoingMessage[]> {
  const code = args.trim();
  if (!code) return [{ text: '请在 /bind 后面加上管理员给您的绑定码，例如：/bind ABCD2345', meta: { kind: 'notice' } }];
  const r = await deps.progress.officers.bind(ctx.user.id, code);
  await deps.audit({
    actorKind: 'chat_user',
    actorId: ctx.user.id,
    actorName: ctx.user.displayName ?? null,
    action: r.ok ? 'progress.bind' : 'progress.bind_failed',
    targetType: 'officer',
    targetId: r.ok ? r.officer.id : null,
    details: { channel: ctx.channel, ...(r.ok ? {} : { reason: r.reason }) },
  });
  if (!r.ok) return [{ text: r.message, meta: { kind: 'notice' } }];
  if (ctx.user.role !== 'admin') await deps.setRole(ctx.user.id, 'officer');
  const scope = r.officer.region ?? `${deps.progress.vocab.city}全市`;
  return [
    {
      text: `绑定成功：${r.officer.name}（查询范围：${scope}）。现在可以直接问进度，例如“${r.officer.region ? r.officer.region.replace(/[市县区]$/, '') : '全市'}二级达标率”，或发送 /progress 查看示例。`,
      meta: { kind: 'notice' },
    },
  ];
}

export function createBindCommand(deps: BindDeps): CommandHandler {
  return {
    name: 'bind',
    description: '区县专员绑定账号：/bind 绑定码',
    run: (ctx, args) => runBind(deps, ctx, args),
  };
}
