/**
 * The scoring rules of the evaluation, as pure functions so that they can be tested on hand-made cases:
 * - retrieval hit: some evidence substring, compared ignoring whitespace, lies inside a top-k passage
 *   (a hit's section path and text, see runner.passageOf);
 * - answer correct: every expected string appears in the answer, ignoring whitespace, with 万 and 万元
 *   treated alike;
 * - an abstain item is correct when the system abstained.
 * Text is NFKC-folded on both sides, so a full-width "５０％" in a passage equals "50%" in the set.
 */
import type { EvalItem } from './dataset.ts';

/** Whitespace-free, NFKC-folded form used for every substring comparison. */
export function compact(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, '');
}

/** 1-based rank of the first passage that contains any evidence string, or null within `depth`. */
export function evidenceRank(passages: readonly string[], evidence: readonly string[], depth = 10): number | null {
  const needles = evidence.map(compact).filter((e) => e.length > 0);
  if (needles.length === 0) return null;
  const limit = Math.min(depth, passages.length);
  for (let i = 0; i < limit; i++) {
    const hay = compact(passages[i]!);
    if (needles.some((n) => hay.includes(n))) return i + 1;
  }
  return null;
}

/** `万元` and `万` are the same unit for answer checking; folding 万元 → 万 on both sides makes them equal. */
function answerForm(text: string): string {
  return compact(text).replace(/万元/g, '万');
}

export function answerContainsAll(answer: string, expected: readonly string[]): boolean {
  const hay = answerForm(answer);
  return expected.every((e) => hay.includes(answerForm(e)));
}

/** Nearest-rank percentile; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** What one system did on one item. `answer` is absent for retrieval-only systems (the baselines). */
export interface ItemOutcome {
  item: EvalItem;
  /** Passage texts in ranked order (at least the top 10 when available). */
  passages: string[];
  searchMs: number;
  answer?: { text: string; abstained: boolean; ms: number };
}

export interface ItemScore {
  id: string;
  /** Hit within the top k; null for items without evidence (out-of-scope questions). */
  hit: boolean | null;
  /** 1-based rank of the first passage holding the evidence within the top 10, else null. */
  rank: number | null;
  /** In-scope: abstained=false and every expected string present. Abstain items: the system abstained. */
  answerOk: boolean | null;
  abstained: boolean | null;
}

export interface Summary {
  n: number;
  retrieval: { n: number; hit1: number; hit5: number; hitK: number; k: number; mrr: number };
  answer: { n: number; accuracy: number | null };
  abstain: { correct: number; total: number; accuracy: number | null; falseAbstain: number | null; falseAbstainCount: number };
  latency: { p50: number; p95: number };
  search: { p50: number; p95: number };
  items: ItemScore[];
}

export const MRR_DEPTH = 10;

export function scoreItem(outcome: ItemOutcome, k: number): ItemScore {
  const { item, passages, answer } = outcome;
  const rank = item.evidence.length > 0 ? evidenceRank(passages, item.evidence, Math.max(k, MRR_DEPTH)) : null;
  const hit = item.evidence.length > 0 ? rank !== null && rank <= k : null;
  let answerOk: boolean | null = null;
  if (answer) {
    answerOk = item.abstain ? answer.abstained : !answer.abstained && answerContainsAll(answer.text, item.answer_contains);
  }
  return { id: item.id, hit, rank: rank !== null && rank <= MRR_DEPTH ? rank : null, answerOk, abstained: answer ? answer.abstained : null };
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);
const round = (x: number): number => Math.round(x * 1000) / 1000;
const roundOrNull = (x: number | null): number | null => (x === null ? null : round(x));

export function summarize(outcomes: readonly ItemOutcome[], k: number): Summary {
  const items = outcomes.map((o) => scoreItem(o, k));
  const withEvidence = outcomes.filter((o) => o.item.evidence.length > 0).map((o) => scoreItem(o, k));
  const rn = withEvidence.length;
  const count = (pred: (s: ItemScore) => boolean) => withEvidence.filter(pred).length;
  const answered = outcomes.filter((o) => o.answer);
  const inScope = answered.filter((o) => !o.item.abstain);
  const outOfScope = answered.filter((o) => o.item.abstain);
  const correctAnswers = inScope.filter((o) => scoreItem(o, k).answerOk).length;
  const abstainCorrect = outOfScope.filter((o) => o.answer!.abstained).length;
  const falseAbstainCount = inScope.filter((o) => o.answer!.abstained).length;
  const answerMs = answered.map((o) => o.answer!.ms);
  const searchMs = outcomes.map((o) => o.searchMs);
  return {
    n: outcomes.length,
    retrieval: {
      n: rn,
      hit1: round(ratio(count((s) => s.rank === 1), rn) ?? 0),
      hit5: round(ratio(count((s) => s.rank !== null && s.rank <= 5), rn) ?? 0),
      hitK: round(ratio(count((s) => s.hit === true), rn) ?? 0),
      k,
      mrr: round(rn === 0 ? 0 : withEvidence.reduce((sum, s) => sum + (s.rank ? 1 / s.rank : 0), 0) / rn),
    },
    answer: { n: inScope.length, accuracy: roundOrNull(ratio(correctAnswers, inScope.length)) },
    abstain: {
      correct: abstainCorrect,
      total: outOfScope.length,
      accuracy: roundOrNull(ratio(abstainCorrect, outOfScope.length)),
      falseAbstain: roundOrNull(ratio(falseAbstainCount, inScope.length)),
      falseAbstainCount,
    },
    latency: answered.length
      ? { p50: round(percentile(answerMs, 50)), p95: round(percentile(answerMs, 95)) }
      : { p50: round(percentile(searchMs, 50)), p95: round(percentile(searchMs, 95)) },
    search: { p50: round(percentile(searchMs, 50)), p95: round(percentile(searchMs, 95)) },
    items,
  };
}
