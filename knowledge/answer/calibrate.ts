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
  const probe = makeAnswerer(0);
  // Confidence does not depend on the threshold: assess once, then answer at each threshold only where
  // the outcome can differ (confidence at or above it).
  const assessed = await Promise.all(items.map(async (item) => ({ item, a: await probe.assess(item.q, { history: item.history }) })));
  const inScope = assessed.filter((x) => !x.item.abstain);
  const outOfScope = assessed.filter((x) => x.item.abstain);
  const answeredCorrectly = new Map<string, boolean>();
  for (const { item, a } of inScope) {
    if (a.outOfScope) continue;
    const answer = await probe.answer(item.q, { now: options.now, history: item.history });
    answeredCorrectly.set(item.id, !answer.abstained && (item.answer_contains ?? []).every((s) => answer.text.includes(s)));
  }
  const rows = thresholds.map((t): ThresholdRow => {
    const abstains = (x: (typeof assessed)[number]) => Boolean(x.a.outOfScope) || x.a.confidence < t;
    const oosAbst = outOfScope.filter(abstains).length;
    const falseAbst = inScope.filter(abstains).length;
    const correct = inScope.filter((x) => !abstains(x) && answeredCorrectly.get(x.item.id)).length;
    return {
      threshold: t,
      outOfScopeAbstained: outOfScope.length ? oosAbst / outOfScope.length : 1,
      falseAbstention: inScope.length ? falseAbst / inScope.length : 0,
      accuracy: inScope.length ? correct / inScope.length : 1,
    };
  });
  const safe = rows.filter((r) => r.outOfScopeAbstained === 1);
  const pool = safe.length ? safe : rows;
  const chosen = pool.reduce((best, r) => (r.falseAbstention < best.falseAbstention || (r.falseAbstention === best.falseAbstention && r.accuracy > best.accuracy) ? r : best));
  const t = chosen.threshold;
  return {
    inScope: inScope.length,
    outOfScope: outOfScope.length,
    rows,
    chosen,
    misses: inScope
      .filter((x) => x.a.outOfScope || x.a.confidence < t || !answeredCorrectly.get(x.item.id))
      .map((x) => ({ id: x.item.id, q: x.item.q, confidence: x.a.confidence, abstained: Boolean(x.a.outOfScope) || x.a.confidence < t })),
    leaks: outOfScope.filter((x) => !x.a.outOfScope && x.a.confidence >= t).map((x) => ({ id: x.item.id, q: x.item.q, confidence: x.a.confidence })),
  };
}
