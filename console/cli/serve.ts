/**
 * `npm start`: opens the database (embedded PGlite in ./data unless DATABASE_URL is set), loads the
 * pack, starts the HTTP server and the configured channels, and shuts down cleanly on SIGINT/SIGTERM.
 */
import { loadConfig } from '../config.ts';
import { createHttpApp, startHttpServer } from '../http/index.ts';
import type { ChannelState } from '../../bot/channels/index.ts';
import { createServices } from '../services.ts';

const CHANNEL_STATE: Record<ChannelState, string> = {
  running: '已连接',
  starting: '正在连接（后台继续重试）',
  failed: '启动失败，将在后台重试（详见日志）',
  stopped: '已停止',
};

export async function run(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const services = await createServices(config);
  const app = createHttpApp(services);
  const server = await startHttpServer(app, config.http.port, config.http.host);
  services.log.info('shugai listening', { url: server.url, db: services.db.kind, location: services.db.location, pack: services.pack.id });
  process.stdout.write(`数改助手 Shugai 已启动：${server.url}  (数据库 ${services.db.kind}: ${services.db.location})\n`);
  // Channels start after the server listens: a Telegram webhook must be reachable when it is set.
  await services.channels.start();
  for (const [channel, state] of Object.entries(services.channels.status()))
    process.stdout.write(`  ${channel}: ${CHANNEL_STATE[state]}\n`);
  const setupToken = await services.adminAccess.issueSetupTokenIfNeeded();
  if (setupToken)
    process.stdout.write(`尚无管理员账号。请在 24 小时内打开一次性初始化链接创建管理员：${config.http.publicUrl ?? server.url}/admin/setup?token=${setupToken}\n`);
  else process.stdout.write(`管理台：${config.http.publicUrl ?? server.url}/admin\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await services.channels.stop();
  await server.close();
  await services.close();
  return 0;
}
