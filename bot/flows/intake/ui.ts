/**
 * Small message builders the eligibility, intake and status flows share: a flow reply with buttons laid
 * out in rows, option buttons from a list, and the rendering of an eligibility estimate with its
 * arithmetic, reasons, awards, caveats and citations.
 */
import type { EligibilityResult } from '../../../knowledge/rules/index.ts';
import type { Button, OutgoingMessage } from '../../types.ts';

export function reply(text: string, buttons?: Button[][]): OutgoingMessage {
  return { text, ...(buttons && buttons.length ? { buttons } : {}), meta: { kind: 'flow' } };
}

export function inRows(buttons: Button[], perRow = 3): Button[][] {
  const out: Button[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) out.push(buttons.slice(i, i + perRow));
  return out;
}

/** The estimate as the user reads it: verdict, amount, arithmetic, why, what else, caveats; citations attached. */
export function renderEstimate(r: EligibilityResult): OutgoingMessage {
  const lines: string[] = ['**资格测算结果**'];
  if (r.status === 'out_of_scope') lines.push('❌ 不在本次试点补助范围内。');
  else if (r.inScope) lines.push(`✅ 属于试点范围${r.region?.focus ? '（重点实施地区）' : r.region ? '（同步推进地区）' : ''}：${r.region?.name ?? ''} · ${r.industry ?? ''}`);
  if (r.status === 'estimate' && r.subsidyCap !== null) lines.push(`数字化改造补助上限：**${r.subsidyCap}万元**`);
  if (r.status === 'no_subsidy') lines.push('数字化改造补助：**0万元**（目标等级低于补助门槛）');
  if (r.arithmetic) lines.push(`计算：${r.arithmetic}`);
  if (r.reasons.length) lines.push('', '说明：', ...r.reasons.map((x) => `· ${x}`));
  if (r.awards.length) {
    lines.push('', '另可争取的一次性奖励（需另行评选认定，不与上面金额自动叠加）：');
    for (const a of r.awards) lines.push(`· ${a.name}：${a.upTo ? '最高' : ''}${a.amount}万元（条件：${a.condition}）`);
  }
  if (r.missing.length) lines.push('', `还需要：${r.missing.map((m) => m.label).join('、')}`);
  if (r.status !== 'out_of_scope') lines.push('', ...r.notes.map((n) => `⚠️ ${n}`));
  return { text: lines.join('\n'), citations: r.citations, meta: { kind: 'flow' } };
}
