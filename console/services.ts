/**
 * The composition root: builds every collaborator once from the typed config and hands them to the
 * HTTP server, the channels and the CLI. This is the only place that knows how the layers fit together.
 */
import { openDb, type Db } from '../db/index.ts';
import { loadPack, type Answerer, type Pack } from '../knowledge/index.ts';
import { loadEligibility, type Eligibility } from '../knowledge/rules/index.ts';
import type { AppConfig } from './config.ts';
import { createLogger, type Logger } from './log.ts';

export interface Services {
  config: AppConfig;
  db: Db;
  pack: Pack;
  log: Logger;
  /** Injectable clock: tests pin dates. */
  clock: () => Date;
  answerer: Answerer;
  /** Deterministic eligibility and subsidy estimates from the pack's rules.json. */
  eligibility: Eligibility;
  close(): Promise<void>;
}

export interface ServiceOptions {
  clock?: () => Date;
  log?: Logger;
  /** An already-open database (tests); otherwise config.db is opened. */
  db?: Db;
}

export async function createServices(config: AppConfig, options: ServiceOptions = {}): Promise<Services> {
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? (() => new Date());
  const pack = loadPack(config.pack.id, config.pack.dir);
  const eligibility = loadEligibility(pack);
  const db = options.db ?? (await openDb(config.db));
  const answerer: Answerer = {
    // Placeholder until the knowledge layer lands: it abstains rather than guess.
    async answer(question) {
      return { text: '在已加载的文件中没有找到依据。', citations: [], abstained: true, mode: 'abstained', confidence: 0, lang: 'zh', hits: [], rewrittenQuery: question };
    },
  };
  return {
    config,
    db,
    pack,
    log,
    clock,
    answerer,
    eligibility,
    async close() {
      if (!options.db) await db.close();
    },
  };
}
