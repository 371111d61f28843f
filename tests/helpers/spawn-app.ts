/**
 * Spawns the app the way `npm start` runs it (`tsx console/main.ts serve`, here as one node process with
 * the tsx loader so the pid is the server's own), on a given data directory with no configuration beyond
 * what the caller passes. Used by the load scenario and the crash tests, which need a real process they
 * can measure, stop or `kill -9`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Variables that would switch the app away from its zero-configuration defaults. */
const CONFIG_VARS = ['DATABASE_URL', 'LLM_BASE_URL', 'LLM_API_KEY', 'LLM_MODEL', 'EMBEDDING_BASE_URL', 'EMBEDDING_MODEL', 'TELEGRAM_BOT_TOKEN', 'SLACK_BOT_TOKEN', 'RATE_LIMIT_PER_MINUTE'];

export interface SpawnedApp {
  child: ChildProcess;
  url: string;
  pid: number;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill(): Promise<void>;
}

export function spawnApp(options: { dataDir: string; env?: Record<string, string>; nodeArgs?: string[]; startTimeoutMs?: number }): Promise<SpawnedApp> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: options.dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  for (const k of CONFIG_VARS) delete env[k];
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...(options.nodeArgs ?? []), 'console/main.ts', 'serve'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const end = (signal: NodeJS.Signals) => async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${out} ${err}`));
    }, options.startTimeoutMs ?? 240_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, pid: child.pid!, stop: end('SIGTERM'), kill: end('SIGKILL') });
      }
    });
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.length > 20_000) err = err.slice(-10_000);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening: ${err}`));
    });
  });
}
