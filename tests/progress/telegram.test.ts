/**
 * Progress through a real channel adapter: the app's Telegram adapter polling telegram-test-api on
 * 127.0.0.1. An officer binds with /bind and asks in plain Chinese; scope holds; a reused code fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../console/config.ts';
import { createLogger } from '../../console/log.ts';
import { createServices, type Services } from '../../console/services.ts';
import { BOT_TOKEN, startTelegramBench, telegramUser, throttleGetUpdates, type TelegramBench } from '../channels/telegram-harness.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { uscc } from './fixtures.ts';

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
  const rows = ['企业名称,统一社会信用代码,区县,行业,规模,阶段,数字化等级,签约日期', `永康一,${uscc(1)},永康市,电动工具,规上,达标,二级,2025-01-02`];
  for (let i = 0; i < 3; i++) rows.push(`东阳${i + 1}号,${uscc(100 + i, '330783')},东阳市,磁性材料,规上,签约,,2025-03-03`);
  await services.progress.importFile('seed.csv', Buffer.from(rows.join('\n')), 'test');
  await services.channels.start();
}, 300_000);

afterAll(async () => {
  await services?.channels.stop();
  await services?.close();
  await bench?.stop();
  await testDb?.close();
});

describe('progress through Telegram', () => {
  it('binds an officer, answers within scope with the target, refuses another region and a reused code', async () => {
    const yk = await services.progress.officers.create({ name: '永康专员', region: '永康市' }, 'test');
    const { code } = await services.progress.officers.issueBindCode(yk.id, 'test');
    const officer = telegramUser(bench, () => services.channels.idle(), 401);
    const join = (seen: { text: string }[]) => seen.map((r) => r.text).join('\n');

    const before = join(await officer.say('永康电动工具签约多少家'));
    expect(before).not.toContain('561');

    expect(join(await officer.say(`/bind ${code}`))).toContain('绑定成功');
    const figures = join(await officer.say('永康电动工具签约多少家'));
    expect(figures).toMatch(/561/);
    expect(figures).toMatch(/0\.2%/);
    expect(join(await officer.say('东阳磁性材料还有哪些企业没验收'))).toContain('不能查看东阳市的数据');

    const other = telegramUser(bench, () => services.channels.idle(), 402);
    expect(join(await other.say(`/bind ${code}`))).toContain('已使用过');
  }, 180_000);
});
