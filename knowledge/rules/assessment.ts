/**
 * The self-assessment of the national 中小企业数字化水平评测指标（2024年版）: the question bank (options and
 * points), the 16 manufacturing scenes and the level thresholds are pack data (assessment.json); scoring
 * here is deterministic. Points are summed in thousandths so 1.875 + 0.7 … is exact. The result is only a
 * preliminary level — the pilot's rating is done on site — and says so.
 */
import { z } from 'zod';
import { ClauseRefSchema, type Pack } from '../pack/index.ts';

export const AssessmentSchema = z.object({
  label: z.string(),
  disclaimer: z.string(),
  source: ClauseRefSchema,
  note: z.string(),
  questions: z
    .array(
      z.object({
        id: z.string(),
        dimension: z.string(),
        title: z.string(),
        short: z.string(),
        type: z.enum(['single', 'multi']),
        options: z.array(z.object({ id: z.string(), label: z.string(), points: z.number().nonnegative() })).min(2),
      }),
    )
    .min(1),
  scenes: z.array(z.object({ category: z.string(), name: z.string(), constrained: z.boolean() })).min(1),
  sceneQuestions: z.array(z.object({ level: z.number().int().min(1).max(4), title: z.string() })),
  levels: z.array(z.object({ level: z.number().int().min(1).max(4), minScore: z.number(), minScenes: z.number().int(), minConstrained: z.number().int(), sceneLevel: z.number().int() })),
  levelsNote: z.string(),
});
export type AssessmentBank = z.infer<typeof AssessmentSchema>;

export interface AssessmentAnswers {
  /** Question id → chosen option ids (one for single-choice). */
  answers: Record<string, string[]>;
  /** Scene name → highest level the enterprise says it reached (0 = none). */
  scenes: Record<string, number>;
}

export interface AssessmentResult {
  score: number;
  byDimension: Record<string, number>;
  /** Scenes at or above each level (1–4), and how many of them are constrained scenes. */
  sceneCounts: { level: number; scenes: number; constrained: number }[];
  /** 0 when not even 一级 is reached. */
  level: 0 | 1 | 2 | 3 | 4;
  label: string;
  disclaimer: string;
  explanation: string[];
}

const LEVEL_LABEL = ['未达一级', '一级', '二级', '三级', '四级'];

export function loadAssessment(pack: Pack): AssessmentBank {
  return pack.section('assessment', AssessmentSchema);
}

/** Validates one answer against the bank: known option ids; "无"-type zero options are exclusive. */
export function checkAnswer(bank: AssessmentBank, questionId: string, optionIds: string[]): string | null {
  const q = bank.questions.find((x) => x.id === questionId);
  if (!q) return `没有这道题：${questionId}`;
  if (optionIds.length === 0) return '请至少选择一项（没有就选“无”）。';
  if (q.type === 'single' && optionIds.length !== 1) return '这道题只能选一项。';
  for (const id of optionIds) if (!q.options.some((o) => o.id === id)) return `没有这个选项：${id}`;
  return null;
}

export function scoreAssessment(bank: AssessmentBank, input: AssessmentAnswers): AssessmentResult {
  const milli = (n: number) => Math.round(n * 1000);
  const byDim = new Map<string, number>();
  for (const q of bank.questions) {
    const chosen = input.answers[q.id] ?? [];
    // Picking "无" together with real options counts only the real ones; a single choice counts once.
    const picked = q.options.filter((o) => chosen.includes(o.id));
    const pts = (q.type === 'single' ? picked.slice(0, 1) : picked).reduce((s, o) => s + milli(o.points), 0);
    byDim.set(q.dimension, (byDim.get(q.dimension) ?? 0) + pts);
  }
  const total = [...byDim.values()].reduce((a, b) => a + b, 0);
  const sceneCounts = [1, 2, 3, 4].map((level) => {
    const at = bank.scenes.filter((s) => (input.scenes[s.name] ?? 0) >= level);
    return { level, scenes: at.length, constrained: at.filter((s) => s.constrained).length };
  });
  const score = total / 1000;
  const explanation: string[] = [`基础得分 ${score} 分（满分100：${[...byDim.entries()].map(([d, v]) => `${d}${v / 1000}`).join('，')}）。`];
  let level: AssessmentResult['level'] = 0;
  for (const rule of [...bank.levels].sort((a, b) => b.level - a.level)) {
    const c = sceneCounts.find((x) => x.level === rule.sceneLevel)!;
    const ok = score >= rule.minScore && c.scenes >= rule.minScenes && c.constrained >= rule.minConstrained;
    if (ok) {
      level = rule.level as AssessmentResult['level'];
      explanation.push(
        `达到${LEVEL_LABEL[rule.level]}条件：得分≥${rule.minScore}，且不少于${rule.minScenes}个场景（其中约束性场景不少于${rule.minConstrained}个）达到${LEVEL_LABEL[rule.sceneLevel]}（您有${c.scenes}个，约束性${c.constrained}个）。`,
      );
      break;
    }
  }
  if (level === 0) explanation.push('按得分和场景情况，暂未达到一级的条件。');
  const next = bank.levels.find((l) => l.level === level + 1);
  if (next) {
    const c = sceneCounts.find((x) => x.level === next.sceneLevel)!;
    const gaps: string[] = [];
    if (score < next.minScore) gaps.push(`得分还差${Math.round((next.minScore - score) * 1000) / 1000}分`);
    if (c.scenes < next.minScenes) gaps.push(`达到${LEVEL_LABEL[next.sceneLevel]}的场景还差${next.minScenes - c.scenes}个`);
    if (c.constrained < next.minConstrained) gaps.push(`其中约束性场景还差${next.minConstrained - c.constrained}个`);
    if (gaps.length) explanation.push(`距${LEVEL_LABEL[next.level]}：${gaps.join('，')}。`);
  }
  explanation.push(bank.levelsNote);
  return {
    score,
    byDimension: Object.fromEntries([...byDim.entries()].map(([d, v]) => [d, v / 1000])),
    sceneCounts,
    level,
    label: `预评估：${LEVEL_LABEL[level]}`,
    disclaimer: bank.disclaimer,
    explanation,
  };
}
