/**
 * The whole app with its Telegram adapter polling telegram-test-api on 127.0.0.1, on a fresh test
 * database: for feature tests that must pass through a real channel adapter.
 */
import { loadConfig } from '../../console/config.ts';
import { createLogger } from '../../console/log.ts';
import { createServices, type Services } from '../../console/services.ts';
import { BOT_TOKEN, startTelegramBench, telegramUser, throttleGetUpdates, type TelegramBench } from '../channels/telegram-harness.ts';
import { openTestDb, type TestDb } from './db.ts';

export interface TelegramApp {
  bench: TelegramBench;
  services: Services;
  /** A Telegram user of that chat id; say()/press() resolve with the bot's replies. */
  user(id: number): ReturnType<typeof telegramUser>;
  close(): Promise<void>;
}

/** `seed` runs before the adapter starts polling (e.g. to import fixture data). */
export async function startTelegramApp(seed?: (services: Services) => Promise<void>): Promise<TelegramApp> {
  const bench = await startTelegramBench();
  const testDb: TestDb = await openTestDb();
  const config = loadConfig({ LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: bench.apiRoot, RATE_LIMIT_PER_MINUTE: '100000' });
  const services = await createServices(config, {
    db: testDb.db,
    log: createLogger('silent'),
    channels: { telegramClient: { transformers: [throttleGetUpdates()], retry: { baseDelayMs: 50 } } },
  });
  await seed?.(services);
  await services.channels.start();
  return {
    bench,
    services,
    user: (id) => telegramUser(bench, () => services.channels.idle(), id),
    async close() {
      await services.channels.stop();
      await services.close();
      await bench.stop();
      await testDb.close();
    },
  };
}
