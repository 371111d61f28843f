/**
 * Whether the pack's policy is in force on a given day, and in which phase. Answers about applying or
 * deadlines must say so as of the injected clock; the dates come from pack.manifest.validity, never code.
 * Days are compared in the pack's timezone, so 2026-09-30 23:30 in Jinhua is still the last day.
 */
import type { Lang } from '../types.ts';
import type { PackManifest } from '../pack/index.ts';

export type ValidityState =
  | { state: 'open'; today: string; until: string; phase?: Phase; phases: Phase[] }
  | { state: 'ended'; today: string; until: string; phases: Phase[] }
  | { state: 'not_started'; today: string; from: string; until: string; phases: Phase[] };

export interface Phase {
  name: string;
  from: string;
  to: string;
}

// Building an Intl.DateTimeFormat costs far more than formatting with one; it runs on every answer.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function localDate(now: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) dateFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(now);
}

export function validityOn(manifest: PackManifest, now: Date): ValidityState {
  const today = localDate(now, manifest.timezone);
  const { until } = manifest.validity;
  const phases = manifest.validity.phases.map((p) => ({ name: p.name, from: p.from, to: p.to }));
  if (today > until) return { state: 'ended', today, until, phases };
  const first = phases[0]?.from;
  if (first && today < first) return { state: 'not_started', today, from: first, until, phases };
  const phase = phases.find((p) => p.from <= today && today <= p.to);
  return { state: 'open', today, until, phase, phases };
}

function zhDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** One or two sentences on the period's status, in the user's language, with the phases. */
export function validityNote(v: ValidityState, lang: Lang, contact?: string): string {
  return `${statusSentence(v, lang, contact)}${phaseSentence(v.phases, lang)}`;
}

function phaseSentence(phases: Phase[], lang: Lang): string {
  if (phases.length === 0) return '';
  if (lang === 'en') return ` Phases: ${phases.map((p) => `${p.name} ${p.from} to ${p.to}`).join('; ')}.`;
  return `实施分${phases.length}个阶段：${phases.map((p) => `${p.name}${zhDate(p.from)}至${zhDate(p.to)}`).join('，')}。`;
}

function statusSentence(v: ValidityState, lang: Lang, contact?: string): string {
  if (lang === 'en') {
    if (v.state === 'ended')
      return `Note: these opinions applied until ${v.until}; as of today (${v.today}) that period has ended, so applications under them are no longer open unless the authorities extend the programme${contact ? ` — please check with ${contact}` : ''}.`;
    if (v.state === 'not_started') return `Note: as of today (${v.today}) the programme period has not started yet (it starts ${v.from} and runs until ${v.until}).`;
    return `Note: as of today (${v.today}) the programme period is still open; it runs until ${v.until}${v.phase ? ` (current phase: ${v.phase.name}, ${v.phase.from} to ${v.phase.to})` : ''}.`;
  }
  if (v.state === 'ended')
    return `请注意：本意见施行至${zhDate(v.until)}止，截至今天（${zhDate(v.today)}）实施期已经结束；期满后是否继续实施由主管部门研究确定${contact ? `，请以${contact}的最新通知为准` : ''}。`;
  if (v.state === 'not_started') return `请注意：截至今天（${zhDate(v.today)}）实施期尚未开始（自${zhDate(v.from)}起，至${zhDate(v.until)}止）。`;
  return `请注意：截至今天（${zhDate(v.today)}）仍在实施期内，本意见施行至${zhDate(v.until)}止${v.phase ? `（当前为${v.phase.name}：${zhDate(v.phase.from)}至${zhDate(v.phase.to)}）` : ''}。`;
}
