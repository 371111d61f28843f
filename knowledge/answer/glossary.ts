/**
 * The pack's small bilingual glossary (glossary.json): it turns an English question into the Chinese
 * programme terms retrieval needs, and glosses the Chinese terms in an answer for English readers. It is
 * pack data, not a translation service: words it does not know are reported, so an English question about
 * something the glossary cannot map (another city, an unrelated topic) lowers retrieval confidence instead
 * of being silently dropped.
 */
import { z } from 'zod';
import type { Pack } from '../pack/index.ts';

const GlossarySchema = z.object({
  documentTitles: z.record(z.string(), z.string()).default({}),
  terms: z.array(z.object({ zh: z.string(), en: z.array(z.string()).min(1) })),
  englishStopWords: z.array(z.string()).default([]),
  /** Colloquial Chinese → the policy's own wording ("最多" → "最高"), applied to the searched query. */
  synonyms: z.array(z.object({ canonical: z.string(), variants: z.array(z.string()) })).default([]),
  /** Extra programme words the tokenizer must keep whole. */
  dictionary: z.array(z.string()).default([]),
});

export interface EnglishQuery {
  /** The Chinese programme terms found, joined with spaces, for retrieval. */
  query: string;
  /** English content words the glossary could not map. */
  unknown: string[];
  /** Capitalised words mid-sentence the glossary does not know: names of other places or bodies. */
  unknownNames: string[];
  known: number;
}

export interface Glossary {
  toChinese(english: string): EnglishQuery;
  /** The glossary terms that occur in a Chinese text, for an English reader. */
  gloss(chinese: string): Array<{ zh: string; en: string }>;
  documentTitle(documentId: string | undefined): string | undefined;
  /** Colloquial variants and the policy's own term for each ("最多" → "最高"). */
  synonymPairs(): Array<{ variant: string; canonical: string }>;
  /** Every Chinese programme term the glossary knows (for the tokenizer's dictionary). */
  chineseTerms(): string[];
}

// Capitalised words that are document parts or programme jargon, not names of places.
const NOT_NAMES = new Set(['table', 'article', 'clause', 'section', 'annex', 'appendix', 'level', 'phase', 'year', 'sme', 'smes', 'srdi', 'miit', 'china', 'chinese', 'rmb', 'cny', 'n', 'x']);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function loadGlossary(pack: Pack): Glossary {
  const data = pack.hasSection('glossary') ? pack.section('glossary', GlossarySchema) : { documentTitles: {}, terms: [], englishStopWords: [], synonyms: [], dictionary: [] };
  const stop = new Set(data.englishStopWords.map((w) => w.toLowerCase()));
  // Longest English phrase first, so "pilot project" wins over "pilot".
  const phrases = data.terms
    .flatMap((t) => t.en.map((en) => ({ en: en.toLowerCase(), zh: t.zh })))
    .sort((a, b) => b.en.length - a.en.length);
  const patterns = phrases.map((p) => ({ ...p, re: new RegExp(`(?<![a-z0-9])${escape(p.en)}(?![a-z0-9])`, 'g') }));
  const byZh = [...data.terms].sort((a, b) => b.zh.length - a.zh.length);
  return {
    toChinese(english) {
      const original = english.replace(/[’‘]/g, "'");
      let rest = original.toLowerCase();
      const found: string[] = [];
      for (const p of patterns) {
        if (!p.re.test(rest)) continue;
        p.re.lastIndex = 0;
        rest = rest.replace(p.re, () => {
          found.push(p.zh);
          return ' ';
        });
      }
      // Numbers and years survive as themselves ("2025" → 2025年 matters for table columns).
      const numbers = rest.match(/\d{4}(?=\D|$)/g)?.map((y) => `${y}年`) ?? [];
      const words = (rest.match(/[a-z][a-z'-]*/g) ?? []).filter((w) => !stop.has(w) && w.length > 1);
      const unknownSet = new Set(words);
      const unknownNames = [...original.matchAll(/(?<![.!?]\s*|^\s*)(?<=\s)([A-Z][a-z]+)/g)]
        .map((m) => m[1]!)
        .filter((w) => unknownSet.has(w.toLowerCase()) && !NOT_NAMES.has(w.toLowerCase()));
      return { query: [...found, ...numbers].join(' '), unknown: words, unknownNames, known: found.length + numbers.length };
    },
    gloss(chinese) {
      const out: Array<{ zh: string; en: string }> = [];
      let rest = chinese;
      for (const t of byZh) {
        if (!rest.includes(t.zh)) continue;
        out.push({ zh: t.zh, en: t.en[0]! });
        rest = rest.split(t.zh).join(' ');
      }
      return out;
    },
    documentTitle: (id) => (id ? data.documentTitles[id] : undefined),
    chineseTerms: () => [...data.terms.map((t) => t.zh), ...data.synonyms.map((s) => s.canonical), ...(data.dictionary ?? [])],
    synonymPairs: () => data.synonyms.flatMap((x) => x.variants.map((variant) => ({ variant, canonical: x.canonical }))),
  };
}
