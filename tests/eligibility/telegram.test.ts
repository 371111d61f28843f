/**
 * The whole 申报诊断 through Telegram: the real app with its Telegram adapter polling telegram-test-api
 * on 127.0.0.1 (the channels engineer's bench), the same script as the engine test, buttons pressed as
 * callback queries with the signed payloads the bot sent. Then /status in the same chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../console/config.ts';
import { createLogger } from '../../console/log.ts';
import { createServices, type Services } from '../../console/services.ts';
import { BOT_TOKEN, startTelegramBench, telegramUser, throttleGetUpdates, type TelegramBench, type TelegramSeen } from '../channels/telegram-harness.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { runIntakeScript, type Driver } from './intake-script.ts';

let bench: TelegramBench;
let testDb: TestDb;
let services: Services;

beforeAll(async () => {
  bench = await startTelegramBench();
  testDb = await openTestDb();
  const config = loadConfig({ LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: bench.apiRoot, RATE_LIMIT_PER_MINUTE: '100000' });
  services = await createServices(config, {
    db: testDb.db,
    log: createLogger('silent'),
    channels: { telegramClient: { transformers: [throttleGetUpdates()], retry: { baseDelayMs: 50 } } },
  });
  await services.channels.start();
});

afterAll(async () => {
  await services?.channels.stop();
  await services?.close();
  await bench?.stop();
  await testDb?.close();
});

function telegramDriver(id: number): Driver {
  const user = telegramUser(bench, () => services.channels.idle(), id);
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
