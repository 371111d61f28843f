/**
 * `npm run bench:load [-- --duration 60] [--connections 50] [--per-user 5] [--cpu-prof DIR]`: issue 9's
 * load scenario. It starts the app exactly as `npm start` would with no configuration (embedded PGlite in
 * a fresh temporary data directory, local embedder, extractive answers, no LLM, the default 30-messages-
 * per-minute guard left on), then 50 concurrent web-chat users ask the dev set's in-scope and out-of-scope
 * questions against POST /api/chat for 60 s. Each connection is one user at a time; after a few questions
 * (--per-user) a new user takes the connection over, the way enterprises arrive after a policy briefing —
 * so the per-user rate limit stays on and is never what the scenario measures.
 * It prints throughput (answers/s), latency p50/p95/p99, errors (non-2xx, timeouts, socket errors, and
 * 200s whose body is an error or a rate-limit notice), the server's RSS and the CPU time of the server
 * and of this load generator (they share the machine's cores), and the load average.
 * `ANSWER_CACHE_SIZE=0 npm run bench:load` measures the same scenario without the answer cache.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnApp } from '../helpers/spawn-app.ts';

// autocannon ships no types; this is the slice used here.
interface CannonResult {
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number; max: number };
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<CannonResult>;

const ROOT = path.resolve(import.meta.dirname, '..', '..');

interface Args {
  duration: number;
  connections: number;
  perUser: number;
  cpuProf?: string;
  timeout: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { duration: 60, connections: 50, perUser: 5, timeout: 10 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--duration') args.duration = Number(value());
    else if (flag === '--connections') args.connections = Number(value());
    else if (flag === '--per-user') args.perUser = Number(value());
    else if (flag === '--timeout') args.timeout = Number(value());
    else if (flag === '--cpu-prof') args.cpuProf = path.resolve(value());
    else throw new Error(`unknown option ${flag}; usage: npm run bench:load -- [--duration 60] [--connections 50] [--per-user 5] [--timeout 10] [--cpu-prof DIR]`);
  }
  for (const k of ['duration', 'connections', 'perUser', 'timeout'] as const)
    if (!Number.isInteger(args[k]) || args[k] < 1) throw new Error(`--${k} takes a positive integer`);
  return args;
}

/** The dev set's questions, in-scope and out-of-scope interleaved (about 1 in 10 should abstain). */
function questions(): { q: string; abstain: boolean }[] {
  const rows = fs
    .readFileSync(path.join(ROOT, 'tests', 'eval', 'dev-qa.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { q: string; abstain?: boolean });
  return rows.map((r) => ({ q: r.q, abstain: r.abstain === true }));
}

/** utime+stime of a process in ms, and its RSS in MB, from /proc (Linux). */
function procStats(pid: number): { cpuMs: number; rssMb: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rss = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuMs: (ticks * 1000) / 100, rssMb: rss ? Number(rss[1]) / 1024 : NaN };
  } catch {
    return { cpuMs: NaN, rssMb: NaN };
  }
}

const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const qs = questions();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-load-'));
  if (args.cpuProf) fs.mkdirSync(args.cpuProf, { recursive: true });
  const t0 = performance.now();
  const server = await spawnApp({ dataDir, nodeArgs: args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', args.cpuProf] : [] });
  const startupS = (performance.now() - t0) / 1000;
  const run = Date.now().toString(36);

  // Warm-up: every question once, from users outside the measured run.
  for (let i = 0; i < qs.length; i++) {
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: `warm-${run}-${Math.floor(i / 5)}`, text: qs[i]!.q }),
    });
    if (res.status !== 200) throw new Error(`warm-up: ${res.status} ${await res.text()}`);
  }

  let nextConnection = 0;
  let bodyErrors = 0;
  let rateLimited = 0;
  let abstained = 0;
  let answered = 0;
  const users = new Set<string>();
  const rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(procStats(server.pid).rssMb), 1000);
  const before = { server: procStats(server.pid), client: selfCpuMs(), load: loadavg(), at: new Date().toISOString() };
  const wall0 = performance.now();

  type Ctx = { conn?: number; sent?: number; at?: number };
  const latencies: number[] = [];
  const result = await autocannon({
    url: server.url,
    connections: args.connections,
    duration: args.duration,
    timeout: args.timeout,
    requests: [
      {
        method: 'POST',
        path: '/api/chat',
        setupRequest: (req: Record<string, unknown>, context: Ctx) => {
          if (context.conn === undefined) {
            context.conn = nextConnection++;
            context.sent = 0;
          }
          const n = context.sent!++;
          const user = `load-${run}-${context.conn}-${Math.floor(n / args.perUser)}`;
          users.add(user);
          context.at = performance.now();
          const q = qs[(context.conn * 37 + n) % qs.length]!;
          return { ...req, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text: q.q }) };
        },
        onResponse: (status: number, body: string, context: Ctx) => {
          latencies.push(performance.now() - context.at!);
          if (status !== 200) return;
          try {
            const json = JSON.parse(body) as { rateLimited?: boolean; abstained?: boolean; replies?: { kind?: string }[] };
            if (json.rateLimited) rateLimited++;
            else if (!json.replies?.length || json.replies.some((r) => r.kind === 'error')) bodyErrors++;
            else {
              answered++;
              if (json.abstained) abstained++;
            }
          } catch {
            bodyErrors++;
          }
        },
      },
    ],
  });

  const wallS = (performance.now() - wall0) / 1000;
  clearInterval(sampler);
  const after = { server: procStats(server.pid), client: selfCpuMs(), load: loadavg() };
  const serverCpuS = (after.server.cpuMs - before.server.cpuMs) / 1000;
  const clientCpuS = (after.client - before.client) / 1000;
  // autocannon counts a timeout among its errors as well; socket errors are the rest.
  const socketErrors = result.errors - result.timeouts;
  const errors = result.non2xx + result.errors + bodyErrors + rateLimited;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;

  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const f1 = (x: number) => x.toFixed(1);
  const lines = [
    `# Load: ${args.connections} concurrent web-chat users, ${args.duration} s, POST /api/chat (extractive, embedded PGlite)`,
    '',
    `- started: ${before.at}; server start-up ${f1(startupS)} s (fresh data dir, pack ingested)`,
    `- machine: nproc ${os.cpus().length}, ${os.cpus()[0]?.model ?? 'n/a'}, node ${process.version}`,
    `- load average before: ${before.load}; after: ${after.load}`,
    `- answer cache: ${process.env.ANSWER_CACHE_SIZE === '0' ? 'off (ANSWER_CACHE_SIZE=0)' : `on (${process.env.ANSWER_CACHE_SIZE ?? 2000} entries)`}; every question was asked once in a warm-up`,
    `- distinct users: ${users.size} (≤ ${args.perUser} questions each), questions: ${qs.length} from tests/eval/dev-qa.jsonl (${qs.filter((q) => q.abstain).length} out of scope)`,
    '',
    '| answers | answers/s | p50 ms | p95 ms | p99 ms | max ms | errors | non-2xx | timeouts | socket errors | error bodies | rate-limited | abstained | server CPU s | server CPU ms/answer | client CPU s | RSS MB peak | RSS MB end |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    `| ${answered} | ${f1(answered / wallS)} | ${f1(pct(50))} | ${f1(pct(95))} | ${f1(pct(99))} | ${f1(latencies.at(-1) ?? NaN)} | ${errors} | ${result.non2xx} | ${result.timeouts} | ${socketErrors} | ${bodyErrors} | ${rateLimited} | ${abstained} | ${f1(serverCpuS)} | ${f1((serverCpuS * 1000) / Math.max(1, answered))} | ${f1(clientCpuS)} | ${f1(Math.max(...rssSamples, after.server.rssMb))} | ${f1(rssSamples.at(-1) ?? NaN)} |`,
    '',
    `wall-clock ${f1(wallS)} s; the server used ${f1((serverCpuS / wallS) * 100)} % of one core, the load generator ${f1((clientCpuS / wallS) * 100)} %.`,
  ];
  if (args.cpuProf) lines.push(`CPU profile written to ${args.cpuProf} (open in Chrome DevTools or speedscope).`);
  process.stdout.write(lines.join('\n') + '\n');
  const goal = answered / wallS >= 150 && pct(95) <= 150 && errors === 0;
  process.stdout.write(`goal (≥150 answers/s, p95 ≤150 ms, 0 errors): ${goal ? 'met' : 'not met'}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
