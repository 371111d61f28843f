/**
 * The composition root: builds every collaborator once from the typed config and hands them to the
 * HTTP server, the channels and the CLI. This is the only place that knows how the layers fit together.
 */
import { createEngine, createMemoryRateCounter, type AnyFlow, type BotEngine, type CommandHandler, type HandoffService, type SenderRegistry } from '../bot/index.ts';
import { createChannels, type Channels, type ChannelsDeps } from '../bot/channels/index.ts';
import { ChatRepo, openDb, recordAudit, type AuditEntry, type Db, type IntakeRepo, type NxRepo } from '../db/index.ts';
import { createBindCommand, createProgressFlow } from '../bot/flows/progress/index.ts';
import { createProgressService, type ProgressService } from '../knowledge/progress/index.ts';
import { createAnswerer, createCachedAnswerer, createEmbedder, createKnowledgeBase, loadPack, type Answerer, type CachedAnswerer, type KnowledgeBase, type Pack } from '../knowledge/index.ts';
import { eligibilityFlow } from '../bot/flows/eligibility/index.ts';
import { createIntakeFlows, type ApplicationService } from '../bot/flows/intake/index.ts';
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
  /** Cited answers (createAnswerer): extractive by default, generative with numeric grounding when config.llm is set. */
  answerer: Answerer;
  /** The LRU answer cache the engine asks first (extractive mode only; knowledge/cache). */
  answerCache?: CachedAnswerer;
  progress: ProgressService;
  /** Ingestion, hybrid retrieval (knowledge.retriever), embedding indexes and the editable lexicon. */
  knowledge: KnowledgeBase;
  /** Console access: first admin, logins, sessions (console/admin). */
  adminAccess: AdminAccess;
  /** Deterministic eligibility and subsidy estimates from the pack's rules.json. */
  eligibility: Eligibility;
  /** Staff-side application workflow: change a status with a note; the enterprise is told in chat. */
  applications: ApplicationService;
  /** Drafts, applications and their status history (console review pages). */
  intake: IntakeRepo;
  /** The editable N+X lists, seeded from the pack's nx.json. */
  nx: NxRepo;
  /** The dialogue engine every channel (web chat, terminal, Telegram, Slack) hands its messages to. */
  engine: BotEngine;
  /** Channel adapters register here so staff replies and notifications reach users (engine.senders). */
  senders: SenderRegistry;
  /** The console's handoff inbox: list, reply, close (engine.handoffs). */
  handoffs: HandoffService;
  /** Telegram and Slack adapters as configured; `serve` starts them once the HTTP server listens. */
  channels: Channels;
  close(): Promise<void>;
}

export interface ServiceOptions {
  clock?: () => Date;
  log?: Logger;
  /** An already-open database (tests); otherwise config.db is opened. */
  db?: Db;
  /** Extra flows and commands for the engine (tests). */
  flows?: AnyFlow[];
  commands?: CommandHandler[];
  /** Channel test hooks (e.g. throttling telegram-test-api's instant getUpdates). */
  channels?: Pick<ChannelsDeps, 'telegramClient' | 'retryBaseMs'>;
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
  // Term statistics loaded and search statements prepared before the first question, not during it.
  await knowledge.retriever.warm().then(
    (ms) => log.info('search warmed', { ms: Math.round(ms) }),
    (err: unknown) => log.warn('search warm-up failed; the first questions will be slower', { err }),
  );
  const answerer = createAnswerer({ retriever: knowledge.retriever, tagger: knowledge.tagger, pack, db, llm: config.llm, log: log.child({ area: 'answer' }), clock });
  // Repeated questions skip retrieval; the cache keys on the knowledge generation, history and date.
  const answerCache =
    config.llm.kind === 'none' && config.answerCacheSize > 0 ? createCachedAnswerer(answerer, { db, pack, clock, max: config.answerCacheSize }) : undefined;
  const progress = createProgressService({ db, pack, clock });
  const adminAccess = createAdminAccess({ db, clock, envPassword: config.admin.password });
  await adminAccess.ensureEnvAdmin();
  // Flows and commands of the dialogue engine, in menu order. Each feature adds its own here
  // (eligibility, intake, progress …); the engine adds 政策问答 first and 转人工 last.
  const audit = (entry: AuditEntry) => recordAudit(db, entry);
  const chatUsers = new ChatRepo(db);
  // 资格测算, 申报诊断 and 我的申请进度; status notifications go out through the engine, created below.
  const intakeKit = await createIntakeFlows({ db, pack, clock, deliver: (target, messages, opts) => engine.deliver(target, messages, opts) });
  const flows: AnyFlow[] = [eligibilityFlow(eligibility), ...intakeKit.flows, createProgressFlow({ progress, audit }), ...(options.flows ?? [])];
  const commands: CommandHandler[] = [
    ...(options.commands ?? []),
    createBindCommand({ progress, audit, setRole: (userId, role) => chatUsers.setRole(userId, role) }),
  ];
  const engine = await createEngine({
    db,
    // Delegates, so whoever swaps services.answerer (tests, a reloaded index) is used by the engine too.
    answerer: {
      answer: (question, context) =>
        answerCache && services.answerer === answerer ? answerCache.answer(question, context) : services.answerer.answer(question, context),
    },
    flows,
    commands,
    limits: config.limits,
    // Embedded PGlite allows one process per data directory, so the limit can be counted in memory.
    rateCounter: db.kind === 'pglite' ? createMemoryRateCounter() : undefined,
    secret: config.admin.sessionSecret,
    clock,
    log: log.child({ area: 'engine' }),
  });
  // Built here, started by `serve`: a Telegram webhook can only be set once the server listens.
  const channels = createChannels({
    telegram: config.telegram,
    slack: config.slack,
    engine,
    db,
    log: log.child({ area: 'channels' }),
    clock,
    ...options.channels,
  });
  for (const sender of channels.senders) engine.senders.register(sender);
  const services: Services = {
    config,
    db,
    pack,
    log,
    clock,
    answerer,
    answerCache,
    progress,
    knowledge,
    adminAccess,
    eligibility,
    applications: intakeKit.applications,
    intake: intakeKit.intake,
    nx: intakeKit.nx,
    engine,
    senders: engine.senders,
    handoffs: engine.handoffs,
    channels,
    async close() {
      await channels.stop();
      if (!options.db) await db.close();
    },
  };
  return services;
}
