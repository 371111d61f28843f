/**
 * The self-assessment inside the intake: the national question bank asked one question at a time (single
 * choice by button; multi-choice by toggling and "完成"; letters may be typed), then three multi-selects
 * over the 16 scenes (一级 → 二级 → 三级, each offering only the scenes picked before), then a
 * deterministic preliminary level. Cursor names ('assessment.q:1.1', 'assessment.s:2') are stored in the
 * draft, so a restart resumes at the same question.
 */
import { scoreAssessment, type AssessmentBank, type AssessmentResult } from '../../../knowledge/rules/index.ts';
import { toHalfWidth } from '../../../knowledge/parse/index.ts';
import type { Button, OutgoingMessage } from '../../types.ts';
import { inRows, reply } from './ui.ts';

export const ASSESS_INTRO = 'assessment';
const Q = 'assessment.q:';
const S = 'assessment.s:';

export function isAssessmentCursor(cursor: string): boolean {
  return cursor === ASSESS_INTRO || cursor.startsWith(Q) || cursor.startsWith(S);
}

export function firstQuestion(bank: AssessmentBank): string {
  return Q + bank.questions[0]!.id;
}

/** The cursor after this one inside the assessment, or null when the assessment is complete. */
export function nextAssessmentCursor(bank: AssessmentBank, cursor: string): string | null {
  if (cursor === ASSESS_INTRO) return firstQuestion(bank);
  if (cursor.startsWith(Q)) {
    const i = bank.questions.findIndex((q) => Q + q.id === cursor);
    const next = bank.questions[i + 1];
    if (next) return Q + next.id;
    return bank.sceneQuestions[0] ? S + bank.sceneQuestions[0].level : null;
  }
  const i = bank.sceneQuestions.findIndex((s) => S + s.level === cursor);
  const next = bank.sceneQuestions[i + 1];
  return next ? S + next.level : null;
}

export interface Choice {
  id: string;
  label: string;
}

/** The options at this cursor (scene questions offer only the scenes picked at the level before). */
export function choicesAt(bank: AssessmentBank, cursor: string, answers: Record<string, unknown>): { multi: boolean; title: string; choices: Choice[]; zeroId?: string } {
  if (cursor.startsWith(Q)) {
    const q = bank.questions.find((x) => Q + x.id === cursor)!;
    const zero = q.type === 'multi' ? q.options.find((o) => o.points === 0) : undefined;
    return { multi: q.type === 'multi', title: `【${q.dimension}·${q.short}】${q.title}`, choices: q.options.map((o) => ({ id: o.id, label: o.label })), zeroId: zero?.id };
  }
  const k = bank.sceneQuestions.findIndex((s) => S + s.level === cursor);
  const sq = bank.sceneQuestions[k]!;
  const prev = k > 0 ? ((answers[S + bank.sceneQuestions[k - 1]!.level] as string[] | undefined) ?? []) : null;
  const scenes = bank.scenes.filter((s) => prev === null || prev.includes(s.name));
  return { multi: true, title: sq.title, choices: scenes.map((s) => ({ id: s.name, label: s.name })) };
}

function short(label: string, max = 12): string {
  return [...label].length > max ? [...label].slice(0, max - 1).join('') + '…' : label;
}

export function askAssessment(bank: AssessmentBank, cursor: string, answers: Record<string, unknown>, selected: string[]): OutgoingMessage {
  const { multi, title, choices } = choicesAt(bank, cursor, answers);
  const index = cursor.startsWith(Q) ? bank.questions.findIndex((q) => Q + q.id === cursor) + 1 : bank.questions.length + bank.sceneQuestions.findIndex((s) => S + s.level === cursor) + 1;
  const total = bank.questions.length + bank.sceneQuestions.length;
  const isScene = cursor.startsWith(S);
  const lines = [`自评 ${index}/${total}：${title}`];
  if (!isScene) lines.push(...choices.map((c) => `${c.id}. ${c.label}`));
  if (multi) lines.push(isScene ? '（点选后按“完成”；都没有直接按“完成”）' : '（可多选，点选后按“完成”；也可直接输入字母，如“B C”）');
  const buttons: Button[] = choices.map((c) => ({ label: `${selected.includes(c.id) ? '✅ ' : ''}${isScene ? c.label : `${c.id} ${short(c.label)}`}`, payload: `opt:${c.id}` }));
  const rows = inRows(buttons, isScene ? 4 : 2);
  if (multi) rows.push([{ label: '完成', payload: 'done' }]);
  return reply(lines.join('\n'), rows);
}

/** Toggles one option of a multi-select; the zero-point "无" option excludes the others. */
export function toggle(selected: string[], id: string, zeroId?: string): string[] {
  if (selected.includes(id)) return selected.filter((x) => x !== id);
  if (zeroId && id === zeroId) return [id];
  return [...selected.filter((x) => x !== zeroId), id];
}

/** Letters typed for a question ("B C", "bce", "Ｂ、Ｃ") → option ids, or an error. */
export function lettersFromText(text: string, choices: Choice[], multi: boolean): { ok: true; ids: string[] } | { ok: false; error: string } {
  const s = toHalfWidth(text).toUpperCase().replace(/[\s,，、;；.。]/g, '');
  const byLabel = choices.find((c) => c.label === text.trim());
  if (byLabel) return { ok: true, ids: [byLabel.id] };
  if (!s || !/^[A-Z]+$/.test(s)) return { ok: false, error: '请点选按钮，或输入选项字母（如“B”）。' };
  const ids = [...new Set(s.split(''))];
  const bad = ids.filter((id) => !choices.some((c) => c.id === id));
  if (bad.length) return { ok: false, error: `没有选项 ${bad.join('、')}，请重新选择。` };
  if (!multi && ids.length > 1) return { ok: false, error: '这道题只能选一项。' };
  return { ok: true, ids };
}

/** Scores the stored sub-answers. */
export function finishAssessment(bank: AssessmentBank, answers: Record<string, unknown>): AssessmentResult {
  const qa: Record<string, string[]> = {};
  for (const q of bank.questions) qa[q.id] = (answers[Q + q.id] as string[] | undefined) ?? [];
  const scenes: Record<string, number> = {};
  for (const sq of bank.sceneQuestions) for (const name of (answers[S + sq.level] as string[] | undefined) ?? []) scenes[name] = Math.max(scenes[name] ?? 0, sq.level);
  return scoreAssessment(bank, { answers: qa, scenes });
}

export function renderAssessmentResult(r: AssessmentResult): OutgoingMessage {
  return reply([`**自评结果：${r.label}**（${r.disclaimer}）`, ...r.explanation.map((x) => `· ${x}`)].join('\n'));
}
