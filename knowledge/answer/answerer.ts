/**
 * The answer pipeline: rewrite a follow-up into a standalone question, drop injected instructions, map
 * English to the pack's Chinese terms, prefer a close curated FAQ answer, refuse out-of-scope questions,
 * retrieve, measure how well the best clause covers the question (the calibrated confidence), abstain
 * below the threshold, and otherwise answer — generatively when an LLM is configured and its answer passes
 * the citation and figure checks, extractively in every other case. Date-sensitive questions get the
 * period's status as of the injected clock.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/index.ts';
import type { Pack } from '../pack/index.ts';
import type { Answer, AnswerContext, Answerer, Citation, DocumentScope, Lang, Retriever, SearchHit } from '../types.ts';
import { questionCues, type Cues } from './cues.ts';
import { extractEvidence, rerank, sectionLabel, type RankedHit } from './extractive.ts';
import { matchFaq, FAQ_MATCH_THRESHOLD } from './faq.ts';
import { createFollowUpRewriter } from './followup.ts';
import { generate, type LlmOptions } from './generative.ts';
import { loadGlossary } from './glossary.ts';
import { buildIdf, normalizeForMatch, questionTerms, type IdfModel, type Tagger } from './overlap.ts';
import { classifyQuestion, detectLang, stripInjection } from './question.ts';
import { renderAbstention, renderExtractive, renderFaq } from './render.ts';
import { createScopeChecker, mentionsAny, type ScopeChecker } from './scope.ts';
import { createVocabulary } from './vocabulary.ts';
import { validityNote, validityOn } from './validity.ts';

/**
 * Calibrated on the dev set plus the out-of-scope set (docs/answers.md): the smallest coverage that keeps
 * every out-of-scope question abstaining while answering the in-scope ones.
 */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.5;

export type AnswerLlm = { kind: 'none' } | ({ kind: 'openai' } & LlmOptions);

/** The slice of the app logger the answerer uses (structural, so knowledge/ never imports console/). */
export interface AnswerLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface AnswererOptions {
  retriever: Retriever;
  pack: Pack;
  /** The knowledge base's tagger (`knowledge.tagger`): one jieba with the pack lexicon for the whole app. */
  tagger: Tagger;
  /** Enables curated FAQ answers. */
  db?: Db;
  llm?: AnswerLlm;
  log?: AnswerLog;
  threshold?: number;
  faqThreshold?: number;
  /** How many hits to retrieve and rerank: retrieval ranks by fused rank, the answer needs the clause. */
  k?: number;
  clock?: () => Date;
}

/** The pieces of an answer decision, exposed for calibration and the console's retrieval tester. */
export interface Assessment {
  question: string;
  rewrittenQuery: string;
  query: string;
  lang: Lang;
  outOfScope?: string;
  confidence: number;
  ranked: RankedHit[];
  /** The question's terms as asked and in the policy's wording (coverage takes the better). */
  terms: string[][];
  /** Other places the question is about (their documents, not this city's, must answer). */
  elsewhere?: string[];
  /** What shows a passage answers the question (counted noun, defined term, the pack's places). */
  cues?: Cues;
}

export interface PackAnswerer extends Answerer {
  /** Retrieval and confidence without composing an answer (calibration, diagnostics). */
  assess(question: string, context?: AnswerContext): Promise<Assessment>;
  readonly threshold: number;
}

// "申请" alone is no topic: 稳岗返还怎么申请 is someone else's programme.
const PROGRAMME_TOPIC = /截止|有效期|期限|试点|补助|奖励|奖补|政策|意见|实施期|施行|数字化|改造|subsid|pilot|programme|program|grant|digital|deadline|expire/i;

/** Document scopes whose text answers for the pack's own city (other cities' texts are reference). */
const SCOPES_FOR_OWN_CITY: DocumentScope[] = ['city', 'province', 'national', 'reference'];

const LIST_QUESTION = /各|分别|哪些|哪几|都有|还有|哪一些|\b(which|list|all)\b/i;

const silent: AnswerLog = { info: () => {}, warn: () => {} };

interface PackText {
  title: string;
  text: string;
}

/** Every document of the pack with its title (manifest, or the Markdown front matter's `title:`). */
function packTexts(pack: Pack): PackText[] {
  const out: PackText[] = [];
  const seen = new Set<string>();
  const read = (file: string, title?: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    try {
      const text = fs.readFileSync(file, 'utf8');
      out.push({ title: title ?? text.match(/^title:\s*(.+)$/m)?.[1]?.trim() ?? path.basename(file), text });
    } catch {
      /* a missing file is the pack loader's error to report, not the answerer's */
    }
  };
  for (const d of pack.manifest.documents) read(pack.file(d.file), d.title);
  if (pack.manifest.documentGlob) {
    const dir = pack.file(path.dirname(pack.manifest.documentGlob));
    const ext = path.extname(pack.manifest.documentGlob);
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir).sort()) if (f.endsWith(ext)) read(path.join(dir, f));
  }
  return out;
}

/** Paragraphs, for IDF statistics. */
function paragraphs(texts: PackText[]): string[] {
  return texts.flatMap((t) => t.text.split(/\n\s*\n|\n(?=\S)/).filter((p) => p.trim().length > 4));
}

export function createAnswerer(options: AnswererOptions): PackAnswerer {
  const { retriever, pack, tagger } = options;
  const log = options.log ?? silent;
  const llm = options.llm ?? { kind: 'none' };
  const threshold = options.threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
  const k = options.k ?? 30;
  const clock = options.clock ?? (() => new Date());
  const glossary = loadGlossary(pack);
  const vocabulary = createVocabulary(pack, glossary);
  let scope: ScopeChecker | undefined;
  let texts: PackText[] | undefined;
  const getTexts = () => (texts ??= packTexts(pack));
  const getScope = () => (scope ??= createScopeChecker(pack, getTexts().map((t) => t.text).join('\n'), tagger));
  /** A document is about a place when it names it repeatedly (温州's rules), not in passing (a list of cities). */
  const documentIsAbout = (title: string, places: string[]) => {
    const text = getTexts().find((t) => t.title === title)?.text ?? '';
    return places.some((p) => title.includes(p) || text.split(p).length - 1 >= 3);
  };
  const followUps = createFollowUpRewriter(pack);
  let idf: IdfModel | undefined;
  const getIdf = () => (idf ??= buildIdf(paragraphs(getTexts())));
  const places = [...new Set(pack.regions.regions.flatMap((r) => [r.name, ...r.aliases]).filter((p) => p.length >= 2))];
  const cityDocuments = new Set(pack.manifest.documents.filter((d) => d.scope === 'city').map((d) => d.id));
  const validityDoc = pack.manifest.documents.find((d) => d.id === pack.manifest.validity.document);
  let validityCitation: Promise<Citation> | undefined;

  /** The clause that declares the validity period, located through retrieval so it carries its section. */
  const findValidityCitation = (): Promise<Citation> =>
    (validityCitation ??= (async () => {
      const clause = pack.manifest.validity.clause;
      const target = normalizeForMatch(clause).replace(/\s/g, '');
      let hit: SearchHit | undefined;
      try {
        hit = (await retriever.search(clause, { k: 5 })).find((h) => normalizeForMatch(h.text).replace(/\s/g, '').includes(target));
      } catch {
        hit = undefined;
      }
      return {
        document: hit?.documentTitle ?? validityDoc?.title ?? pack.manifest.name,
        section: hit ? sectionLabel(hit) : '',
        // The chunk usually also says what happens after expiry ("执行期满后…研究确定是否继续实施").
        quote: hit && hit.text.length <= 160 ? hit.text.trim() : clause,
        documentId: hit?.documentId ?? validityDoc?.id,
        chunkId: hit?.chunkId,
        kind: 'clause',
      };
    })());

  async function assess(question: string, context: AnswerContext = {}): Promise<Assessment> {
    const lang = detectLang(question, context.lang ?? 'zh');
    const clean = stripInjection(question);
    if (clean.removed.length) log.warn('answer.injection_removed', { removed: clean.removed.length });
    const rewrittenQuery = followUps.rewrite(clean.text, context.history?.map((t) => (t.role === 'user' ? { ...t, text: stripInjection(t.text).text } : t)));
    let asked = rewrittenQuery;
    let englishFactor = 1;
    if (lang === 'en') {
      const en = glossary.toChinese(rewrittenQuery);
      asked = en.query;
      // Words the glossary cannot map (another city, an unrelated topic) are evidence we cannot match.
      englishFactor = en.known === 0 ? 0 : en.known / (en.known + en.unknown.length);
      if (en.unknownNames.length) return { question, rewrittenQuery, query: asked, lang, confidence: 0, ranked: [], terms: [], outOfScope: `other_place:${en.unknownNames[0]}` };
    }
    // Two phrasings: as asked, and in the policy's own wording; a passage may match either.
    const worded = vocabulary.normalize(asked);
    const query = vocabulary.expand(asked);
    const terms: string[][] = [questionTerms(asked, tagger), questionTerms(worded, tagger)];
    const base: Assessment = { question, rewrittenQuery, query, lang, confidence: 0, ranked: [], terms };
    const verdict = getScope().check(lang === 'en' ? rewrittenQuery : asked);
    if (!verdict.inScope) return { ...base, outOfScope: `${verdict.reason}:${verdict.detail}` };
    if (!query.trim()) return base;
    // Another place the documents mention (温州, 天台): answer only from passages about it. Otherwise other
    // cities' documents are reference material, never the answer for this pack's city.
    const elsewhere = verdict.places;
    const scopes = elsewhere.length ? undefined : SCOPES_FOR_OWN_CITY;
    const hits = await retriever.search(query, { k, pack: pack.id, scopes });
    const kind = classifyQuestion(`${question} ${asked}`).kind;
    const cues = questionCues(worded, kind, places);
    let ranked = rerank(hits, terms, getIdf(), cityDocuments, kind, cues);
    if (elsewhere.length) ranked = ranked.filter((r) => mentionsAny(`${r.hit.documentTitle} ${r.hit.sectionPath.join(' ')} ${r.hit.text}`, elsewhere));
    return { ...base, ranked, elsewhere, cues, confidence: (ranked[0]?.coverage ?? 0) * englishFactor };
  }

  const abstain = (a: Assessment, reason: 'no_basis' | 'out_of_scope' | 'empty'): Answer => ({
    text: renderAbstention(a.lang, reason),
    citations: [],
    abstained: true,
    mode: 'abstained',
    confidence: a.confidence,
    lang: a.lang,
    hits: a.ranked.map((r) => r.hit),
    rewrittenQuery: a.rewrittenQuery,
    offers: ['menu', 'handoff'],
  });

  return {
    threshold,
    assess,
    async answer(question, context = {}) {
      const now = context.now ?? clock();
      const lang = detectLang(question, context.lang ?? 'zh');
      const cleanQuestion = stripInjection(question).text;
      if (!cleanQuestion) return abstain({ question, rewrittenQuery: '', query: '', lang, confidence: 0, ranked: [], terms: [] }, 'empty');

      if (options.db) {
        const rewritten = followUps.rewrite(cleanQuestion, context.history);
        const faq = await matchFaq(options.db, pack.id, lang === 'en' ? glossary.toChinese(rewritten).query || rewritten : rewritten, options.faqThreshold ?? FAQ_MATCH_THRESHOLD);
        if (faq) {
          const citation: Citation = { document: faq.pair.source.document, section: faq.pair.source.section, quote: faq.pair.source.quote, kind: 'faq' };
          log.info('answer.faq', { faq: faq.pair.id, similarity: Number(faq.similarity.toFixed(3)) });
          const text = lang === 'en' && faq.pair.answerEn ? faq.pair.answerEn : faq.pair.answer;
          return { text: renderFaq(text, citation, lang), citations: [citation], abstained: false, mode: 'faq', confidence: faq.similarity, lang, hits: [], rewrittenQuery: rewritten };
        }
      }

      const a = await assess(question, context);
      if (a.outOfScope) {
        log.info('answer.abstained', { reason: a.outOfScope });
        return abstain(a, 'out_of_scope');
      }
      if (!a.query.trim()) return abstain(a, 'no_basis');
      const info = classifyQuestion(`${question} ${a.query}`);
      const notes: string[] = [];
      const extraCitations: Citation[] = [];
      // "劳动合同到期…" is time-sensitive but not about this programme: the period note needs a programme topic.
      if (info.timeSensitive && !a.elsewhere?.length && (a.confidence >= threshold / 2 || PROGRAMME_TOPIC.test(`${question} ${a.query}`))) {
        notes.push(validityNote(validityOn(pack.manifest, now), a.lang, pack.manifest.programmeLead));
        extraCitations.push(await findValidityCitation());
      }
      if (a.confidence < threshold) {
        if (!notes.length) {
          log.info('answer.abstained', { reason: 'low_confidence', confidence: Number(a.confidence.toFixed(3)) });
          return abstain(a, 'no_basis');
        }
        // The validity clause itself answers "还能申请吗" even when no other clause matches.
        return {
          text: renderExtractive({ evidence: [{ direct: extraCitations[0]!.quote, citation: extraCitations[0]! }], lang: a.lang, notes, glossary }),
          citations: extraCitations,
          abstained: false,
          mode: 'extractive',
          confidence: a.confidence,
          lang: a.lang,
          hits: a.ranked.map((r) => r.hit),
          rewrittenQuery: a.rewrittenQuery,
        };
      }

      const common = { abstained: false, confidence: a.confidence, lang: a.lang, hits: a.ranked.map((r) => r.hit), rewrittenQuery: a.rewrittenQuery };
      if (llm.kind === 'openai') {
        const sources = a.ranked.slice(0, 5);
        const started = Date.now();
        const g = await generate(llm, { question: a.rewrittenQuery, sources, lang: a.lang, programme: pack.manifest.name, onDelta: context.onDelta });
        if (g.ok) {
          const citations = [...g.citations, ...extraCitations];
          const list = g.citations.map((c, i) => `[${i + 1}] 《${c.document}》${c.section ? ` ${c.section}` : ''}`).join('\n');
          const text = `${notes.length ? `${notes.join('\n')}\n` : ''}${g.text}\n\n${a.lang === 'en' ? 'Sources:' : '来源：'}\n${list}`;
          return { ...common, text, citations, mode: 'generative' };
        }
        log.warn('answer.llm_fallback', { reason: g.reason, detail: g.detail, ms: Date.now() - started });
      }

      const evidence = extractEvidence(a.ranked, { question: a.query, terms: a.terms, kind: info.kind, list: LIST_QUESTION.test(question), cues: a.cues }, getIdf());
      // About another place: the quoted sentence (or its document) must name it, or we would be answering
      // with a passage that merely mentions it.
      if (a.elsewhere?.length && !evidence.some((e) => mentionsAny(e.citation.quote, a.elsewhere!) || documentIsAbout(e.citation.document, a.elsewhere!))) {
        log.info('answer.abstained', { reason: 'place_not_in_evidence', places: a.elsewhere });
        return abstain(a, 'no_basis');
      }
      const citations = [...evidence.map((e) => e.citation), ...extraCitations];
      const text = renderExtractive({ evidence: [...evidence, ...extraCitations.map((c) => ({ direct: '', citation: c }))], lang: a.lang, notes, glossary });
      return { ...common, text, citations, mode: 'extractive' };
    },
  };
}
