/**
 * Routing: decides what one message means. A pressed button is verified first (tampered or expired
 * payloads get a clear message); then commands (built-in, pluggable handlers, flows' own commands),
 * the few global phrases ("转人工", "取消"), the active flow, flows whose matches() claim the text, and
 * finally policy Q&A, the default. Unknown commands get the help text.
 */
import { cancelHandoff, requestHandoff } from './handoff.ts';
import { allowed, flowContext, flowLabel, leaveFlow, startFlow, stepActiveFlow, type AnyFlow } from './flows.ts';
import type { EngineKit } from './kit.ts';
import type { Turn } from './pipeline.ts';
import { answerQuestion, recordFeedback } from './qa.ts';
import { commandButton, rows } from './render.ts';
import { texts } from './texts.ts';
import type { Button, IncomingMessage, OutgoingMessage } from './types.ts';

const HANDOFF_PHRASES = new Set(['转人工', '人工', '人工客服', '人工服务', '找人工', '转人工客服', '联系人工']);
const CANCEL_PHRASES = new Set(['取消', '退出', '退出流程', 'cancel']);
const MENU_PHRASES = new Set(['菜单', '主菜单', 'menu']);
const QA_ENTRY = 'qa';

/** The main menu: 政策问答, the registered flows the user may use, 转人工. */
export function menuMessage(turn: Turn, kit: EngineKit, intro?: string): OutgoingMessage {
  const t = texts(turn.user.lang);
  const entries: Button[] = [commandButton(t.menuLabels.qa, `menu ${QA_ENTRY}`)];
  for (const f of kit.flows.all()) if (f.menuLabel && allowed(f, turn.user.role)) entries.push(commandButton(f.menuLabel, `menu ${f.id}`));
  entries.push(commandButton(t.menuLabels.handoff, 'handoff'));
  const active = turn.conversation.flowId && turn.flowChange !== null ? kit.flows.get(turn.conversation.flowId) : undefined;
  const text = [intro, t.menu, active ? t.menuActiveFlow(flowLabel(active)) : undefined].filter(Boolean).join('\n');
  return { text, buttons: rows(entries, 2), meta: { kind: 'menu' } };
}

export function helpMessage(turn: Turn, kit: EngineKit, prefix?: string): OutgoingMessage {
  const t = texts(turn.user.lang);
  const lines = [prefix, t.helpTitle, t.helpIntro].filter((l): l is string => Boolean(l));
  for (const [name, what] of Object.entries(t.helpCommands)) lines.push(`/${name} — ${what}`);
  for (const c of kit.commands.values()) if (!c.hidden && c.description && (!c.roles || c.roles.includes(turn.user.role))) lines.push(`/${c.name} — ${c.description}`);
  for (const f of kit.flows.all())
    if (allowed(f, turn.user.role)) for (const c of f.commands ?? []) if (!kit.commands.has(c)) lines.push(`/${c} — ${flowLabel(f)}`);
  lines.push(t.helpFooter);
  return { text: [...new Set(lines)].join('\n'), buttons: [[commandButton(t.menuLabels.menu, 'menu')]], meta: { kind: 'help' } };
}

/** Splits '/bind@shugai_bot ABC' into ['bind', 'ABC']. */
export function parseCommand(text: string): { name: string; args: string } | null {
  const m = text.trim().match(/^\/([A-Za-z][\w-]*)(?:@\w+)?(?:\s+([\s\S]*))?$/);
  return m ? { name: m[1]!.toLowerCase(), args: (m[2] ?? '').trim() } : null;
}

async function cancel(turn: Turn, kit: EngineKit): Promise<void> {
  const t = texts(turn.user.lang);
  const left = await leaveFlow(turn, kit.flows);
  if (left) turn.replies.push({ text: t.cancelled(left, turn.bag.leftFlowInMenu === true), buttons: [[commandButton(t.menuLabels.menu, 'menu')]], meta: { kind: 'notice' } });
  else if (!(await cancelHandoff(turn, kit))) turn.replies.push({ text: t.nothingToCancel, meta: { kind: 'notice' } });
}

async function openEntry(turn: Turn, kit: EngineKit, entry: string, input: IncomingMessage): Promise<void> {
  const t = texts(turn.user.lang);
  if (!entry) {
    turn.replies.push(menuMessage(turn, kit));
    return;
  }
  if (entry === QA_ENTRY) {
    const left = await leaveFlow(turn, kit.flows);
    if (left) turn.replies.push({ text: t.flowReplaced(left), meta: { kind: 'notice' } });
    turn.replies.push({ text: t.qaPrompt, meta: { kind: 'notice' } });
    return;
  }
  const flow = kit.flows.get(entry);
  if (!flow) turn.replies.push(menuMessage(turn, kit));
  else await startFlow(turn, kit.flows, flow, input);
}

async function runCommand(turn: Turn, kit: EngineKit, name: string, args: string, input: IncomingMessage): Promise<void> {
  const t = texts(turn.user.lang);
  switch (name) {
    case 'start':
      if (args) return openEntry(turn, kit, args, input);
      turn.replies.push(menuMessage(turn, kit, t.welcome));
      return;
    case 'menu':
      return openEntry(turn, kit, args, input);
    case 'help':
      turn.replies.push(helpMessage(turn, kit));
      return;
    case 'cancel':
      return cancel(turn, kit);
    case 'handoff':
      return requestHandoff(turn, kit, 'user');
    case 'lang': {
      const lang = args.toLowerCase();
      if (lang !== 'zh' && lang !== 'en') {
        turn.replies.push({ text: t.langUsage, meta: { kind: 'notice' } });
        return;
      }
      await kit.chat.setLang(turn.user.id, lang);
      turn.user = { ...turn.user, lang };
      turn.replies.push({ text: texts(lang).langSet, meta: { kind: 'notice', lang } });
      return;
    }
    case 'fb': {
      const vote = await recordFeedback(turn, kit, args);
      const flow = kit.flows.get('feedback');
      if (vote === 'down' && flow) await startFlow(turn, kit.flows, flow, input);
      return;
    }
  }
  const handler = kit.commands.get(name);
  if (handler) {
    if (handler.roles && !handler.roles.includes(turn.user.role)) {
      turn.replies.push({ text: t.notAllowed, meta: { kind: 'notice' } });
      return;
    }
    const before = turn.replies.length;
    const replies = await handler.run(
      { ...flowContext(turn), input, startFlow: async (id) => openEntry(turn, kit, id, input) },
      args,
    );
    // The handler's replies come before those of a flow it started.
    const started = turn.replies.splice(before);
    turn.replies.push(...replies, ...started);
    return;
  }
  const flow = kit.flows.byCommand(name);
  if (flow) return startFlow(turn, kit.flows, flow, input);
  turn.replies.push(helpMessage(turn, kit, t.unknownCommand(name)));
}

async function claimingFlow(turn: Turn, kit: EngineKit, text: string): Promise<AnyFlow | undefined> {
  const ctx = flowContext(turn);
  for (const f of kit.flows.all()) if (f.matches && allowed(f, turn.user.role) && (await f.matches(ctx, text))) return f;
  return undefined;
}

/** The routing stage: the last one in the pipeline. */
export async function route(turn: Turn, kit: EngineKit): Promise<void> {
  const msg = turn.message;
  const t = texts(turn.user.lang);
  if (msg.payload !== undefined) {
    const v = await kit.signer.verify(msg.payload, turn.now);
    if (!v.ok) {
      kit.log.warn('button payload rejected', { reason: v.reason, channel: msg.channel });
      turn.replies.push({ text: v.reason === 'expired' ? t.payloadExpired : t.payloadInvalid, buttons: [[commandButton(t.menuLabels.menu, 'menu')]], meta: { kind: 'notice' } });
      return;
    }
    turn.payloadBody = v.body;
    const cmd = v.body.startsWith('/') ? parseCommand(v.body) : null;
    if (cmd) return runCommand(turn, kit, cmd.name, cmd.args, { ...msg, text: undefined, payload: v.body });
    const colon = v.body.indexOf(':');
    const flowId = v.body.slice(0, colon);
    const input: IncomingMessage = { ...msg, text: undefined, payload: v.body.slice(colon + 1) };
    if (colon > 0 && turn.conversation.flowId === flowId && (await stepActiveFlow(turn, kit.flows, input))) return;
    turn.replies.push({ text: t.payloadStale, buttons: [[commandButton(t.menuLabels.menu, 'menu')]], meta: { kind: 'notice' } });
    return;
  }
  const text = (msg.text ?? '').trim();
  const cmd = parseCommand(text);
  if (cmd) return runCommand(turn, kit, cmd.name, cmd.args, msg);
  const phrase = text.toLowerCase();
  if (HANDOFF_PHRASES.has(phrase)) return requestHandoff(turn, kit, 'user');
  if (CANCEL_PHRASES.has(phrase)) return cancel(turn, kit);
  if (MENU_PHRASES.has(phrase)) return openEntry(turn, kit, '', msg);
  if (await stepActiveFlow(turn, kit.flows, msg)) return;
  const flow = await claimingFlow(turn, kit, text);
  if (flow) return startFlow(turn, kit.flows, flow, msg);
  await answerQuestion(turn, kit, text);
}
