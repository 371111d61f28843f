/**
 * The whole 申报诊断 through Telegram: the real app with its Telegram adapter polling telegram-test-api
 * on 127.0.0.1 (the channels engineer's bench), the same script as the engine test, buttons pressed as
 * callback queries with the signed payloads the bot sent. Then /status in the same chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramSeen } from '../channels/telegram-harness.ts';
import { startTelegramApp, type TelegramApp } from '../helpers/telegram-app.ts';
import { runIntakeScript, type Driver } from './intake-script.ts';

let app: TelegramApp;

beforeAll(async () => {
  app = await startTelegramApp();
}, 300_000);

afterAll(async () => app?.close());

function telegramDriver(id: number): Driver {
  const user = app.user(id);
  let last: TelegramSeen[] = [];
  return {
    async say(text) {
      last = await user.say(text);
    },
    async press(label) {
      const all = last.flatMap((r) => r.buttons.flat());
      const b = all.find((x) => x.label === label) ?? all.find((x) => x.label.includes(label));
      if (!b) throw new Error(`no button "${label}" in ${JSON.stringify(last.map((r) => r.buttons.map((row) => row.map((x) => x.label))))}`);
      last = await user.press(b);
    },
    text: () => last.map((r) => r.text).join('\n'),
    labels: () => last.flatMap((r) => r.buttons.flat().map((b) => b.label)),
  };
}

describe('申报诊断 through Telegram', () => {
  it('runs the whole intake and shows the application under /status', async () => {
    const chat = telegramDriver(301);
    const reference = await runIntakeScript(chat);
    expect(reference).toMatch(/^JH-\d{4}-000001$/);
    await chat.say('/status');
    expect(chat.text()).toContain(reference);
  }, 180_000);
});
