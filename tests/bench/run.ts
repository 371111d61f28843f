/**
 * `npm run bench [-- --sizes 1000,10000,100000] [--engines pglite,pglite-dir,pg] [--queries 200]`: the speed and
 * memory figures of issue 3, printed as a Markdown table for docs/benchmarks.md:
 * - ingestion throughput (KB/s of Chinese text) of the real pack and of each synthetic build;
 * - hybrid search latency p50/p95 at each index size, on embedded PGlite (in memory; and on a data directory as `npm start` opens it) and through the `pg` driver
 *   (PGlite served over the wire protocol), with each ranker's share;
 * - a same-run baseline: plain in-memory BM25 (MiniSearch) over the same chunk texts, so the ratio
 *   carries over to other machines;
 * - peak RSS of the process after each phase.
 * The machine is shared, so next to wall-clock figures the table gives CPU-time figures of this process
 * (PGlite and the wire server run in it too): those do not grow with other tenants' load.
 * Queries are the dev set's in-scope questions, cycled; a warm-up pass precedes every measurement.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../../db/index.ts';
import { createKnowledgeBase, evaluation, loadPack } from '../../knowledge/index.ts';
import { startWireServer } from '../helpers/db.ts';
import { corpusVocabulary, writeSyntheticPack } from './synthetic.ts';

/**
 * pglite: embedded, in memory, on this thread. pglite-dir: embedded on a data directory, exactly as
 * `npm start` opens it (on its own worker thread unless PGLITE_THREAD=main). pg: the `pg` driver over the
 * wire protocol (PGlite served by pglite-socket in this process).
 */
type Engine = 'pglite' | 'pglite-dir' | 'pg';
const ENGINES: Engine[] = ['pglite', 'pglite-dir', 'pg'];

interface Args {
  sizes: number[];
  engines: Engine[];
  queries: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { sizes: [1000, 10_000, 100_000], engines: ['pglite', 'pglite-dir', 'pg'], queries: 200 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--sizes') args.sizes = value().split(',').map((s) => Number(s.trim()));
    else if (flag === '--engines') args.engines = value().split(',').map((s) => s.trim()) as Engine[];
    else if (flag === '--queries') args.queries = Number(value());
    else throw new Error(`unknown option ${flag}; usage: npm run bench -- [--sizes 1000,10000] [--engines ${ENGINES.join(',')}] [--queries 200]`);
  }
  if (args.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--sizes takes positive integers, e.g. 1000,10000');
  if (args.engines.some((e) => !ENGINES.includes(e))) throw new Error(`--engines takes ${ENGINES.join(', ')}`);
  if (!Number.isInteger(args.queries) || args.queries < 10) throw new Error('--queries takes an integer ≥ 10');
  return args;
}

function machine(): string[] {
  const sh = (cmd: string) => {
    try {
      return execSync(cmd, { encoding: 'utf8' }).trim();
    } catch {
      return 'n/a';
    }
  };
  const cpu = /model name\s*:\s*(.+)/.exec(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? os.cpus()[0]?.model ?? 'n/a';
  return [`nproc: ${sh('nproc')}`, `CPU: ${cpu}`, `memory (free -h):\n${sh('free -h')}`, `node: ${process.version}`, `load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`];
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const msSince = (t: number) => performance.now() - t;
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

async function openEngine(engine: Engine): Promise<{ db: Db; close(): Promise<void> }> {
  if (engine === 'pglite') {
    const db = await openDb({ kind: 'pglite-memory' });
    return { db, close: () => db.close() };
  }
  if (engine === 'pglite-dir') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-bench-data-'));
    const db = await openDb({ kind: 'pglite', dataDir: dir });
    return {
      db,
      async close() {
        await db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const wire = await startWireServer();
  const db = await openDb({ kind: 'pg', url: wire.url, poolSize: 4 });
  return {
    db,
    async close() {
      await db.close();
      await wire.stop();
    },
  };
}

interface Latency {
  p50: number;
  p95: number;
}
const lat = (xs: number[]): Latency => ({ p50: evaluation.percentile(xs, 50), p95: evaluation.percentile(xs, 95) });

async function time(queries: string[], fn: (q: string) => Promise<unknown>): Promise<number[]> {
  for (const q of queries.slice(0, 20)) await fn(q);
  const out: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await fn(q);
    out.push(msSince(t));
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const base = loadPack('jinhua');
  const devSet = evaluation.loadEvalSet(path.resolve(import.meta.dirname, '../eval/dev-qa.jsonl'));
  const inScope = devSet.filter((i) => !i.abstain).map((i) => i.q);
  const queries = Array.from({ length: args.queries }, (_, i) => inScope[i % inScope.length]!);
  const log = (s: string) => process.stderr.write(s + '\n');

  console.log('## Machine\n');
  for (const line of machine()) console.log(line.includes('\n') ? '```\n' + line + '\n```' : `- ${line}`);

  // Ingestion of the real pack: the Chinese policy text users load, parsed, chunked, tokenized, embedded.
  log('bench: ingesting the real pack');
  const real = await openEngine('pglite');
  const kbReal = createKnowledgeBase({ db: real.db, pack: base });
  const t0 = performance.now();
  const c0 = cpuMs();
  const report = await kbReal.init();
  const realMs = msSince(t0);
  const realCpu = cpuMs() - c0;
  await real.close();
  const textOnly = (bytes: number, ms: number) => (bytes / 1024 / (ms / 1000));
  console.log(`\n## Ingestion of the real pack\n`);
  console.log(`${report.documents} documents, ${report.chunks} chunks, ${f1(report.bytes / 1024)} KB in ${f1(realMs)} ms (including start-up: lexicon, first index) → **${f1(textOnly(report.bytes, realMs))} KB/s** wall-clock, **${f1(textOnly(report.bytes, realCpu))} KB/s** per CPU-second; peak RSS ${peakRssMb()} MB`);

  const vocab = corpusVocabulary(base);
  // Rows are printed as they complete: a 100k build takes long, and a partial table is still a result.
  console.log(`\n## Index build and hybrid search (k=5, ${args.queries} dev-set questions per cell)\n`);
  const header = ['clauses', 'engine', 'chunks', 'build s', 'ingest KB/s', 'ingest KB/CPU-s', 'hybrid p50 ms', 'hybrid p95 ms', 'hybrid CPU ms/query', 'lexical p95 ms', 'vector p95 ms', 'BM25 in-memory p95 ms', 'hybrid/BM25 p95', 'peak RSS MB'];
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const size of args.sizes) {
    log(`bench: generating ${size} synthetic clauses`);
    const synthetic = writeSyntheticPack(base, vocab, size);
    try {
      for (const engine of args.engines) {
        log(`bench: ${size} clauses on ${engine}: building`);
        const conn = await openEngine(engine);
        try {
          const kb = createKnowledgeBase({ db: conn.db, pack: synthetic.pack });
          const tb = performance.now();
          const cb = cpuMs();
          const built = await kb.init();
          const buildMs = msSince(tb);
          const buildCpu = cpuMs() - cb;
          const chunks = (await kb.status()).chunks;
          // As the server does after start (console/services.ts): statistics loaded, statements prepared.
          const warmMs = await kb.retriever.warm();
          log(`bench: ${size} on ${engine}: ${chunks} chunks built in ${f1(buildMs / 1000)} s (${f1(buildCpu / 1000)} CPU-s), search warmed in ${f1(warmMs)} ms; searching`);
          const parts = { lexical: [] as number[], vector: [] as number[] };
          const cq = cpuMs();
          const hybrid = await time(queries, async (q) => {
            const r = await kb.retriever.searchTraced(q, { k: 5 });
            parts.lexical.push(r.trace.ms.lexical);
            parts.vector.push(r.trace.ms.vector);
          });
          const queryCpu = (cpuMs() - cq) / (queries.length + 20);
          // Same-run baseline: in-memory BM25 over the very same chunk texts.
          const texts = (await conn.db.query<{ id: string; text: string }>('select id, text from kb_chunks')).rows;
          const bm25 = evaluation.createBm25Retriever(texts.map((t, i) => ({ id: t.id, documentId: '', documentTitle: '', position: i, text: t.text })));
          const mem = await time(queries, (q) => bm25.search(q, { k: 5 }));
          const h = lat(hybrid);
          const m = lat(mem);
          const row = [
            String(size),
            engine,
            String(chunks),
            f1(buildMs / 1000),
            f1(textOnly(built.bytes, buildMs)),
            f1(textOnly(built.bytes, buildCpu)),
            f2(h.p50),
            f2(h.p95),
            f2(queryCpu),
            f2(lat(parts.lexical.slice(20)).p95),
            f2(lat(parts.vector.slice(20)).p95),
            f2(m.p95),
            f1(h.p95 / Math.max(m.p95, 0.001)),
            String(peakRssMb()),
          ];
          console.log(`| ${row.join(' | ')} |`);
        } finally {
          await conn.close();
        }
      }
    } finally {
      synthetic.remove();
    }
  }
  console.log(`\nPeak RSS of the whole run: ${peakRssMb()} MB`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
