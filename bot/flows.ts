/**
 * The flows runtime: starting, stepping, resuming and leaving the typed state machines that flows are.
 * State lives in the conversation row (flow id, version, JSON state) and is saved after every step by
 * the engine's commit stage, so a restart resumes where the user was. Stale state is migrated by the
 * flow's restore() or the flow restarts with a clear message. Button payloads a flow issues are
 * namespaced with its id here, so a press is routed back to the flow that drew the button.
 */
import { AppError } from '../db/index.ts';
import type { Turn } from './pipeline.ts';
import { texts } from './texts.ts';
import type { Flow, FlowContext, FlowResult, IncomingMessage, OutgoingMessage, UserRole } from './types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFlow = Flow<any>;

export function flowContext(turn: Turn): FlowContext {
  return { conversationId: turn.conversation.id, user: turn.user, channel: turn.message.channel, now: turn.now };
}

export function flowLabel(flow: AnyFlow): string {
  return flow.title ?? flow.menuLabel ?? flow.id;
}

export function allowed(flow: { roles?: UserRole[] }, role: UserRole): boolean {
  return !flow.roles || flow.roles.includes(role);
}

/** Prefixes a flow's own button payloads with its id; engine commands ('/…') pass through. */
export function scopeButtons(flowId: string, replies: OutgoingMessage[]): OutgoingMessage[] {
  return replies.map((r) =>
    r.buttons
      ? { ...r, buttons: r.buttons.map((row) => row.map((b) => (b.payload.startsWith('/') ? b : { ...b, payload: `${flowId}:${b.payload}` }))) }
      : r,
  );
}

export class FlowRegistry {
  private readonly byId = new Map<string, AnyFlow>();

  constructor(flows: AnyFlow[]) {
    for (const f of flows) this.add(f);
  }

  add(flow: AnyFlow): void {
    if (!/^[a-z][a-z0-9_-]*$/.test(flow.id)) throw new AppError('config', `flow id "${flow.id}" must be lower-case letters, digits, _ or -`);
    if (this.byId.has(flow.id)) throw new AppError('config', `flow "${flow.id}" is registered twice`);
    this.byId.set(flow.id, flow);
  }

  get(id: string): AnyFlow | undefined {
    return this.byId.get(id);
  }

  all(): AnyFlow[] {
    return [...this.byId.values()];
  }

  byCommand(name: string): AnyFlow | undefined {
    return this.all().find((f) => f.commands?.includes(name));
  }
}

function apply(turn: Turn, flow: AnyFlow, result: FlowResult<unknown>): void {
  turn.flowChange = result.state === null ? null : { id: flow.id, version: flow.version, state: result.state };
  turn.replies.push(...scopeButtons(flow.id, result.replies));
}

/** Leaves the active flow (if any) through its onCancel hook; returns its label, or null when none. */
export async function leaveFlow(turn: Turn, flows: FlowRegistry): Promise<string | null> {
  const conv = turn.conversation;
  if (!conv.flowId || turn.flowChange === null) return null;
  const flow = flows.get(conv.flowId);
  turn.flowChange = null;
  if (!flow) return conv.flowId;
  turn.bag.leftFlowInMenu = Boolean(flow.menuLabel);
  const state = restoreState(flow, conv.flowState, conv.flowVersion);
  if (state !== null && flow.onCancel) {
    const extra = await flow.onCancel(flowContext(turn), state);
    if (extra) turn.replies.push(...scopeButtons(flow.id, extra));
  }
  return flowLabel(flow);
}

export async function startFlow(turn: Turn, flows: FlowRegistry, flow: AnyFlow, input: IncomingMessage): Promise<void> {
  const t = texts(turn.user.lang);
  if (!allowed(flow, turn.user.role)) {
    turn.replies.push({ text: t.notAllowed, meta: { kind: 'notice' } });
    return;
  }
  const previous = turn.conversation.flowId && turn.conversation.flowId !== flow.id ? await leaveFlow(turn, flows) : null;
  if (previous) turn.replies.push({ text: t.flowReplaced(previous), meta: { kind: 'notice' } });
  apply(turn, flow, await flow.start(flowContext(turn), input));
}

function restoreState(flow: AnyFlow, raw: unknown, version: number | null): unknown | null {
  if (raw === null || raw === undefined) return null;
  if (flow.restore) return flow.restore(raw, version ?? 0);
  return version === flow.version ? raw : null;
}

/**
 * Steps the active flow with this input. Returns false when no flow is active (the router goes on).
 * A flow that disappeared is left; state that cannot be restored restarts the flow with a notice.
 */
export async function stepActiveFlow(turn: Turn, flows: FlowRegistry, input: IncomingMessage): Promise<boolean> {
  const conv = turn.conversation;
  if (!conv.flowId || turn.flowChange === null) return false;
  const t = texts(turn.user.lang);
  const flow = flows.get(conv.flowId);
  if (!flow) {
    turn.flowChange = null;
    turn.replies.push({ text: t.flowGone, meta: { kind: 'notice' } });
    return false;
  }
  const state = restoreState(flow, conv.flowState, conv.flowVersion);
  if (state === null) {
    turn.replies.push({ text: t.flowRestarted(flowLabel(flow)), meta: { kind: 'notice' } });
    apply(turn, flow, await flow.start(flowContext(turn), input));
    return true;
  }
  apply(turn, flow, await flow.step(flowContext(turn), state, input));
  return true;
}
