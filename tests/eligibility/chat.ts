/**
 * A tiny chat driver for the eligibility tests: one user talking to the real engine (built by the real
 * composition root on a test database), pressing buttons by label the way a channel would (the signed
 * payload from the last replies).
 */
import type { IncomingMessage, OutgoingMessage } from '../../bot/index.ts';
import type { Services } from '../../console/services.ts';

let seq = 0;

export class Chat {
  last: OutgoingMessage[] = [];
  constructor(
    public services: Services,
    readonly user: string,
    readonly channel: IncomingMessage['channel'] = 'api',
  ) {}

  private async send(body: { text?: string; payload?: string }): Promise<OutgoingMessage[]> {
    const r = await this.services.engine.handle({
      id: `${this.user}-${++seq}`,
      channel: this.channel,
      user: { externalId: this.user, displayName: this.user },
      chat: { id: `chat-${this.user}`, kind: 'private' },
      receivedAt: this.services.clock(),
      ...body,
    });
    this.last = r.replies;
    return r.replies;
  }

  say(text: string): Promise<OutgoingMessage[]> {
    return this.send({ text });
  }

  /** Presses the first button whose label contains `label` in the last replies. */
  press(label: string): Promise<OutgoingMessage[]> {
    const b = this.last.flatMap((r) => r.buttons?.flat() ?? []).find((x) => x.label === label) ?? this.last.flatMap((r) => r.buttons?.flat() ?? []).find((x) => x.label.includes(label));
    if (!b) throw new Error(`no button "${label}" in: ${JSON.stringify(this.last.map((r) => ({ text: r.text.slice(0, 80), buttons: r.buttons?.map((row) => row.map((x) => x.label)) })))}`);
    return this.send({ payload: b.payload });
  }

  text(): string {
    return this.last.map((r) => r.text).join('\n');
  }

  labels(): string[] {
    return this.last.flatMap((r) => r.buttons?.flat().map((b) => b.label) ?? []);
  }
}
