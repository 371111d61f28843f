/**
 * 资格测算 in chat: collects the facts the calculator needs — asking only for what the user has not said
 * yet, in any order and in free form ("永康的，做电钻", "去年产值八千万", "投入120万", "规上") — then shows
 * the deterministic estimate with its arithmetic and clauses. The state is the facts gathered so far, so
 * a restart resumes with nothing asked twice.
 */
import { regionNames } from '../../../knowledge/parse/index.ts';
import { MISSING_LABELS, type Eligibility, type MissingFact } from '../../../knowledge/rules/index.ts';
import type { Button, Flow, FlowResult, IncomingMessage, OutgoingMessage } from '../../types.ts';
import { inRows, renderEstimate, reply } from '../intake/ui.ts';
import { extractFacts, type EligibilityFacts } from './extract.ts';

export interface EligibilityState {
  facts: EligibilityFacts;
  asking: MissingFact['field'] | null;
  /** Unparseable answers in a row, to rephrase the question instead of repeating it. */
  misses: number;
}

export function eligibilityFlow(eligibility: Eligibility): Flow<EligibilityState> {
  const pack = eligibility.pack;
  const outsideLabel = `${pack.manifest.city}以外`;
  const industryNames = pack.industries.industries.map((i) => i.name);

  function question(field: MissingFact['field']): OutgoingMessage {
    const b = (label: string, payload: string): Button => ({ label, payload });
    switch (field) {
      case 'region':
        return reply('企业注册在哪个区县？（可直接输入，如“永康的”）', inRows([...regionNames(pack.regions).map((n) => b(n, `region:${n}`)), b(outsideLabel, 'region:outside')], 3));
      case 'industry':
        return reply(`企业属于哪个行业？（可直接说主要产品，如“做电钻”）`, inRows([...industryNames.map((n) => b(n, `industry:${n}`)), b('其他行业', 'industry:other')], 2));
      case 'scale':
        return reply(`企业是规上还是规下？（规上指年主营业务收入${eligibility.rules.scale.aboveScaleMinRevenue}万元及以上；也可以直接告诉我上年营收，如“营收八千万”）`, [[b('规上', 'scale:aboveScale'), b('规下', 'scale:belowScale')]]);
      case 'targetLevel':
        return reply('改造后目标达到数字化水平几级？', [[b('二级', 'level:2'), b('三级', 'level:3'), b('四级', 'level:4')], [b('一级', 'level:1')]]);
      case 'investment':
        return reply('数字化改造预计实际投入多少？（如“120万”“1.2亿”；只写数字按万元计）');
      case 'year':
        return reply(
          '补助按试点实施期（自批复日起）计算，项目主要投入在第几年？',
          [eligibility.rules.retrofitSubsidy.yearRates.map((y) => b(`第${y.year === 1 ? '一' : y.year === 2 ? '二' : y.year}年（${y.percent}%）`, `year:${y.year}`))],
        );
    }
  }

  function fromPayload(payload: string, facts: EligibilityFacts): boolean {
    const [key, value] = [payload.slice(0, payload.indexOf(':')), payload.slice(payload.indexOf(':') + 1)];
    if (key === 'region') facts.region = value === 'outside' ? outsideLabel : value;
    else if (key === 'industry') facts.industry = value === 'other' ? '其他行业' : value;
    else if (key === 'scale' && (value === 'aboveScale' || value === 'belowScale')) facts.scale = value;
    else if (key === 'level') facts.targetLevel = Number(value);
    else if (key === 'year') facts.year = Number(value);
    else return false;
    return true;
  }

  function advance(state: EligibilityState, heard: boolean): FlowResult<EligibilityState> {
    let result;
    try {
      result = eligibility.assess(state.facts);
    } catch {
      // A fact that cannot be used (should not happen: facts come from the parsers) is dropped and re-asked.
      return { state: { ...state, asking: null }, replies: [reply('这个信息我没法使用，请换一种说法。')] };
    }
    if (result.status === 'needs_info') {
      const next = result.missing[0]!.field;
      const replies: OutgoingMessage[] = [];
      if (!heard && state.asking === next) replies.push(reply(`没有看懂，请再说一次${MISSING_LABELS[next]}，或点下面的按钮。`));
      replies.push(question(next));
      return { state: { facts: state.facts, asking: next, misses: heard ? 0 : state.misses + 1 }, replies };
    }
    return {
      state: null,
      replies: [
        renderEstimate(result),
        reply('需要的话可以重新测算，或直接开始申报诊断。', [[{ label: '重新测算', payload: '/menu eligibility' }, { label: '申报诊断', payload: '/menu intake' }]]),
      ],
    };
  }

  function hear(state: EligibilityState, input: IncomingMessage): boolean {
    if (input.payload) return fromPayload(input.payload, state.facts);
    if (!input.text) return false;
    const facts = extractFacts(input.text, pack, state.asking ?? undefined);
    // An unknown place typed for the region question is kept as named, so the answer can say it is outside.
    if (state.asking === 'region' && !facts.region && /[市县区省]$/.test(input.text.trim()) && input.text.trim().length <= 12) facts.region = input.text.trim().replace(/的$/, '');
    const before = JSON.stringify(state.facts);
    Object.assign(state.facts, facts);
    return JSON.stringify(state.facts) !== before;
  }

  return {
    id: 'eligibility',
    version: 1,
    menuLabel: '资格测算',
    commands: ['eligibility', 'cesuan'],
    matches: (_ctx, text) => /资格测算|补助测算|能(补|拿|领)多少/.test(text),
    async start(_ctx, input) {
      const state: EligibilityState = { facts: {}, asking: null, misses: 0 };
      const intro = reply('好的，我来帮您测算能否参加试点、改造补助最多多少。可以一次说清，例如“永康的，做电钻，规上，目标三级，投入120万”。');
      const text = input.text && !input.text.startsWith('/') ? input.text : undefined;
      if (text) hear(state, { ...input, payload: undefined });
      const r = advance(state, true);
      return { state: r.state, replies: Object.keys(state.facts).length ? r.replies : [intro, ...r.replies] };
    },
    async step(_ctx, state, input) {
      const next = { ...state, facts: { ...state.facts } };
      return advance(next, hear(next, input));
    },
    restore(raw) {
      const s = raw as EligibilityState;
      return s && typeof s === 'object' && s.facts && typeof s.facts === 'object' ? { facts: s.facts, asking: s.asking ?? null, misses: s.misses ?? 0 } : null;
    },
  };
}
