/**
 * Rewrites a follow-up ("那三级呢？", "第二年呢？", "东阳呢？", "what about level 3?") into a standalone
 * question using the previous user turns, before retrieval. A follow-up names a new value for a slot the
 * previous question already had (a digital level, a year of the implementation period, a calendar year, a
 * phase, a region, an industry, the enterprise scale); that value replaces the old one. Regions and
 * industries come from the pack, so a second city's places work without code changes.
 */
import type { HistoryTurn } from '../types.ts';
import type { Pack } from '../pack/index.ts';

interface SlotType {
  name: string;
  /** Finds mentions; `canonical` maps a mention to the form written into the rewritten query. */
  find(text: string): Array<{ mention: string; canonical: string }>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function regexSlot(name: string, re: RegExp, canonical: (m: string) => string = (m) => m): SlotType {
  return { name, find: (text) => [...text.matchAll(re)].map((m) => ({ mention: m[0], canonical: canonical(m[0]) })) };
}

function vocabularySlot(name: string, entries: Array<{ canonical: string; forms: string[] }>): SlotType {
  const forms = entries.flatMap((e) => e.forms.map((f) => ({ form: f, canonical: e.canonical }))).sort((a, b) => b.form.length - a.form.length);
  if (forms.length === 0) return { name, find: () => [] };
  const re = new RegExp(forms.map((f) => escape(f.form)).join('|'), 'g');
  const lookup = new Map(forms.map((f) => [f.form, f.canonical]));
  return regexSlot(name, re, (m) => lookup.get(m) ?? m);
}

const DIGITS: Record<string, string> = { '1': '一', '2': '二', '3': '三', '4': '四', '5': '五' };

export interface FollowUpRewriter {
  /** The standalone question; `question` itself when it is not a follow-up or there is no history. */
  rewrite(question: string, history: HistoryTurn[] | undefined): string;
}

const FOLLOW_UP_ZH = /^(那|那么|那如果|还有|另外|如果是|换成|对于)|[呢]$/;
const FOLLOW_UP_EN = /^(and|what about|how about|and what about|what if)\b/i;
const FILLER = /^(那么|那如果|那|还有|另外|如果是|换成|对于)|(的话)?(呢|怎么样|如何|又是多少|是多少|多少)$/g;

export function createFollowUpRewriter(pack: Pack): FollowUpRewriter {
  const regions = [
    ...pack.regions.regions.map((r) => ({ canonical: r.name, forms: [r.name, ...r.aliases] })),
    ...(pack.regions.cityProper ? [{ canonical: pack.regions.cityProper.name, forms: [pack.regions.cityProper.name, ...pack.regions.cityProper.aliases] }] : []),
  ];
  const industries = pack.industries.industries.map((i) => ({ canonical: i.name, forms: [i.name, ...i.aliases] }));
  const slots: SlotType[] = [
    regexSlot('level', /[一二三四1-4１-４]\s*级|level\s*[1-4]/gi, (m) => {
      const d = m.match(/[一二三四]/)?.[0] ?? DIGITS[String(Number(m.replace(/[^0-9１-４]/g, '').replace(/[１-４]/, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))))];
      return `${d}级`;
    }),
    regexSlot('periodYear', /第\s*[一二三1-3]\s*年|(first|second|third) year/gi, (m) =>
      /first/i.test(m) ? '第一年' : /second/i.test(m) ? '第二年' : /third/i.test(m) ? '第三年' : m.replace(/\s/g, '').replace(/[1-3]/, (d) => DIGITS[d]!),
    ),
    regexSlot('calendarYear', /20\d\d\s*年?/g, (m) => `${m.replace(/\D/g, '')}年`),
    regexSlot('phase', /第\s*[一二1-2]\s*阶段|(first|second) phase|phase\s*[12]/gi, (m) => (/first|1|一/i.test(m) ? '第一阶段' : '第二阶段')),
    regexSlot('scale', /规上|规下|规模以上|规模以下/g, (m) => (m.includes('上') ? '规上' : '规下')),
    vocabularySlot('region', regions),
    vocabularySlot('industry', industries),
  ];
  const findAll = (text: string) => slots.flatMap((s) => s.find(text).map((m) => ({ slot: s.name, ...m })));

  const isFollowUp = (q: string) => {
    const t = q.trim().replace(/[？?。!！\s]+$/, '');
    if (FOLLOW_UP_EN.test(t)) return true;
    if (t.length > 14) return false;
    if (FOLLOW_UP_ZH.test(t)) return true;
    // A bare slot value ("三级？", "东阳") is a follow-up too.
    const rest = findAll(t).reduce((acc, m) => acc.replace(m.mention, ''), t);
    return findAll(t).length > 0 && rest.replace(/[的呢吗\s]/g, '').length === 0;
  };

  const merge = (followUp: string, previous: string): string => {
    const mentions = findAll(followUp);
    let out = previous;
    const unmatched: string[] = [];
    for (const m of mentions) {
      const old = findAll(out).find((o) => o.slot === m.slot);
      if (old) out = out.replace(old.mention, m.canonical);
      else unmatched.push(m.canonical);
    }
    if (mentions.length === 0) {
      const stripped = followUp.trim().replace(/[？?。!！\s]+$/, '').replace(FILLER, '').replace(/^(what about|how about|and what about|and|what if)\s*/i, '').trim();
      if (stripped) unmatched.push(stripped);
    }
    return unmatched.length ? `${out.replace(/[？?。!！\s]+$/, '')} ${unmatched.join(' ')}` : out;
  };

  return {
    rewrite(question, history) {
      const users = (history ?? []).filter((t) => t.role === 'user').map((t) => t.text);
      if (users.length && users[users.length - 1] === question) users.pop();
      if (!users.length || !isFollowUp(question)) return question;
      // Earlier turns may be follow-ups themselves: resolve them in order.
      let standalone = users[0]!;
      for (const u of users.slice(1)) standalone = isFollowUp(u) ? merge(u, standalone) : u;
      return merge(question, standalone);
    },
  };
}
