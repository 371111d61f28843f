/**
 * The contracts between retrieval, answering and their callers. Retrieval returns SearchHits with the
 * score of each ranker; answering turns hits into an Answer whose every quote is checkable against the
 * cited clause. bot/ and console/ depend on these shapes, not on how they are produced.
 */

import type { DocumentScope } from '../db/index.ts';

export type ChunkKind = 'clause' | 'table_row' | 'text';

export interface RankerScore {
  /** 1-based rank in that ranker's own list. */
  rank: number;
  score: number;
}

export interface SearchHit {
  chunkId: string;
  documentId: string;
  documentTitle: string;
  /** Heading path from the document root, e.g. ['四、工作内容', '（四）加大数字化改造资金支持', '17.']. */
  sectionPath: string[];
  kind: ChunkKind;
  text: string;
  /** Order of the chunk within its document. */
  position: number;
  /** Fused score (reciprocal rank fusion); higher is better. */
  score: number;
  scores: { lexical?: RankerScore; vector?: RankerScore };
  /** Table rows: { table: '表1 …', row: '…', columns: ['2024年', …] }; other kinds may add their own. */
  meta?: Record<string, unknown>;
  /** Whose policy the document is: 'other-city' documents are reference only for this pack's users. */
  scope?: DocumentScope;
}

/** Where a document applies; stored with it (db/repos/knowledge.ts owns the definition). */
export type { DocumentScope } from '../db/index.ts';

export interface SearchOptions {
  k?: number;
  documentIds?: string[];
  industry?: string;
  region?: string;
  pack?: string;
  /** Only documents of these scopes (e.g. exclude 'other-city' by listing the others). */
  scopes?: DocumentScope[];
  /** Only these chunk kinds. */
  kinds?: ChunkKind[];
}

/** Turns texts into fixed-length vectors; one id per model and parameter set (it names the index). */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
  /**
   * HNSW graph parameters suited to this embedder's vectors (pgvector's defaults, m 16 and
   * ef_construction 64, when absent).
   */
  readonly hnsw?: HnswParams;
}

export interface HnswParams {
  /** Links per node. */
  m: number;
  /** Candidate list while building. */
  efConstruction: number;
}

export interface Retriever {
  search(query: string, options?: SearchOptions): Promise<SearchHit[]>;
}

export interface Citation {
  /** Document title as users know it (《…》 is added by renderers). */
  document: string;
  /** Section path joined with ' > ', or '表1 > row > column' for table answers. */
  section: string;
  /** The exact text the answer rests on, copied from the chunk. */
  quote: string;
  documentId?: string;
  chunkId?: string;
  kind?: 'clause' | 'table' | 'faq';
}

export type Lang = 'zh' | 'en';

export interface HistoryTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface AnswerContext {
  history?: HistoryTurn[];
  lang?: Lang;
  /** Injectable clock for date-dependent answers. */
  now?: Date;
  conversationId?: string;
  /** Receives generated text as it streams (generative mode only). */
  onDelta?: (text: string) => void;
}

export interface Answer {
  text: string;
  citations: Citation[];
  abstained: boolean;
  mode: 'extractive' | 'generative' | 'faq' | 'abstained';
  /** Retrieval confidence in [0, 1] that abstention is calibrated on. */
  confidence: number;
  lang: Lang;
  hits: SearchHit[];
  /** The standalone question actually searched, after follow-up rewriting. */
  rewrittenQuery?: string;
  /** Next steps the channel should render as buttons (abstentions offer the menu and a human handoff). */
  offers?: Array<'menu' | 'handoff'>;
}

export interface Answerer {
  answer(question: string, context?: AnswerContext): Promise<Answer>;
}
