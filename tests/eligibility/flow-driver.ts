/**
 * Drives flows directly (start/step with their persisted state), the way the engine does but without
 * it: a command starts the flow that lists it, a button press hands the flow its plain payload data,
 * and the state is JSON-round-tripped between steps as the engine stores it. Used where the engine is
 * not the subject (and to run the intake script a second way).
 */
import type { Flow, FlowContext, IncomingMessage, OutgoingMessage } from '../../bot/index.ts';
import type { Driver } from './intake-script.ts';

let seq = 0;

export class FlowDriver implements Driver {
  last: OutgoingMessage[] = [];
  private active: { flow: Flow<unknown>; state: string } | null = null;

  constructor(
    private flows: Flow<unknown>[],
    readonly userId: string,
    private now: () => Date,
  ) {}

  /** Replaces the flows (a "restart": new flow objects, same database, the stored state kept). */
  restart(flows: Flow<unknown>[]): void {
    this.flows = flows;
    if (this.active) this.active = { flow: flows.find((f) => f.id === this.active!.flow.id)!, state: this.active.state };
  }

  private ctx(): FlowContext {
    return { conversationId: `conv-${this.userId}`, user: { id: this.userId, role: 'enterprise', lang: 'zh' }, channel: 'api', now: this.now() };
  }

  private input(body: { text?: string; payload?: string }): IncomingMessage {
    return { id: `d${++seq}`, channel: 'api', user: { externalId: this.userId }, chat: { id: this.userId, kind: 'private' }, receivedAt: this.now(), ...body };
  }

  private async run(flow: Flow<unknown>, fn: () => Promise<{ state: unknown; replies: OutgoingMessage[] }>): Promise<OutgoingMessage[]> {
    const r = await fn();
    this.active = r.state === null ? null : { flow, state: JSON.stringify(r.state) };
    this.last = r.replies;
    return r.replies;
  }

  private async dispatch(body: { text?: string; payload?: string }): Promise<OutgoingMessage[]> {
    const command = body.text?.match(/^\/(\w+)/)?.[1] ?? body.payload?.match(/^\/menu (\w+)/)?.[1];
    if (body.text === '/cancel') {
      this.active = null;
      this.last = [];
      return [];
    }
    const starting = command ? this.flows.find((f) => f.id === command || f.commands?.includes(command)) : undefined;
    if (starting) return this.run(starting, () => starting.start(this.ctx(), this.input(body)));
    if (!this.active) throw new Error(`no active flow for ${JSON.stringify(body)}`);
    const { flow, state } = this.active;
    // restore(raw, version): the version argument is ignored by engines that do not pass it.
    const restore = flow.restore as ((raw: unknown, version: number) => unknown) | undefined;
    const restored = restore ? restore.call(flow, JSON.parse(state), flow.version) : JSON.parse(state);
    return this.run(flow, () => flow.step(this.ctx(), restored, this.input(body)));
  }

  say(text: string): Promise<OutgoingMessage[]> {
    return this.dispatch({ text });
  }

  press(label: string): Promise<OutgoingMessage[]> {
    const all = this.last.flatMap((r) => r.buttons?.flat() ?? []);
    const b = all.find((x) => x.label === label) ?? all.find((x) => x.label.includes(label));
    if (!b) throw new Error(`no button "${label}" in ${JSON.stringify(this.last.map((r) => r.buttons?.map((row) => row.map((x) => x.label))))}`);
    return this.dispatch({ payload: b.payload });
  }

  text(): string {
    return this.last.map((r) => r.text).join('\n');
  }

  labels(): string[] {
    return this.last.flatMap((r) => r.buttons?.flat().map((b) => b.label) ?? []);
  }
}
