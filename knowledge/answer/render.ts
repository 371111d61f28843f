/**
 * Turns evidence into the reply text users read: the direct sentence first, then any date note, then the
 * verbatim quote(s), then the citations (《document》 section path). English replies frame the same
 * evidence in English — the quote stays Chinese, glossed with the pack glossary — because a translation
 * of policy text we cannot check is worse than the original. Abstentions offer the menu and a human.
 */
import type { Citation, Lang } from '../types.ts';
import type { Evidence } from './extractive.ts';
import type { Glossary } from './glossary.ts';

export function citeLine(c: Citation, lang: Lang): string {
  const doc = `《${c.document}》`;
  const section = c.section ? ` ${c.section}` : '';
  if (c.kind === 'faq') return lang === 'en' ? `${doc}${section} (curated answer)` : `${doc}${section}（人工审核答复）`;
  return `${doc}${section}`;
}

function endSentence(s: string): string {
  return /[。！？.!?]$/.test(s) ? s : `${s}。`;
}

function quoteBlock(citations: Citation[], lang: Lang): string {
  const label = lang === 'en' ? 'Original text (Chinese):' : '原文：';
  const srcLabel = lang === 'en' ? 'Source:' : '出处：';
  if (citations.length === 1) {
    const c = citations[0]!;
    const source = `${srcLabel}${lang === 'en' ? ' ' : ''}${citeLine(c, lang)}`;
    return c.quote ? `${label}“${c.quote}”\n${source}` : source;
  }
  const quotes = citations.map((c, i) => `[${i + 1}] “${c.quote}”`).join('\n');
  const sources = citations.map((c, i) => `[${i + 1}] ${citeLine(c, lang)}`).join('\n');
  return `${label}\n${quotes}\n${srcLabel}\n${sources}`;
}

function yuan(figure: string): string | undefined {
  const m = figure.match(/^(\d+(?:\.\d+)?)万元?$/);
  return m ? `${(Number(m[1]) * 1e4).toLocaleString('en-US')} yuan` : undefined;
}

export interface RenderInput {
  evidence: Evidence[];
  lang: Lang;
  /** Date notes: they lead the reply, since "还能申请吗" is answered by the period's status first. */
  notes: string[];
  glossary: Glossary;
}

export function renderExtractive({ evidence, lang, notes, glossary }: RenderInput): string {
  const first = evidence[0]!;
  const citations = evidence.map((e) => e.citation);
  const parts: string[] = [...notes];
  if (lang === 'en') {
    const where = first.citation.section ? ` (${first.citation.section})` : '';
    const figure = first.figure ? ` The figure is ${first.figure}${yuan(first.figure) ? ` (${yuan(first.figure)})` : ''}.` : '';
    parts.push(`According to ${glossary.documentTitle(first.citation.documentId) ?? `《${first.citation.document}》`}${where}: ${endSentence(first.direct)}${figure}`);
    const terms = glossary.gloss(evidence.map((e) => e.direct).join(' '));
    if (terms.length) parts.push(`Terms: ${terms.map((t) => `${t.zh} = ${t.en}`).join('; ')}.`);
  } else {
    parts.push(endSentence(first.direct));
    for (const e of evidence.slice(1)) if (e.direct) parts.push(endSentence(e.direct));
  }
  return `${parts.join('\n')}\n\n${quoteBlock(citations, lang)}`;
}

export function renderAbstention(lang: Lang, reason: 'no_basis' | 'out_of_scope' | 'empty'): string {
  if (lang === 'en')
    return `${reason === 'empty' ? 'I could not find a question in your message.' : 'I found no basis for an answer in the loaded policy documents, so I will not guess.'}\nYou can: 1) open the main menu to see what I can help with, or 2) ask for a human officer (handoff).`;
  const lead =
    reason === 'empty'
      ? '没有识别到您的问题。'
      : reason === 'out_of_scope'
        ? '这个问题不在本试点政策的范围内，在已加载的政策文件中没有找到依据，我不作推测。'
        : '在已加载的政策文件中没有找到可以回答这个问题的依据，我不作推测。';
  return `${lead}\n您可以：1. 查看主菜单，了解我能解答的问题；2. 转人工，由工作人员为您解答。`;
}

export function renderFaq(answer: string, citation: Citation, lang: Lang): string {
  const head = lang === 'en' ? 'Curated answer:' : '【人工审核答复】';
  return `${head}${lang === 'en' ? ' ' : ''}${answer}\n\n${quoteBlock([citation], lang)}`;
}
