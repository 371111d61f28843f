/**
 * Which sentence of the chosen clause leads the answer. Usually the one that shares most with the
 * question, but three kinds of question are answered by a sentence that shares less:
 * - a figure question (amount, ratio, date, count) by a sentence holding a figure of the wanted kind
 *   ("…管理办法…现印发给你们。" / "…2025年9月12日");
 * - a question about one part of a code ("“1+3+N”里的3是什么") by the part that begins with it
 *   ("3个细分行业分别召开专场会");
 * - a question naming no year, put to a clause that lists periods ("1998-2006年…；2007-2010年…；
 *   2011年开始至今…"), by the period in force: the latest one.
 * The caller quotes the best-matching sentence beside the lead, so the user sees both.
 */
import { beginsWithComponent, periodStart, type Cues } from './cues.ts';
import type { Figure } from './figures.ts';
import { wantedFigures, type QuestionKind } from './question.ts';

export interface ScoredSentence {
  sentence: string;
  window: { text: string; figure?: Figure; score: number };
  score: number;
}

export function chooseLead(scored: ScoredSentence[], best: ScoredSentence, q: { question: string; kind: QuestionKind; cues?: Cues }): ScoredSentence {
  const byScore = (xs: ScoredSentence[]) => [...xs].sort((a, b) => b.score - a.score)[0];
  const component = q.cues?.component;
  if (component) {
    const part = byScore(scored.filter((x) => beginsWithComponent(x.sentence, component)));
    if (part) return part;
  }
  if (wantedFigures(q.kind).length && !best.window.figure) {
    const withFigure = byScore(scored.filter((x) => x.window.figure));
    if (withFigure) return withFigure;
  }
  if (!/\d{4}/.test(q.question) && periodStart(best.sentence) !== undefined) {
    const periods = scored.filter((x) => periodStart(x.sentence) !== undefined);
    if (periods.length >= 2) return periods.reduce((a, b) => (periodStart(b.sentence)! > periodStart(a.sentence)! ? b : a));
  }
  return best;
}
