/**
 * `npm run bench:load [-- --duration 60] [--connections 50] [--per-user 5] [--rate max,150] [--cpu-prof DIR]`:
 * issue 9's load scenario. It starts the app exactly as `npm start` would with no configuration (embedded PGlite in
 * a fresh temporary data directory, local embedder, extractive answers, no LLM, the default 30-messages-
 * per-minute guard left on), then 50 concurrent web-chat users ask the dev set's in-scope and out-of-scope
 * questions against POST /api/chat for 60 s. Each connection is one user at a time; after a few questions
 * (--per-user) a new user takes the connection over, the way enterprises arrive after a policy briefing —
 * so the per-user rate limit stays on and is never what the scenario measures.
 * Two ways to load it, one table row each (--rate, comma-separated, in that order, on one warm server):
 * - `max`, a closed loop (autocannon): each connection sends its next question the moment the answer
 *   arrives, so throughput is the server's maximum and, by Little's law, mean latency = users / throughput
 *   — queueing at saturation, whatever the per-answer cost;
 * - a number N, an open loop: questions arrive at N per second (Poisson arrivals, seeded), spread over the
 *   same users and connections, as after a briefing, and latency is timed from each question's scheduled
 *   arrival (so a slow server cannot hide its queue: no coordinated omission). This is the latency users
 *   see at that load. (autocannon's overallRate sends each connection's share in a burst at the start of
 *   every second, which measures the bursts rather than the rate.)
 * It prints throughput (answers/s), latency p50/p95/p99, errors (non-2xx, timeouts, socket errors, and
 * 200s whose body is an error or a rate-limit notice), the server's RSS and the CPU time of the server
 * (all its threads) and of this load generator (they share the machine's cores), and the load average.
 * `ANSWER_CACHE_SIZE=0 npm run bench:load` measures the same scenario without the answer cache.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnApp } from '../helpers/spawn-app.ts';
import { prng } from './synthetic.ts';

// autocannon ships no types; this is the slice used here.
interface CannonResult {
  non2xx: number;
  errors: number;
  timeouts: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<CannonResult>;

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const USAGE = 'usage: npm run bench:load -- [--duration 60] [--connections 50] [--per-user 5] [--rate max,150] [--timeout 10] [--cpu-prof DIR]';

/** 'max': closed loop; a number: open loop at that many questions per second. */
type Rate = 'max' | number;

interface Args {
  duration: number;
  connections: number;
  perUser: number;
  rates: Rate[];
  cpuProf?: string;
  timeout: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { duration: 60, connections: 50, perUser: 5, rates: ['max'], timeout: 10 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--duration') args.duration = Number(value());
    else if (flag === '--connections') args.connections = Number(value());
    else if (flag === '--per-user') args.perUser = Number(value());
    else if (flag === '--timeout') args.timeout = Number(value());
    else if (flag === '--cpu-prof') args.cpuProf = path.resolve(value());
    else if (flag === '--rate') args.rates = value().split(',').map((r) => (r.trim() === 'max' ? 'max' : Number(r)));
    else throw new Error(`unknown option ${flag}; ${USAGE}`);
  }
  for (const k of ['duration', 'connections', 'perUser', 'timeout'] as const)
    if (!Number.isInteger(args[k]) || args[k] < 1) throw new Error(`--${k} takes a positive integer`);
  if (args.rates.some((r) => r !== 'max' && !(Number.isFinite(r) && r > 0))) throw new Error(`--rate takes max or positive numbers; ${USAGE}`);
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

/** utime+stime of a process (every thread) in ms, and its RSS in MB, from /proc (Linux). */
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

/** What the server said to one question, as the phase counts it. */
interface Tally {
  latencies: number[];
  answered: number;
  abstained: number;
  bodyErrors: number;
  rateLimited: number;
  users: Set<string>;
  /** Questions sent (in the open loop: arrivals). */
  sent: number;
}

function newTally(): Tally {
  return { latencies: [], answered: 0, abstained: 0, bodyErrors: 0, rateLimited: 0, users: new Set(), sent: 0 };
}

function record(t: Tally, status: number, body: string, ms: number): void {
  t.latencies.push(ms);
  if (status !== 200) return;
  try {
    const json = JSON.parse(body) as { rateLimited?: boolean; abstained?: boolean; replies?: { kind?: string }[] };
    if (json.rateLimited) t.rateLimited++;
    else if (!json.replies?.length || json.replies.some((r) => r.kind === 'error')) t.bodyErrors++;
    else {
      t.answered++;
      if (json.abstained) t.abstained++;
    }
  } catch {
    t.bodyErrors++;
  }
}

/**
 * The question a connection ("stream") sends as its n-th: the stream's current user (a new one every
 * --per-user questions) and a question picked so that streams do not move in step.
 */
function question(args: Args, qs: { q: string }[], phase: string, tally: Tally, stream: number, n: number): string {
  const user = `load-${phase}-${stream}-${Math.floor(n / args.perUser)}`;
  tally.users.add(user);
  tally.sent++;
  return JSON.stringify({ user, text: qs[(stream * 37 + n) % qs.length]!.q });
}

/** Closed loop: autocannon, every connection busy all the time. */
async function closedLoop(url: string, args: Args, qs: { q: string }[], phase: string, tally: Tally): Promise<CannonResult> {
  let nextConnection = 0;
  type Ctx = { conn?: number; sent?: number; at?: number };
  return autocannon({
    url,
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
          context.at = performance.now();
          return { ...req, headers: { 'content-type': 'application/json' }, body: question(args, qs, phase, tally, context.conn, context.sent!++) };
        },
        onResponse: (status: number, body: string, context: Ctx) => record(tally, status, body, performance.now() - context.at!),
      },
    ],
  });
}

/**
 * Open loop: questions arrive at `rate` per second with exponential gaps (Poisson arrivals), whatever the
 * server is doing; arrival i belongs to stream i mod connections. At most `connections` requests are on
 * the wire (keep-alive sockets); a question that finds them all busy waits, and its latency still counts
 * from its scheduled arrival.
 */
async function openLoop(url: string, args: Args, qs: { q: string }[], phase: string, tally: Tally, rate: number): Promise<CannonResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.connections });
  const random = prng(9);
  const sentPerStream = new Array<number>(args.connections).fill(0);
  const result: CannonResult = { non2xx: 0, errors: 0, timeouts: 0 };
  const t0 = performance.now();
  const end = t0 + args.duration * 1000;
  let inFlight = 0;
  let arrivals = 0;
  let next = t0;
  let scheduling = true;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const settle = () => {
    inFlight--;
    if (!scheduling && inFlight === 0) finished();
  };

  const fire = (scheduledAt: number) => {
    const stream = arrivals++ % args.connections;
    const body = question(args, qs, phase, tally, stream, sentPerStream[stream]!++);
    inFlight++;
    const req = http.request(
      { host: target.hostname, port: target.port, path: '/api/chat', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: args.timeout * 1000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) result.non2xx++;
          record(tally, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), performance.now() - scheduledAt);
          settle();
        });
      },
    );
    req.on('timeout', () => {
      result.timeouts++;
      result.errors++;
      req.destroy(new Error('timeout'));
    });
    req.on('error', (e) => {
      if (e.message !== 'timeout') result.errors++;
      settle();
    });
    req.end(body);
  };

  const tick = () => {
    const now = performance.now();
    while (next <= now && next < end) {
      fire(next);
      next += (-Math.log(1 - random()) * 1000) / rate;
    }
    if (next < end) setTimeout(tick, Math.max(0, next - performance.now()));
    else {
      scheduling = false;
      if (inFlight === 0) finished();
    }
  };
  tick();
  await done;
  agent.destroy();
  return result;
}

interface PhaseRow {
  rate: Rate;
  tally: Tally;
  result: CannonResult;
  wallS: number;
  serverCpuS: number;
  clientCpuS: number;
  rssPeakMb: number;
  rssEndMb: number;
  loadBefore: string;
  loadAfter: string;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const qs = questions();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-load-'));
  if (args.cpuProf) fs.mkdirSync(args.cpuProf, { recursive: true });
  const t0 = performance.now();
  const server = await spawnApp({ dataDir, nodeArgs: args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', args.cpuProf] : [] });
  const startupS = (performance.now() - t0) / 1000;
  const run = Date.now().toString(36);
  const startedAt = new Date().toISOString();

  // Warm-up: every question once, from users outside the measured run.
  for (let i = 0; i < qs.length; i++) {
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: `warm-${run}-${Math.floor(i / 5)}`, text: qs[i]!.q }),
    });
    if (res.status !== 200) throw new Error(`warm-up: ${res.status} ${await res.text()}`);
  }

  const rows: PhaseRow[] = [];
  for (const [i, rate] of args.rates.entries()) {
    const tally = newTally();
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(procStats(server.pid).rssMb), 1000);
    const before = { server: procStats(server.pid), client: selfCpuMs(), load: loadavg() };
    const wall0 = performance.now();
    const phase = `${run}-${i}`;
    const result = rate === 'max' ? await closedLoop(server.url, args, qs, phase, tally) : await openLoop(server.url, args, qs, phase, tally, rate);
    const wallS = (performance.now() - wall0) / 1000;
    clearInterval(sampler);
    const after = { server: procStats(server.pid), client: selfCpuMs(), load: loadavg() };
    tally.latencies.sort((a, b) => a - b);
    rows.push({
      rate,
      tally,
      result,
      wallS,
      serverCpuS: (after.server.cpuMs - before.server.cpuMs) / 1000,
      clientCpuS: (after.client - before.client) / 1000,
      rssPeakMb: Math.max(...rssSamples, after.server.rssMb),
      rssEndMb: after.server.rssMb,
      loadBefore: before.load,
      loadAfter: after.load,
    });
  }
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const f1 = (x: number) => x.toFixed(1);
  const pct = (l: number[], p: number) => l[Math.min(l.length - 1, Math.floor((p / 100) * l.length))] ?? NaN;
  const lines = [
    `# Load: ${args.connections} concurrent web-chat users, ${args.duration} s per row, POST /api/chat (extractive, embedded PGlite)`,
    '',
    `- started: ${startedAt}; server start-up ${f1(startupS)} s (fresh data dir, pack ingested)`,
    `- machine: nproc ${os.cpus().length}, ${os.cpus()[0]?.model ?? 'n/a'}, node ${process.version}`,
    `- load average before/after each row: ${rows.map((r) => `${r.loadBefore} → ${r.loadAfter}`).join('; ')}`,
    `- answer cache: ${process.env.ANSWER_CACHE_SIZE === '0' ? 'off (ANSWER_CACHE_SIZE=0)' : `on (${process.env.ANSWER_CACHE_SIZE ?? 2000} entries)`}; every question was asked once in a warm-up`,
    `- database thread: ${process.env.PGLITE_THREAD === 'main' ? 'main (PGLITE_THREAD=main)' : 'worker (default)'}`,
    `- questions: ${qs.length} from tests/eval/dev-qa.jsonl (${qs.filter((q) => q.abstain).length} out of scope); a new user every ${args.perUser} questions per connection`,
    '',
    '| load | answers | answers/s | p50 ms | p95 ms | p99 ms | max ms | errors | non-2xx | timeouts | socket errors | error bodies | rate-limited | abstained | users | server CPU s | server CPU ms/answer | client CPU s | RSS MB peak | RSS MB end |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const goals: string[] = [];
  for (const r of rows) {
    const t = r.tally;
    const socketErrors = r.result.errors - r.result.timeouts; // autocannon counts a timeout among its errors too
    const errors = r.result.non2xx + r.result.errors + t.bodyErrors + t.rateLimited;
    const perS = t.answered / r.wallS;
    const label = r.rate === 'max' ? 'closed loop (max)' : `open loop, ${r.rate}/s offered (${t.sent} arrived)`;
    lines.push(
      `| ${label} | ${t.answered} | ${f1(perS)} | ${f1(pct(t.latencies, 50))} | ${f1(pct(t.latencies, 95))} | ${f1(pct(t.latencies, 99))} | ${f1(t.latencies.at(-1) ?? NaN)} | ${errors} | ${r.result.non2xx} | ${r.result.timeouts} | ${socketErrors} | ${t.bodyErrors} | ${t.rateLimited} | ${t.abstained} | ${t.users.size} | ${f1(r.serverCpuS)} | ${f1((r.serverCpuS * 1000) / Math.max(1, t.answered))} | ${f1(r.clientCpuS)} | ${f1(r.rssPeakMb)} | ${f1(r.rssEndMb)} |`,
    );
    // Open loop: the offered rate is the load; Poisson arrivals scatter around it, and every one of them
    // must be answered.
    const throughputOk = r.rate === 'max' ? perS >= 150 : r.rate >= 150 && t.answered === t.sent;
    const met = throughputOk && pct(t.latencies, 95) <= 150 && errors === 0;
    goals.push(`${label}: ${met ? 'met' : 'not met'} (server ${f1((r.serverCpuS / r.wallS) * 100)} % of one core, load generator ${f1((r.clientCpuS / r.wallS) * 100)} %)`);
  }
  lines.push('', ...goals.map((g) => `goal (≥150 answers/s, p95 ≤150 ms, 0 errors) — ${g}`));
  if (args.cpuProf) lines.push(`CPU profiles written to ${args.cpuProf}, one per thread (open in Chrome DevTools or speedscope).`);
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
