/**
 * `npm start`: opens the database (embedded PGlite in ./data unless DATABASE_URL is set), loads the
 * pack, starts the HTTP server and the configured channels, and shuts down cleanly on SIGINT/SIGTERM.
 */
import { loadConfig } from '../config.ts';
import { createHttpApp, startHttpServer } from '../http/index.ts';
import { createServices } from '../services.ts';

export async function run(_argv: string[]): Promise<number> {
  const config = loadConfig();
  const services = await createServices(config);
  const app = createHttpApp(services);
  const server = await startHttpServer(app, config.http.port, config.http.host);
  services.log.info('shugai listening', { url: server.url, db: services.db.kind, location: services.db.location, pack: services.pack.id });
  process.stdout.write(`数改助手 Shugai 已启动：${server.url}  (数据库 ${services.db.kind}: ${services.db.location})\n`);
  const setupToken = await services.adminAccess.issueSetupTokenIfNeeded();
  if (setupToken)
    process.stdout.write(`尚无管理员账号。请在 24 小时内打开一次性初始化链接创建管理员：${config.http.publicUrl ?? server.url}/admin/setup?token=${setupToken}\n`);
  else process.stdout.write(`管理台：${config.http.publicUrl ?? server.url}/admin\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await services.close();
  return 0;
}
