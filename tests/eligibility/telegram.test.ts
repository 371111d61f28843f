/**
 * The whole 申报诊断 through Telegram: the real app with its Telegram adapter polling telegram-test-api
 * on 127.0.0.1 (the channels engineer's bench), the same script as the engine test, buttons pressed as
 * callback queries with the signed payloads the bot sent. Then /status in the same chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramApp, type TelegramApp } from '../helpers/telegram-app.ts';
import { runIntakeScript, telegramDriver } from './intake-script.ts';

let app: TelegramApp;

beforeAll(async () => {
  app = await startTelegramApp();
}, 300_000);

afterAll(async () => app?.close());

describe('申报诊断 through Telegram', () => {
  it('runs the whole intake and shows the application under /status', async () => {
    const chat = telegramDriver(app, 301);
    const reference = await runIntakeScript(chat);
    expect(reference).toMatch(/^JH-\d{4}-000001$/);
    await chat.say('/status');
    expect(chat.text()).toContain(reference);
  }, 180_000);
});
