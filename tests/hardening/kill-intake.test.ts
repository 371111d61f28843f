/**
 * Issue 9's crash promise: `kill -9` of the running app in the middle of a 申报诊断 intake over the web
 * chat API, a restart on the same data directory, and the dialogue carries on where it was — the retry
 * prompts, buttons signed before the crash and every answer given so far reach the final summary and the
 * stored application. The app is a real `npm start` process on embedded PGlite (the default), killed
 * without any chance to flush or close.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/index.ts';
import { runIntakeScript, USCC, type Driver } from '../eligibility/intake-script.ts';
import { spawnApp, type SpawnedApp } from '../helpers/spawn-app.ts';

interface Reply {
  text: string;
  buttons?: { label: string; payload: string }[][];
}

/** One web-chat user talking to whichever server is current, pressing buttons by label. */
class HttpChat implements Driver {
  last: Reply[] = [];
  readonly seen: string[] = [];
  constructor(
    public url: string,
    readonly user: string,
  ) {}

  private async send(body: { text?: string; payload?: string }): Promise<Reply[]> {
    const res = await fetch(`${this.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: this.user, ...body }) });
    const json = (await res.json()) as { replies: Reply[] };
    expect(res.status, JSON.stringify(json)).toBe(200);
    this.last = json.replies;
    this.seen.push(this.text());
    return json.replies;
  }

  say(text: string) {
    return this.send({ text });
  }

  press(label: string) {
    const all = this.last.flatMap((r) => r.buttons?.flat() ?? []);
    const b = all.find((x) => x.label === label) ?? all.find((x) => x.label.includes(label));
    if (!b) throw new Error(`no button "${label}" in ${JSON.stringify(this.last)}`);
    return this.send({ payload: b.payload });
  }

  text() {
    return this.last.map((r) => r.text).join('\n');
  }

  labels() {
    return this.last.flatMap((r) => r.buttons?.flat().map((b) => b.label) ?? []);
  }
}

describe('kill -9 in the middle of an intake', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-kill-'));
  const apps: SpawnedApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes after a restart on the same data directory with every answer given so far', async () => {
    // One user clicking through the whole form in seconds would trip the 30-a-minute guard: not under test here.
    const env = { RATE_LIMIT_PER_MINUTE: '1000' };
    const first = await spawnApp({ dataDir, env });
    apps.push(first);
    const chat = new HttpChat(first.url, 'kill9-enterprise');
    let killedPid = 0;
    const reference = await runIntakeScript(chat, {
      midway: async () => {
        // Company, USCC (after a wrong check digit), contact and phone are answered; the region is next.
        killedPid = first.pid;
        await first.kill();
        expect(first.child.signalCode).toBe('SIGKILL');
        const second = await spawnApp({ dataDir, env });
        apps.push(second);
        chat.url = second.url;
        // The region question is still what the bot waits for.
        const history = await fetch(`${second.url}/api/chat/history?user=kill9-enterprise`).then((r) => r.json() as Promise<{ messages: { text: string }[] }>);
        expect(history.messages.map((m) => m.text).join('\n')).toContain('金华永康星辰工具有限公司');
      },
    });
    expect(killedPid).toBeGreaterThan(0);
    const summary = chat.seen.find((t) => /请核对申报信息/.test(t)) ?? '';
    for (const given of ['金华永康星辰工具有限公司', USCC, '张伟', '13812345678']) expect(summary).toContain(given);
    expect(reference).toMatch(/^JH-\d{4}-\d{6}$/);

    // And the stored application holds them, read straight from the data directory after a clean stop.
    await apps.at(-1)!.stop();
    const db = await openDb({ kind: 'pglite', dataDir });
    try {
      const r = await db.query<{ data: string }>('select row_to_json(a)::text as data from applications a where reference = $1', [reference]);
      expect(r.rows).toHaveLength(1);
      for (const given of ['金华永康星辰工具有限公司', USCC, '13900001111']) expect(r.rows[0]!.data).toContain(given);
    } finally {
      await db.close();
    }
  }, 600_000);
});
