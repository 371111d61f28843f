/**
 * `npm run eval -- FILE.jsonl [--k 5] [--json] [--baselines] [--config-db]`: scores our retrieval and
 * answers on a question set and, with --baselines, runs plain BM25 and LangChain splitter + vector search
 * side by side in the same process. The run uses a fresh in-memory database with the pack ingested, so the
 * figures are reproducible and the user's ./data is never touched; --config-db evaluates the configured
 * database instead (e.g. PostgreSQL through DATABASE_URL).
 */
import { AppError, openDb } from '../../db/index.ts';
import { evaluation } from '../../knowledge/index.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createServices } from '../services.ts';

const USAGE = 'usage: npm run eval -- FILE.jsonl [--k 5] [--json] [--baselines] [--config-db]';

export interface EvalArgs {
  file: string;
  k: number;
  json: boolean;
  baselines: boolean;
  configDb: boolean;
}

export function parseEvalArgs(argv: readonly string[]): EvalArgs {
  const args: EvalArgs = { file: '', k: 5, json: false, baselines: false, configDb: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--baselines') args.baselines = true;
    else if (a === '--config-db') args.configDb = true;
    else if (a === '--k' || a.startsWith('--k=')) {
      const v = a === '--k' ? argv[++i] : a.slice(4);
      const k = Number(v);
      if (!Number.isInteger(k) || k < 1 || k > 100) throw new AppError('validation', `--k must be an integer from 1 to 100 (got ${v ?? 'nothing'}). ${USAGE}`);
      args.k = k;
    } else if (a.startsWith('--')) throw new AppError('validation', `unknown option ${a}. ${USAGE}`);
    else if (!args.file) args.file = a;
    else throw new AppError('validation', `one question file only (got ${args.file} and ${a}). ${USAGE}`);
  }
  if (!args.file) throw new AppError('validation', `no question file given. ${USAGE}`);
  return args;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseEvalArgs(argv);
  const items = evaluation.loadEvalSet(args.file);
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'debug' ? 'debug' : 'warn');
  const db = args.configDb ? undefined : await openDb({ kind: 'pglite-memory' });
  const services = await createServices(config, { db, log });
  const progress = (msg: string) => {
    if (!args.json) process.stderr.write(msg + '\n');
  };
  try {
    progress(`eval: ${items.length} questions from ${args.file}, k=${args.k}`);
    const runOptions = { k: args.k, now: services.clock };
    const ours = evaluation.summarize(
      await evaluation.runSystem(items, { name: 'ours', retriever: services.knowledge.retriever, answerer: services.answerer }, runOptions),
      args.k,
    );
    const baselines: evaluation.NamedSummary[] = [];
    if (args.baselines) {
      const passages = await evaluation.splitDocuments(evaluation.readPackDocuments(services.pack));
      progress(`baselines: ${passages.length} LangChain passages`);
      const bm25 = evaluation.createBm25Retriever(passages);
      baselines.push({ name: 'bm25', summary: evaluation.summarize(await evaluation.runSystem(items, { name: 'bm25', retriever: bm25 }, runOptions), args.k) });
      // The very embedder our live index uses (local hashed n-grams, or the configured server).
      const embedder = services.knowledge.embedder;
      const vector = await evaluation.createVectorRetriever(passages, (texts) => embedder.embed(texts));
      baselines.push({
        name: 'langchain-vector',
        summary: evaluation.summarize(await evaluation.runSystem(items, { name: 'langchain-vector', retriever: vector }, runOptions), args.k),
      });
    }
    if (args.json) {
      process.stdout.write(JSON.stringify(evaluation.toJsonReport(ours, baselines)) + '\n');
    } else {
      process.stdout.write(evaluation.formatComparison([{ name: 'ours', summary: ours }, ...baselines]) + '\n\n');
      process.stdout.write(evaluation.formatFailures(ours, new Map(items.map((i) => [i.id, i.q]))) + '\n');
    }
  } finally {
    await services.close();
    await db?.close();
  }
  return 0;
}
