/**
 * The environment, parsed once with zod into a typed config. Every module receives the slice it needs
 * through its factory; nothing else reads process.env. Either-or settings are unions (`kind`), so a
 * half-configured LLM or channel is a startup error with a clear message, not a runtime surprise.
 */
import path from 'node:path';
import { z } from 'zod';
import { AppError, redactUrl, type DbOptions } from '../db/index.ts';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const intWithDefault = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const EnvSchema = z.object({
  PORT: intWithDefault(3000, 0, 65535),
  HOST: optionalString,
  DATA_DIR: optionalString,
  DATABASE_URL: optionalString,
  DATABASE_POOL_SIZE: intWithDefault(10, 1, 200),
  /** Embedded PGlite on its own worker thread (default) or on the main thread. */
  PGLITE_THREAD: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .pipe(z.enum(['worker', 'main'], { error: 'must be worker or main' }).optional().default('worker')),
  PACK: optionalString,
  PACKS_DIR: optionalString,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional().default('info'),
  PUBLIC_URL: optionalString,
  EMBEDDING_BASE_URL: optionalString,
  EMBEDDING_MODEL: optionalString,
  EMBEDDING_API_KEY: optionalString,
  EMBEDDING_DIMENSIONS: optionalString,
  LLM_BASE_URL: optionalString,
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  LLM_TIMEOUT_MS: intWithDefault(20_000, 100, 600_000),
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_API_ROOT: optionalString,
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: optionalString,
  ADMIN_PASSWORD: optionalString,
  SESSION_SECRET: optionalString,
  API_TOKEN: optionalString,
  RATE_LIMIT_PER_MINUTE: intWithDefault(30, 1, 100_000),
  MAX_MESSAGE_CHARS: intWithDefault(2000, 10, 100_000),
  ANSWER_CACHE_SIZE: intWithDefault(2000, 0, 1_000_000),
});

export type LlmConfig = { kind: 'none' } | { kind: 'openai'; baseURL: string; apiKey: string; model: string; timeoutMs: number };
export type EmbeddingConfig = { kind: 'local' } | { kind: 'openai'; baseURL: string; apiKey: string; model: string; dimensions?: number };
export type TelegramConfig =
  | { kind: 'off' }
  | { kind: 'polling'; token: string; apiRoot?: string }
  | { kind: 'webhook'; token: string; apiRoot?: string; publicUrl: string };
export type SlackConfig =
  | { kind: 'off' }
  | { kind: 'http'; botToken: string; signingSecret: string; apiUrl?: string }
  | { kind: 'socket'; botToken: string; appToken: string; signingSecret?: string; apiUrl?: string };

export interface AppConfig {
  http: { port: number; host: string; publicUrl?: string };
  db: DbOptions;
  pack: { id: string; dir?: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  embedding: EmbeddingConfig;
  llm: LlmConfig;
  telegram: TelegramConfig;
  slack: SlackConfig;
  admin: { password?: string; sessionSecret?: string; apiToken?: string };
  limits: { ratePerMinute: number; maxMessageChars: number };
  /** Entries of the extractive answer cache (knowledge/cache); 0 turns it off. */
  answerCacheSize: number;
}

function allOrNone(env: Record<string, string | undefined>, names: string[], what: string): boolean {
  const set = names.filter((n) => env[n] !== undefined);
  if (set.length === 0) return false;
  if (set.length < names.length)
    throw new AppError('config', `${what}: set all of ${names.join(', ')} (missing ${names.filter((n) => env[n] === undefined).join(', ')})`);
  return true;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new AppError('config', `invalid environment: ${lines.join('; ')}`);
  }
  const env = parsed.data;
  const raw = env as unknown as Record<string, string | undefined>;

  const db: DbOptions = env.DATABASE_URL
    ? { kind: 'pg', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
    : { kind: 'pglite', dataDir: path.resolve(env.DATA_DIR ?? './data'), thread: env.PGLITE_THREAD };
  if (env.DATABASE_URL && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL))
    throw new AppError('config', `DATABASE_URL must start with postgres:// or postgresql:// (got ${redactUrl(env.DATABASE_URL)})`);

  const llm: LlmConfig = allOrNone(raw, ['LLM_BASE_URL', 'LLM_API_KEY', 'LLM_MODEL'], 'generative answers')
    ? { kind: 'openai', baseURL: env.LLM_BASE_URL!, apiKey: env.LLM_API_KEY!, model: env.LLM_MODEL!, timeoutMs: env.LLM_TIMEOUT_MS }
    : { kind: 'none' };

  // Local servers (Ollama, vLLM) need no key, so only the URL and model are required together.
  const embedding: EmbeddingConfig = allOrNone(raw, ['EMBEDDING_BASE_URL', 'EMBEDDING_MODEL'], 'remote embeddings')
    ? {
        kind: 'openai',
        baseURL: env.EMBEDDING_BASE_URL!,
        apiKey: env.EMBEDDING_API_KEY ?? 'none',
        model: env.EMBEDDING_MODEL!,
        dimensions: env.EMBEDDING_DIMENSIONS ? Number(env.EMBEDDING_DIMENSIONS) : undefined,
      }
    : { kind: 'local' };

  const telegram: TelegramConfig = !env.TELEGRAM_BOT_TOKEN
    ? { kind: 'off' }
    : env.PUBLIC_URL
      ? { kind: 'webhook', token: env.TELEGRAM_BOT_TOKEN, apiRoot: env.TELEGRAM_API_ROOT, publicUrl: env.PUBLIC_URL }
      : { kind: 'polling', token: env.TELEGRAM_BOT_TOKEN, apiRoot: env.TELEGRAM_API_ROOT };

  let slack: SlackConfig = { kind: 'off' };
  if (env.SLACK_BOT_TOKEN) {
    if (env.SLACK_APP_TOKEN)
      slack = { kind: 'socket', botToken: env.SLACK_BOT_TOKEN, appToken: env.SLACK_APP_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, apiUrl: env.SLACK_API_URL };
    else if (env.SLACK_SIGNING_SECRET)
      slack = { kind: 'http', botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, apiUrl: env.SLACK_API_URL };
    else throw new AppError('config', 'Slack: set SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode) with SLACK_BOT_TOKEN');
  }

  return {
    http: { port: env.PORT, host: env.HOST ?? '0.0.0.0', publicUrl: env.PUBLIC_URL },
    db,
    pack: { id: env.PACK ?? 'jinhua', dir: env.PACKS_DIR ? path.resolve(env.PACKS_DIR) : undefined },
    logLevel: env.LOG_LEVEL,
    embedding,
    llm,
    telegram,
    slack,
    admin: { password: env.ADMIN_PASSWORD, sessionSecret: env.SESSION_SECRET, apiToken: env.API_TOKEN },
    limits: { ratePerMinute: env.RATE_LIMIT_PER_MINUTE, maxMessageChars: env.MAX_MESSAGE_CHARS },
    answerCacheSize: env.ANSWER_CACHE_SIZE,
  };
}
