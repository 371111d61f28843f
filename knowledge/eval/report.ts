/**
 * Presents evaluation summaries: a side-by-side table (ours | bm25 | langchain-vector) for people, and the
 * one JSON object of the `--json` contract for scripts and CI.
 */
import type { Summary } from './metrics.ts';

export interface NamedSummary {
  name: string;
  summary: Summary;
}

const fmt = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : x.toFixed(digits));
const ms = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(1));

/** Width of a string in terminal columns (CJK characters take two). */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number, right = false) => (right ? ' '.repeat(Math.max(0, n - width(s))) + s : s + ' '.repeat(Math.max(0, n - width(s))));

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, i > 0)).join(' | ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

export function formatComparison(systems: readonly NamedSummary[]): string {
  const k = systems[0]?.summary.retrieval.k ?? 5;
  const row = (label: string, f: (s: Summary) => string) => [label, ...systems.map((s) => f(s.summary))];
  const rows = [
    row('questions', (s) => String(s.n)),
    row('hit@1', (s) => fmt(s.retrieval.hit1)),
    row('hit@5', (s) => fmt(s.retrieval.hit5)),
    ...(k !== 1 && k !== 5 ? [row(`hit@${k}`, (s) => fmt(s.retrieval.hitK))] : []),
    row('MRR@10', (s) => fmt(s.retrieval.mrr)),
    row('answer accuracy', (s) => fmt(s.answer.accuracy)),
    row('abstain accuracy', (s) => (s.abstain.total ? `${fmt(s.abstain.accuracy)} (${s.abstain.correct}/${s.abstain.total})` : '—')),
    row('false abstentions', (s) => (s.abstain.falseAbstain === null ? '—' : `${fmt(s.abstain.falseAbstain)} (${s.abstain.falseAbstainCount}/${s.answer.n})`)),
    row('search p50 ms', (s) => ms(s.search.p50)),
    row('search p95 ms', (s) => ms(s.search.p95)),
    row('answer p50 ms', (s) => (s.answer.accuracy === null ? '—' : ms(s.latency.p50))),
    row('answer p95 ms', (s) => (s.answer.accuracy === null ? '—' : ms(s.latency.p95))),
  ];
  return formatTable(['metric', ...systems.map((s) => s.name)], rows);
}

/** Items the first system got wrong, one line each, for finding what to fix. */
export function formatFailures(summary: Summary, questions: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  for (const it of summary.items) {
    const reasons: string[] = [];
    if (it.hit === false) reasons.push(it.rank ? `evidence at rank ${it.rank}` : 'evidence not in top 10');
    if (it.answerOk === false) reasons.push(it.abstained ? 'abstained' : 'wrong answer');
    if (reasons.length) lines.push(`  ${it.id}  ${reasons.join(', ')}  ${questions.get(it.id) ?? ''}`);
  }
  return lines.length ? `failures (${lines.length}):\n${lines.join('\n')}` : 'failures: none';
}

/** The `--json` object: exactly the documented keys for ours, plus the baselines when they ran. */
export function toJsonReport(ours: Summary, baselines: readonly NamedSummary[] = []) {
  const strip = (s: Summary) => ({
    n: s.n,
    retrieval: { hit1: s.retrieval.hit1, hit5: s.retrieval.hit5, mrr: s.retrieval.mrr },
    answer: { accuracy: s.answer.accuracy },
    abstain: { correct: s.abstain.correct, total: s.abstain.total, falseAbstain: s.abstain.falseAbstain },
    latency: { p50: s.latency.p50, p95: s.latency.p95 },
  });
  return {
    ...strip(ours),
    items: ours.items.map(({ id, hit, rank, answerOk, abstained }) => ({ id, hit, rank, answerOk, abstained })),
    ...(baselines.length ? { baselines: Object.fromEntries(baselines.map((b) => [b.name, strip(b.summary)])) } : {}),
  };
}
