/**
 * The intake's questions, in order: how each is asked, how an answer (typed or pressed) is validated
 * into a value, and how that value reads in the summary. Multi-select questions (systems, pain points)
 * toggle options by button and take free text as extra items; the self-assessment is its own sub-flow
 * (assessment.ts). Validation messages are the retry prompts.
 */
import type { Pack } from '../../../knowledge/index.ts';
import {
  parseAmount,
  parseIndustry,
  parseLevel,
  parseMobile,
  parseRegion,
  parseScale,
  parseSrdi,
  parseUscc,
  parseYesNo,
  regionNames,
  type Parsed,
} from '../../../knowledge/parse/index.ts';
import type { Button, OutgoingMessage } from '../../types.ts';
import type { IntakeConfig } from './config.ts';
import { inRows, reply } from './ui.ts';

export const FIELD_ORDER = [
  'companyName',
  'uscc',
  'contactName',
  'mobile',
  'region',
  'industry',
  'scale',
  'revenue',
  'output',
  'srdi',
  'systems',
  'painPoints',
  'assessment',
  'investment',
  'targetLevel',
  'consent',
] as const;
export type FieldId = (typeof FIELD_ORDER)[number];

export interface Option {
  id: string;
  label: string;
}

export interface MultiValue {
  selected: string[];
  other: string[];
}

export interface FieldDef {
  id: FieldId;
  label: string;
  /** Words users say after 修改 to jump here ("修改电话"). */
  aliases: string[];
  kind: 'text' | 'choice' | 'multi' | 'assessment';
  ask(ctx: AskContext): OutgoingMessage;
  /** Text or button data → value; not used for multi/assessment. */
  parse?(input: { text?: string; payload?: string }, ctx: AskContext): Parsed<unknown>;
  display(value: unknown, ctx: AskContext): string;
}

export interface AskContext {
  pack: Pack;
  config: IntakeConfig;
  answers: Record<string, unknown>;
  /** Pain-point options for the chosen industry (from the N+X list). */
  painOptions: Option[];
}

const b = (label: string, payload: string): Button => ({ label, payload });
const wan = (v: unknown) => (typeof v === 'number' ? `${v}万元` : '—');
const LEVEL = ['', '一级', '二级', '三级', '四级'];
const SRDI: Record<string, string> = { none: '否', srdi: '专精特新中小企业', littleGiant: '专精特新“小巨人”企业' };

function text(min: number, max: number, what: string) {
  return (input: { text?: string }): Parsed<string> => {
    const t = (input.text ?? '').trim().replace(/\s+/g, ' ');
    if (!t) return { ok: false, error: `请输入${what}。` };
    if ([...t].length < min) return { ok: false, error: `${what}太短了，请输入完整的${what}。` };
    if ([...t].length > max) return { ok: false, error: `${what}太长了（最多${max}个字），请检查后重新输入。` };
    return { ok: true, value: t };
  };
}

function money(what: string) {
  return (input: { text?: string }): Parsed<number> => {
    const r = parseAmount(input.text ?? '', { bareUnit: 'wan' });
    if (!r.ok) return { ok: false, error: `${r.error}（${what}，只写数字按万元计）` };
    return { ok: true, value: r.value.wan };
  };
}

function fromPayload<T>(input: { text?: string; payload?: string }, key: string, map: (v: string) => T | undefined): T | undefined {
  if (!input.payload?.startsWith(key + ':')) return undefined;
  return map(input.payload.slice(key.length + 1));
}

export function multiDisplay(value: unknown, options: Option[]): string {
  const v = value as MultiValue | undefined;
  if (!v) return '—';
  const names = [...v.selected.map((id) => options.find((o) => o.id === id)?.label ?? id), ...v.other];
  return names.length ? names.join('、') : '无';
}

export function buildFields(): Record<FieldId, FieldDef> {
  const defs: FieldDef[] = [
    {
      id: 'companyName',
      label: '企业名称',
      aliases: ['企业名称', '公司名称', '名称', '企业', '公司'],
      kind: 'text',
      ask: () => reply('请输入企业全称（与营业执照一致）：'),
      parse: text(4, 60, '企业全称'),
      display: (v) => String(v),
    },
    {
      id: 'uscc',
      label: '统一社会信用代码',
      aliases: ['统一社会信用代码', '信用代码', '代码', '社会信用代码'],
      kind: 'text',
      ask: () => reply('请输入18位统一社会信用代码（营业执照左上角）：'),
      parse: (input) => {
        const r = parseUscc(input.text ?? '');
        return r.ok ? { ok: true, value: r.value.code } : r;
      },
      display: (v) => String(v),
    },
    {
      id: 'contactName',
      label: '联系人',
      aliases: ['联系人', '姓名', '联系人姓名'],
      kind: 'text',
      ask: () => reply('请输入联系人姓名：'),
      parse: text(2, 20, '联系人姓名'),
      display: (v) => String(v),
    },
    {
      id: 'mobile',
      label: '联系电话',
      aliases: ['电话', '手机', '手机号', '联系电话', '号码'],
      kind: 'text',
      ask: () => reply('请输入联系人手机号码：'),
      parse: (input) => parseMobile(input.text ?? ''),
      display: (v) => String(v),
    },
    {
      id: 'region',
      label: '所在区县',
      aliases: ['区县', '地区', '所在地', '所在区县', '区域'],
      kind: 'choice',
      ask: ({ pack }) => reply('企业注册在哪个区县？', inRows(regionNames(pack.regions).map((n) => b(n, `region:${n}`)), 3)),
      parse: (input, { pack }) => {
        const picked = fromPayload(input, 'region', (v) => v);
        const r = parseRegion(picked ?? input.text ?? '', pack.regions);
        return r.ok ? { ok: true, value: r.value.name } : { ok: false, error: `${r.error}（本次申报面向${pack.manifest.city}企业）` };
      },
      display: (v) => String(v),
    },
    {
      id: 'industry',
      label: '所属行业',
      aliases: ['行业', '所属行业'],
      kind: 'choice',
      ask: ({ pack }) => reply('企业属于哪个试点行业？（也可以说主要产品）', inRows(pack.industries.industries.map((i) => b(i.name, `industry:${i.id}`)), 3)),
      parse: (input, { pack }) => {
        const id = fromPayload(input, 'industry', (v) => v);
        const byId = id ? pack.industries.industries.find((i) => i.id === id) : undefined;
        if (byId) return { ok: true, value: byId.id };
        const r = parseIndustry(input.text ?? '', pack.industries);
        return r.ok ? { ok: true, value: r.value.id } : r;
      },
      display: (v, { pack }) => pack.industries.industries.find((i) => i.id === v)?.name ?? String(v),
    },
    {
      id: 'scale',
      label: '企业规模',
      aliases: ['规模', '企业规模', '规上', '规下'],
      kind: 'choice',
      ask: () => reply('企业是规上还是规下？（规上：年主营业务收入2000万元及以上）', [[b('规上', 'scale:aboveScale'), b('规下', 'scale:belowScale')]]),
      parse: (input) => {
        const v = fromPayload(input, 'scale', (x) => (x === 'aboveScale' || x === 'belowScale' ? x : undefined));
        return v ? { ok: true, value: v } : parseScale(input.text ?? '');
      },
      display: (v) => (v === 'aboveScale' ? '规上' : '规下'),
    },
    {
      id: 'revenue',
      label: '上年主营业务收入',
      aliases: ['营收', '收入', '主营业务收入', '营业收入', '销售额'],
      kind: 'text',
      ask: () => reply('上年主营业务收入是多少？（如“8000万”“1.2亿”）'),
      parse: money('上年主营业务收入'),
      display: wan,
    },
    {
      id: 'output',
      label: '上年工业总产值',
      aliases: ['产值', '工业产值', '总产值'],
      kind: 'text',
      ask: () => reply('上年工业总产值是多少？（如“八千万”“1.5亿”）'),
      parse: money('上年工业总产值'),
      display: wan,
    },
    {
      id: 'srdi',
      label: '专精特新',
      aliases: ['专精特新', '小巨人', '资质'],
      kind: 'choice',
      ask: () => reply('企业是否为专精特新企业？', [[b('专精特新“小巨人”', 'srdi:littleGiant'), b('专精特新中小企业', 'srdi:srdi')], [b('都不是', 'srdi:none')]]),
      parse: (input) => {
        const v = fromPayload(input, 'srdi', (x) => (x in SRDI ? x : undefined));
        return v ? { ok: true, value: v } : parseSrdi(input.text ?? '');
      },
      display: (v) => SRDI[String(v)] ?? String(v),
    },
    {
      id: 'systems',
      label: '已有系统',
      aliases: ['系统', '已有系统', '信息系统', '软件'],
      kind: 'multi',
      ask: () => reply('企业目前在用哪些系统？（可多选，点完按“完成”；其他系统可直接输入）'),
      display: (v, { config }) => multiDisplay(v, config.systems),
    },
    {
      id: 'painPoints',
      label: '主要痛点/需求',
      aliases: ['痛点', '需求', '问题', '改造需求'],
      kind: 'multi',
      ask: () => reply('企业最想解决哪些问题？（选自本行业“N+X”起步清单，可多选，点完按“完成”；也可以直接输入）'),
      display: (v, { painOptions }) => multiDisplay(v, painOptions),
    },
    {
      id: 'assessment',
      label: '数字化水平自评',
      aliases: ['自评', '评估', '数字化水平', '预评估'],
      kind: 'assessment',
      ask: () => reply('接下来是数字化水平自评（依据国家《中小企业数字化水平评测指标（2024年版）》，约18题，都是点选）。', [[b('开始自评', 'assess:start'), b('跳过自评', 'assess:skip')]]),
      display: (v) => {
        const a = v as { skipped?: boolean; label?: string; score?: number } | undefined;
        if (!a) return '—';
        return a.skipped ? '已跳过' : `${a.label}（${a.score}分，预评估，仅供参考，以现场评定为准）`;
      },
    },
    {
      id: 'investment',
      label: '计划投入',
      aliases: ['投入', '投资', '计划投入', '预算'],
      kind: 'text',
      ask: () => reply('数字化改造计划投入多少？（如“120万”）'),
      parse: (input) => {
        const r = money('计划投入')(input);
        if (r.ok && r.value <= 0) return { ok: false, error: '计划投入应大于0。' };
        return r;
      },
      display: wan,
    },
    {
      id: 'targetLevel',
      label: '目标等级',
      aliases: ['目标', '目标等级', '等级'],
      kind: 'choice',
      ask: () => reply('改造后目标达到数字化水平几级？', [[b('二级', 'level:2'), b('三级', 'level:3'), b('四级', 'level:4')]]),
      parse: (input) => {
        const v = fromPayload(input, 'level', (x) => Number(x));
        const r = v ? ({ ok: true, value: v } as Parsed<number>) : parseLevel(input.text ?? '');
        if (r.ok && r.value < 2) return { ok: false, error: '试点要求改造后达到二级及以上，请选择二级、三级或四级。' };
        return r;
      },
      display: (v) => LEVEL[Number(v)] ?? String(v),
    },
    {
      id: 'consent',
      label: '数据使用授权',
      aliases: ['授权', '同意', '数据授权'],
      kind: 'choice',
      ask: ({ config }) => reply(config.consent.text, [[b('同意', 'consent:yes'), b('不同意', 'consent:no')]]),
      parse: (input) => {
        const v = fromPayload(input, 'consent', (x) => x === 'yes');
        const r = v !== undefined ? ({ ok: true, value: v } as Parsed<boolean>) : parseYesNo(input.text ?? '');
        return r;
      },
      display: (v) => (v ? '已同意' : '未同意'),
    },
  ];
  return Object.fromEntries(defs.map((d) => [d.id, d])) as Record<FieldId, FieldDef>;
}

/** The field a "修改…" request names, if any ("修改电话" → mobile). Longest alias wins. */
export function fieldForEdit(text: string, fields: Record<FieldId, FieldDef>): FieldId | null {
  const m = text.trim().match(/^(?:修改|更改|改一下|改|重填|重新填写?)\s*(.+)$/);
  if (!m) return null;
  const want = m[1].replace(/[。！!？?]$/, '');
  let best: { id: FieldId; len: number } | null = null;
  for (const f of Object.values(fields))
    for (const a of [f.label, ...f.aliases]) if (want.includes(a) && (!best || a.length > best.len)) best = { id: f.id, len: a.length };
  return best?.id ?? null;
}
