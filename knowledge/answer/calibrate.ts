/**
 * Calibrates the abstention threshold on labelled questions: in-scope items (with the substrings a correct
 * answer contains) and out-of-scope items (which must abstain). For every candidate threshold it measures
 * out-of-scope abstention, false abstention on in-scope items and answer accuracy, and picks the threshold
 * that abstains on every out-of-scope item with the fewest false abstentions (ties: the lower threshold,
 * which answers more). The figures go into docs/answers.md.
 */
import type { AnswerContext } from '../types.ts';
import type { PackAnswerer } from './answerer.ts';

export interface LabelledQuestion {
  id: string;
  q: string;
  abstain?: boolean;
  answer_contains?: string[];
  /** Optional conversation history for follow-up items. */
  history?: AnswerContext['history'];
}

export interface ThresholdRow {
  threshold: number;
  outOfScopeAbstained: number;
  falseAbstention: number;
  accuracy: number;
}

export interface CalibrationReport {
  inScope: number;
  outOfScope: number;
  rows: ThresholdRow[];
  chosen: ThresholdRow;
  /** In-scope items that abstain or answer wrongly at the chosen threshold. */
  misses: Array<{ id: string; q: string; confidence: number; abstained: boolean }>;
  /** Out-of-scope items that would be answered at the chosen threshold. */
  leaks: Array<{ id: string; q: string; confidence: number }>;
}

export async function calibrate(
  makeAnswerer: (threshold: number) => PackAnswerer,
  items: LabelledQuestion[],
  options: { now?: Date; thresholds?: number[] } = {},
): Promise<CalibrationReport> {
  const thresholds = options.thresholds ?? Array.from({ length: 19 }, (_, i) => Math.round((0.1 + i * 0.05) * 100) / 100);
  // Each item is answered twice: with no threshold (what retrieval supports, and the rules that abstain
  // regardless: scope, places) and with an impossible one (what the reply is when confidence is too low:
  // an abstention, or the validity clause for "还能申请吗"). Any threshold's outcome follows from both.
  const open = makeAnswerer(0);
  const shut = makeAnswerer(1.01);
  type Outcome = { abstained: boolean; right: boolean };
  const outcomes: Array<{ item: LabelledQuestion; confidence: number; high: Outcome; low: Outcome }> = [];
  for (const item of items) {
    const a = await open.assess(item.q, { history: item.history });
    const ctx = { now: options.now, history: item.history };
    const hi = await open.answer(item.q, ctx);
    const lo = await shut.answer(item.q, ctx);
    const right = (x: { abstained: boolean; text: string }) => !x.abstained && (item.answer_contains ?? []).every((s) => x.text.includes(s));
    outcomes.push({ item, confidence: a.confidence, high: { abstained: hi.abstained, right: right(hi) }, low: { abstained: lo.abstained, right: right(lo) } });
  }
  const at = (o: (typeof outcomes)[number], t: number) => (o.confidence >= t ? o.high : o.low);
  const inScope = outcomes.filter((o) => !o.item.abstain);
  const outOfScope = outcomes.filter((o) => o.item.abstain);
  const rows = thresholds.map((t): ThresholdRow => ({
    threshold: t,
    outOfScopeAbstained: outOfScope.length ? outOfScope.filter((o) => at(o, t).abstained).length / outOfScope.length : 1,
    falseAbstention: inScope.length ? inScope.filter((o) => at(o, t).abstained).length / inScope.length : 0,
    accuracy: inScope.length ? inScope.filter((o) => at(o, t).right).length / inScope.length : 1,
  }));
  const safe = rows.filter((r) => r.outOfScopeAbstained === 1);
  const pool = safe.length ? safe : rows;
  const chosen = pool.reduce((best, r) => (r.falseAbstention < best.falseAbstention || (r.falseAbstention === best.falseAbstention && r.accuracy > best.accuracy) ? r : best));
  const t = chosen.threshold;
  return {
    inScope: inScope.length,
    outOfScope: outOfScope.length,
    rows,
    chosen,
    misses: inScope.filter((o) => !at(o, t).right).map((o) => ({ id: o.item.id, q: o.item.q, confidence: o.confidence, abstained: at(o, t).abstained })),
    leaks: outOfScope.filter((o) => !at(o, t).abstained).map((o) => ({ id: o.item.id, q: o.item.q, confidence: o.confidence })),
  };
}
