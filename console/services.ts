/**
 * The composition root: builds every collaborator once from the typed config and hands them to the
 * HTTP server, the channels and the CLI. This is the only place that knows how the layers fit together.
 */
import { openDb, type Db } from '../db/index.ts';
import { createAnswerer, createEmbedder, createKnowledgeBase, loadPack, type KnowledgeBase, type Pack, type PackAnswerer } from '../knowledge/index.ts';
import { loadEligibility, type Eligibility } from '../knowledge/rules/index.ts';
import type { AppConfig } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { createAdminAccess, type AdminAccess } from './admin/index.ts';

export interface Services {
  config: AppConfig;
  db: Db;
  pack: Pack;
  log: Logger;
  /** Injectable clock: tests pin dates. */
  clock: () => Date;
  /** Cited answers: extractive by default, generative with numeric grounding when config.llm is set. */
  answerer: PackAnswerer;
  /** Ingestion, hybrid retrieval (knowledge.retriever), embedding indexes and the editable lexicon. */
  knowledge: KnowledgeBase;
  /** Console access: first admin, logins, sessions (console/admin). */
  adminAccess: AdminAccess;
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
  const knowledge = createKnowledgeBase({
    db,
    pack,
    // config.embedding: 'local' (hashed n-grams, offline) or any OpenAI-compatible embedding server.
    embedder: config.embedding.kind === 'openai' ? await createEmbedder(config.embedding) : undefined,
    log: log.child({ area: 'knowledge' }),
  });
  try {
    // The pack is ingested (changed documents only) before anything answers.
    await knowledge.init();
  } catch (e) {
    if (!options.db) await db.close().catch(() => {});
    throw e;
  }
  const answerer = createAnswerer({ retriever: knowledge.retriever, pack, db, llm: config.llm, log: log.child({ area: 'answer' }), clock });
  const adminAccess = createAdminAccess({ db, clock, envPassword: config.admin.password });
  await adminAccess.ensureEnvAdmin();
  return {
    config,
    db,
    pack,
    log,
    clock,
    answerer,
    knowledge,
    adminAccess,
    eligibility,
    async close() {
      if (!options.db) await db.close();
    },
  };
}
