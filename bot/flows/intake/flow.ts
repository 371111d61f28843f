/**
 * 申报诊断: the diagnostic application form as a chat flow. Every input — valid or not — is written to
 * the user's draft before anything else happens, so a restart, a week's pause or another channel
 * resumes at the same question with nothing lost. Answers can be changed at any time ("修改电话" jumps
 * there and comes back), the user confirms from a summary, and submission allocates a reference number.
 * A second application for the same 统一社会信用代码 is caught at the code question and again at submit.
 */
import { AppError, type ApplicationRow, type DraftRow, type IntakeRepo, type NxRepo } from '../../../db/index.ts';
import type { Pack } from '../../../knowledge/index.ts';
import { yearIn } from '../../../knowledge/parse/index.ts';
import type { AssessmentBank } from '../../../knowledge/rules/index.ts';
import type { Flow, FlowContext, FlowResult, IncomingMessage, OutgoingMessage } from '../../types.ts';
import {
  ASSESS_INTRO,
  askAssessment,
  choicesAt,
  finishAssessment,
  firstQuestion,
  isAssessmentCursor,
  lettersFromText,
  nextAssessmentCursor,
  renderAssessmentResult,
  toggle,
} from './assessment.ts';
import { STATUS_LABELS, type IntakeConfig } from './config.ts';
import { buildFields, FIELD_ORDER, fieldForEdit, type AskContext, type FieldId, type MultiValue, type Option } from './fields.ts';
import { inRows, reply } from './ui.ts';
import { askContextFactory } from './describe.ts';

export interface IntakeState {
  draftId: string;
  cursor: string;
  returnTo: string | null;
  /** Working selection of the multi-select question on screen. */
  multi: MultiValue | null;
  /** Reference of the user's own application this draft updates (after a duplicate was found). */
  updateOf: string | null;
}

export interface IntakeDeps {
  pack: Pack;
  config: IntakeConfig;
  bank: AssessmentBank;
  intake: IntakeRepo;
  nx: NxRepo;
  /** How the N+X list is labelled to users (e.g. 起步清单（待市经信局正式清单替换）). */
  nxLabel: string;
}

const SUMMARY = 'summary';
const DUPLICATE = 'duplicate';
const isField = (c: string): c is FieldId => (FIELD_ORDER as readonly string[]).includes(c);

export function intakeFlow(deps: IntakeDeps): Flow<IntakeState> {
  const { pack, config, bank, intake, nx } = deps;
  const fields = buildFields();

  const answersOf = (d: DraftRow): Record<string, unknown> => Object.fromEntries(Object.entries(d.answers).map(([k, v]) => [k, v.value]));

  const askContext = askContextFactory({ pack, config, nx });

  function optionsFor(field: FieldId, ctx: AskContext): Option[] {
    return field === 'systems' ? config.systems : field === 'painPoints' ? ctx.painOptions : [];
  }

  /** The question at the cursor, with the working selection for multi-selects. */
  async function ask(state: IntakeState, answers: Record<string, unknown>): Promise<OutgoingMessage[]> {
    const ctx = await askContext(answers);
    if (state.cursor === SUMMARY) return [summary(ctx)];
    if (isAssessmentCursor(state.cursor) && state.cursor !== ASSESS_INTRO) return [askAssessment(bank, state.cursor, answers, state.multi?.selected ?? [])];
    const field = state.cursor as FieldId;
    const def = fields[field];
    const msg = def.ask(ctx);
    if (def.kind !== 'multi') return [msg];
    const opts = optionsFor(field, ctx);
    const sel = state.multi ?? { selected: [], other: [] };
    const lines = [msg.text];
    if (field === 'painPoints') lines.push(`【${deps.nxLabel}】`, ...opts.map((o, i) => `${i + 1}. ${o.label}`));
    if (sel.other.length) lines.push(`已补充：${sel.other.join('、')}`);
    const buttons = opts.map((o, i) => ({ label: `${sel.selected.includes(o.id) ? '✅ ' : ''}${field === 'painPoints' ? `${i + 1}. ` : ''}${[...o.label].slice(0, 12).join('')}`, payload: `opt:${o.id}` }));
    return [reply(lines.join('\n'), [...inRows(buttons, 2), [{ label: '完成', payload: 'done' }]])];
  }

  function summary(ctx: AskContext): OutgoingMessage {
    const lines = ['**请核对申报信息**'];
    FIELD_ORDER.forEach((f, i) => lines.push(`${i + 1}. ${fields[f].label}：${ctx.answers[f] === undefined ? '—' : fields[f].display(ctx.answers[f], ctx)}`));
    lines.push('', '确认无误请点“确认提交”。如需修改，直接输入“修改+项目”，例如“修改电话”，或点下面的按钮。');
    const edits = FIELD_ORDER.map((f) => ({ label: `改${fields[f].label.slice(0, 4)}`, payload: `edit:${f}` }));
    return reply(lines.join('\n'), [[{ label: '确认提交', payload: 'submit' }], ...inRows(edits, 4)]);
  }

  /** Where to go once `done` is answered: back to where an edit started, else the first unanswered question. */
  function nextCursor(answers: Record<string, unknown>, state: IntakeState): { cursor: string; returnTo: string | null } {
    if (state.returnTo) return { cursor: state.returnTo, returnTo: null };
    const missing = FIELD_ORDER.find((f) => answers[f] === undefined);
    return { cursor: missing ?? SUMMARY, returnTo: null };
  }

  async function move(state: IntakeState, draftId: string, to: { cursor: string; returnTo: string | null }, answers: Record<string, unknown>, now: Date, before: OutgoingMessage[] = []): Promise<FlowResult<IntakeState>> {
    await intake.moveCursor(draftId, to, now);
    const multi = isField(to.cursor) && fields[to.cursor].kind === 'multi' ? ((answers[to.cursor] as MultiValue | undefined) ?? { selected: [], other: [] }) : null;
    const next: IntakeState = { ...state, cursor: to.cursor, returnTo: to.returnTo, multi };
    return { state: next, replies: [...before, ...(await ask(next, answers))] };
  }

  function inputText(input: IncomingMessage): string {
    return input.payload !== undefined ? `[按钮] ${input.payload}` : (input.text ?? (input.attachments?.length ? `[${input.attachments.map((a) => a.kind).join(',')}]` : ''));
  }

  async function loadDraft(ctx: FlowContext, state: IntakeState | null): Promise<DraftRow> {
    const d = state ? await intake.getDraft(state.draftId) : null;
    if (d && d.status === 'open' && d.userId === ctx.user.id) return d;
    return intake.openDraft(pack.id, ctx.user.id, ctx.conversationId, ctx.now);
  }

  async function duplicateReplies(existing: ApplicationRow, ctx: FlowContext): Promise<{ own: boolean; replies: OutgoingMessage[] }> {
    if (existing.userId === ctx.user.id) {
      return {
        own: true,
        replies: [
          reply(`您已经用这个统一社会信用代码提交过申请：${existing.reference}（${STATUS_LABELS[existing.status] ?? existing.status}）。要查看这份申请，还是用本次填写的信息更新它？`, [
            [{ label: '查看申请', payload: 'dup:view' }, { label: '更新这份申请', payload: 'dup:update' }],
            [{ label: '重新输入代码', payload: 'dup:recheck' }],
          ]),
        ],
      };
    }
    return {
      own: false,
      replies: [reply(`该统一社会信用代码已有一份在办的申请（不是由您当前账号提交的），不能重复申报。如需变更，请联系${config.contact}。如果代码填错了，请重新输入：`)],
    };
  }

  async function submit(ctx: FlowContext, state: IntakeState, draft: DraftRow, answers: Record<string, unknown>): Promise<FlowResult<IntakeState>> {
    const missing = FIELD_ORDER.filter((f) => answers[f] === undefined);
    if (missing.length) return move(state, draft.id, { cursor: missing[0]!, returnTo: SUMMARY }, answers, ctx.now, [reply(`还有未填写的项目：${missing.map((f) => fields[f].label).join('、')}。`)]);
    if (answers.consent !== true)
      return move(state, draft.id, { cursor: 'consent', returnTo: SUMMARY }, answers, ctx.now, [reply('需要同意数据使用授权才能提交。')]);
    const data = { answers, consentVersion: config.consent.version, channel: ctx.channel, submittedAt: ctx.now.toISOString() };
    const uscc = String(answers.uscc);
    try {
      const app = state.updateOf
        ? await intake.updateApplication(state.updateOf, ctx.user.id, data, String(answers.companyName), draft.id, ctx.now)
        : await intake.submit({
            draftId: draft.id,
            pack: pack.id,
            prefix: config.referencePrefix,
            userId: ctx.user.id,
            uscc,
            companyName: String(answers.companyName),
            data,
            conversationId: ctx.conversationId,
            channel: ctx.channel,
            now: ctx.now,
            year: yearIn(ctx.now, pack.manifest.timezone),
          });
      const verb = state.updateOf ? '已更新' : '已提交';
      return {
        state: null,
        replies: [
          reply(`✅ 申请${verb}。申请编号：**${app.reference}**\n请保存好编号。审核进展会在这里通知您，也可以随时在“我的申请进度”或发送 /status 查看。`, [
            [{ label: '我的申请进度', payload: '/menu status' }, { label: '主菜单', payload: '/menu' }],
          ]),
        ],
      };
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'conflict') throw e;
      const existing = await intake.findLiveByUscc(pack.id, uscc);
      if (!existing) throw e;
      const dup = await duplicateReplies(existing, ctx);
      const next = { ...state, cursor: dup.own ? DUPLICATE : 'uscc', returnTo: dup.own ? SUMMARY : SUMMARY, multi: null };
      await intake.moveCursor(draft.id, { cursor: next.cursor, returnTo: next.returnTo }, ctx.now);
      return { state: next, replies: dup.replies };
    }
  }

  async function handle(ctx: FlowContext, state: IntakeState, input: IncomingMessage): Promise<FlowResult<IntakeState>> {
    const draft = await loadDraft(ctx, state);
    if (draft.id !== state.draftId) state = { ...state, draftId: draft.id, cursor: draft.currentField ?? FIELD_ORDER[0], returnTo: draft.returnTo };
    const answers = answersOf(draft);
    const raw = inputText(input);
    const cursor = state.cursor;
    const record = (ok: boolean, extra: { error?: string; value?: unknown; store?: boolean; field?: string } = {}) =>
      intake.record(draft.id, { field: extra.field ?? cursor, input: raw, ok, error: extra.error, value: extra.value, store: extra.store }, { cursor, returnTo: state.returnTo }, ctx.now);
    const text = input.text?.trim() ?? '';
    const payload = input.payload;

    // Jumping to a question: "修改电话" typed anywhere, or an edit button on the summary.
    const editTo = payload?.startsWith('edit:') ? (payload.slice(5) as FieldId) : text ? fieldForEdit(text, fields) : null;
    if (editTo && isField(editTo)) {
      await record(true, { store: false });
      const back = cursor === SUMMARY || cursor === DUPLICATE ? SUMMARY : state.returnTo ?? cursor;
      const target = editTo === 'assessment' ? ASSESS_INTRO : editTo;
      return move(state, draft.id, { cursor: target, returnTo: back }, answers, ctx.now, [reply(`好的，修改“${fields[editTo].label}”。`)]);
    }

    if (cursor === SUMMARY) {
      if (payload === 'submit' || /^(确认|提交|确认提交|确定|没问题)/.test(text)) {
        await record(true, { store: false });
        return submit(ctx, state, draft, answers);
      }
      await record(false, { error: 'not a summary action' });
      return { state, replies: [reply('请点“确认提交”，或输入“修改+项目”（如“修改电话”）。'), ...(await ask(state, answers))] };
    }

    if (cursor === DUPLICATE) {
      await record(true, { store: false });
      const existing = answers.uscc ? await intake.findLiveByUscc(pack.id, String(answers.uscc)) : null;
      if (payload === 'dup:view' && existing && existing.userId === ctx.user.id) {
        const history = await intake.history(existing.id);
        const lines = [`申请 ${existing.reference}（${existing.companyName}）：${STATUS_LABELS[existing.status] ?? existing.status}`, ...history.map((h) => `· ${fmtDate(h.at, pack.manifest.timezone)} ${STATUS_LABELS[h.status] ?? h.status}${h.note ? `：${h.note}` : ''}`)];
        return { state, replies: [reply(lines.join('\n'), [[{ label: '更新这份申请', payload: 'dup:update' }, { label: '退出', payload: '/cancel' }]])] };
      }
      if (payload === 'dup:update' && existing && existing.userId === ctx.user.id) {
        const next = { ...state, updateOf: existing.reference };
        return move(next, draft.id, nextCursor(answers, { ...next, returnTo: state.returnTo === SUMMARY && FIELD_ORDER.every((f) => answers[f] !== undefined) ? SUMMARY : null }), answers, ctx.now, [reply(`好的，提交时将更新申请 ${existing.reference}。`)]);
      }
      return move(state, draft.id, { cursor: 'uscc', returnTo: state.returnTo }, answers, ctx.now);
    }

    if (isAssessmentCursor(cursor)) return assessmentStep(ctx, state, draft.id, answers, input, record);

    const field = cursor as FieldId;
    const def = fields[field];
    if (def.kind === 'multi') {
      const sel = state.multi ?? { selected: [], other: [] };
      if (payload?.startsWith('opt:')) {
        await record(true, { store: false });
        return { state: { ...state, multi: { ...sel, selected: toggle(sel.selected, payload.slice(4)) } }, replies: await ask({ ...state, multi: { ...sel, selected: toggle(sel.selected, payload.slice(4)) } }, answers) };
      }
      if (payload === 'done' || /^(完成|好了|没有了|就这些|无|没有)$/.test(text)) {
        const value = { selected: sel.selected, other: sel.other };
        await record(true, { value });
        const merged = { ...answers, [field]: value };
        return move(state, draft.id, nextCursor(merged, state), merged, ctx.now);
      }
      if (text) {
        await record(true, { store: false });
        const multi = { ...sel, other: [...sel.other, text] };
        return { state: { ...state, multi }, replies: [reply(`已添加“${text}”。还有吗？选好后请按“完成”。`), ...(await ask({ ...state, multi }, answers))] };
      }
    }

    if (def.kind === 'assessment') return assessmentStep(ctx, state, draft.id, answers, input, record);

    const parsed = def.parse!({ text: input.text, payload }, await askContext(answers));
    if (!parsed.ok) {
      await record(false, { error: parsed.error });
      return { state, replies: [reply(`⚠️ ${parsed.error}`), ...(await ask(state, answers))] };
    }
    if (field === 'uscc') {
      const existing = await intake.findLiveByUscc(pack.id, String(parsed.value));
      if (existing && existing.reference !== state.updateOf) {
        const dup = await duplicateReplies(existing, ctx);
        if (!dup.own) {
          await record(false, { error: 'duplicate uscc (another account)' });
          return { state, replies: dup.replies };
        }
        await record(true, { value: parsed.value });
        await intake.moveCursor(draft.id, { cursor: DUPLICATE, returnTo: state.returnTo }, ctx.now);
        return { state: { ...state, cursor: DUPLICATE }, replies: dup.replies };
      }
    }
    await record(true, { value: parsed.value });
    const merged = { ...answers, [field]: parsed.value };
    if (field === 'consent' && parsed.value === false)
      return { state, replies: [reply(`不同意数据使用授权将无法提交申请。草稿已保存，您可以随时回来选择“同意”，或发送 /cancel 退出。`), ...(await ask(state, merged))] };
    // A changed industry invalidates pain points chosen from the old industry's list.
    if (field === 'industry' && answers.industry !== undefined && answers.industry !== parsed.value && answers.painPoints !== undefined) {
      await intake.record(draft.id, { field: 'painPoints', input: '[行业变更，需重新选择]', ok: true, value: null, store: true }, { cursor, returnTo: state.returnTo }, ctx.now);
      delete merged.painPoints;
      return move(state, draft.id, { cursor: 'painPoints', returnTo: state.returnTo }, merged, ctx.now, [reply('行业已变更，请重新选择本行业的痛点/需求。')]);
    }
    return move(state, draft.id, nextCursor(merged, state), merged, ctx.now);
  }

  async function assessmentStep(
    ctx: FlowContext,
    state: IntakeState,
    draftId: string,
    answers: Record<string, unknown>,
    input: IncomingMessage,
    record: (ok: boolean, extra?: { error?: string; value?: unknown; store?: boolean; field?: string }) => Promise<void>,
  ): Promise<FlowResult<IntakeState>> {
    const cursor = state.cursor;
    const text = input.text?.trim() ?? '';
    if (cursor === ASSESS_INTRO) {
      if (input.payload === 'assess:skip' || /跳过|不做|以后/.test(text)) {
        await record(true, { field: 'assessment', value: { skipped: true } });
        const merged = { ...answers, assessment: { skipped: true } };
        return move(state, draftId, nextCursor(merged, state), merged, ctx.now);
      }
      if (input.payload === 'assess:start' || /开始|好|是|可以/.test(text)) {
        await record(true, { store: false });
        return move(state, draftId, { cursor: firstQuestion(bank), returnTo: state.returnTo }, answers, ctx.now);
      }
      await record(false, { error: 'start or skip' });
      return { state, replies: [reply('请选择“开始自评”或“跳过自评”。'), ...(await ask({ ...state, cursor: ASSESS_INTRO }, answers))].map((m) => m) };
    }
    const { multi, choices, zeroId } = choicesAt(bank, cursor, answers);
    let chosen: string[] | null = null;
    let selected = state.multi?.selected ?? [];
    if (input.payload?.startsWith('opt:')) {
      const id = input.payload.slice(4);
      if (!choices.some((c) => c.id === id)) return { state, replies: await ask(state, answers) };
      await record(true, { store: false });
      if (!multi) chosen = [id];
      else {
        selected = toggle(selected, id, zeroId);
        const next = { ...state, multi: { selected, other: [] } };
        return { state: next, replies: await ask(next, answers) };
      }
    } else if (input.payload === 'done' || (multi && /^(完成|好了|没有|无)$/.test(text))) {
      if (multi && selected.length === 0 && cursor.startsWith('assessment.q:')) {
        await record(false, { error: 'empty multi' });
        return { state, replies: [reply('请至少选一项；都没有请选“A 无”。'), ...(await ask(state, answers))] };
      }
      chosen = selected;
    } else if (text) {
      const r = lettersFromText(text, choices, multi);
      if (!r.ok) {
        await record(false, { error: r.error });
        return { state, replies: [reply(`⚠️ ${r.error}`), ...(await ask(state, answers))] };
      }
      chosen = zeroId && r.ids.includes(zeroId) && r.ids.length > 1 ? r.ids.filter((x) => x !== zeroId) : r.ids;
    }
    if (chosen === null) return { state, replies: await ask(state, answers) };
    await record(true, { value: chosen });
    const merged = { ...answers, [cursor]: chosen };
    const after = nextAssessmentCursor(bank, cursor);
    if (after) return move({ ...state, multi: null }, draftId, { cursor: after, returnTo: state.returnTo }, merged, ctx.now);
    const result = finishAssessment(bank, merged);
    await intake.record(draftId, { field: 'assessment', input: '[自评完成]', ok: true, value: { label: result.label, level: result.level, score: result.score, byDimension: result.byDimension, sceneCounts: result.sceneCounts } }, { cursor, returnTo: state.returnTo }, ctx.now);
    const withResult = { ...merged, assessment: { label: result.label, level: result.level, score: result.score } };
    return move({ ...state, multi: null }, draftId, nextCursor(withResult, state), withResult, ctx.now, [renderAssessmentResult(result)]);
  }

  const flow: Flow<IntakeState> = {
    id: 'intake',
    version: 1,
    menuLabel: '申报诊断',
    commands: ['intake', 'apply', 'shenbao'],
    matches: (_ctx, text) => /^(我要)?(申报|报名|申请)(试点|诊断)?$|申报诊断/.test(text.trim()),
    async start(ctx) {
      const draft = await intake.openDraft(pack.id, ctx.user.id, ctx.conversationId, ctx.now);
      const answers = answersOf(draft);
      const filled = FIELD_ORDER.filter((f) => answers[f] !== undefined).length;
      const cursor = draft.currentField ?? FIELD_ORDER[0];
      const state: IntakeState = { draftId: draft.id, cursor, returnTo: draft.returnTo, multi: null, updateOf: null };
      const multi = isField(cursor) && fields[cursor].kind === 'multi' ? ((answers[cursor] as MultiValue | undefined) ?? { selected: [], other: [] }) : null;
      const intro =
        draft.history.length > 0
          ? reply(`欢迎回来！您上次的申报已填写 ${filled}/${FIELD_ORDER.length} 项，我们从上次的位置继续。输入“修改+项目”可以改之前的回答。`, [[{ label: '放弃草稿，重新填写', payload: 'restart' }]])
          : reply(`欢迎使用${config.programme}申报诊断。共${FIELD_ORDER.length}项，随时可以输入“修改+项目”（如“修改电话”）更正；中途离开会自动保存，下次从这里继续。`);
      if (draft.currentField === null) await intake.moveCursor(draft.id, { cursor, returnTo: null }, ctx.now);
      return { state: { ...state, multi }, replies: [intro, ...(await ask({ ...state, multi }, answers))] };
    },
    async step(ctx, state, input) {
      if (input.payload === 'restart') {
        await intake.discardDraft(state.draftId, ctx.now);
        return this.start(ctx, input);
      }
      return handle(ctx, state, input);
    },
    restore(raw) {
      const s = raw as Partial<IntakeState> | null;
      if (!s || typeof s.draftId !== 'string' || typeof s.cursor !== 'string') return null;
      return { draftId: s.draftId, cursor: s.cursor, returnTo: s.returnTo ?? null, multi: s.multi ?? null, updateOf: s.updateOf ?? null };
    },
  };
  // Told when the user leaves with /cancel (engines that support the hook call it).
  return Object.assign(flow, { onCancel: async () => [reply('申报草稿已保存。下次点“申报诊断”会从这里继续。')] });
}

export function fmtDate(d: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(d));
}
