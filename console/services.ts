/**
 * The composition root: builds every collaborator once from the typed config and hands them to the
 * HTTP server, the channels and the CLI. This is the only place that knows how the layers fit together.
 */
import { createEngine, type AnyFlow, type BotEngine, type CommandHandler, type HandoffService, type SenderRegistry } from '../bot/index.ts';
import { createChannels, type Channels, type ChannelsDeps } from '../bot/channels/index.ts';
import { ChatRepo, openDb, recordAudit, type AuditEntry, type Db, type IntakeRepo, type NxRepo } from '../db/index.ts';
import { createBindCommand, createProgressFlow } from '../bot/flows/progress/index.ts';
import { createProgressService, type ProgressService } from '../knowledge/progress/index.ts';
import { createEmbedder, createKnowledgeBase, loadPack, type Answer, type Answerer, type KnowledgeBase, type Pack } from '../knowledge/index.ts';
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
  answerer: Answerer;
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
  const answerer = quoteTopHitAnswerer(knowledge);
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
    answerer: { answer: (question, context) => services.answerer.answer(question, context) },
    flows,
    commands,
    limits: config.limits,
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

/**
 * Minimal extractive fallback until knowledge/answer/ lands: quotes the sentences of the best hit that
 * share the most query tokens, and abstains when the hit shares too little with the question.
 */
function quoteTopHitAnswerer(kb: KnowledgeBase): Answerer {
  return {
    async answer(question): Promise<Answer> {
      const hits = await kb.retriever.search(question, { k: 5 });
      const abstain: Answer = { text: '在已加载的文件中没有找到依据。', citations: [], abstained: true, mode: 'abstained', confidence: 0, lang: 'zh', hits, rewrittenQuery: question };
      const top = hits[0];
      if (!top) return abstain;
      const q = new Set(kb.tokenizer.tokens(question).filter((t) => t.length > 1));
      const covered = (text: string) => {
        const t = new Set(kb.tokenizer.tokens(text));
        return [...q].filter((x) => t.has(x)).length;
      };
      const confidence = q.size ? covered([...top.sectionPath, top.text].join(' ')) / q.size : 0;
      if (confidence < 0.5) return { ...abstain, confidence };
      const sentences = top.text.match(/[^。；]+[。；]?/g) ?? [top.text];
      const best = sentences.map((s, i) => ({ s, i, c: covered(s) })).sort((a, b) => b.c - a.c || a.i - b.i)[0];
      const quote = best.s.trim();
      const section = top.sectionPath.join(' > ');
      return {
        text: `根据《${top.documentTitle}》${section ? section + '：' : ''}“${quote}”`,
        citations: [{ document: top.documentTitle, section, quote, documentId: top.documentId, chunkId: top.chunkId, kind: top.kind === 'table_row' ? 'table' : 'clause' }],
        abstained: false,
        mode: 'extractive',
        confidence,
        lang: 'zh',
        hits,
        rewrittenQuery: question,
      };
    },
  };
}
