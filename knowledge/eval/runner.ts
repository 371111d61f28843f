/**
 * Runs every question of the set through one system and records what it returned and how long it took.
 * A system is a retriever (scored on where the evidence ranks), optionally with an answerer (scored on
 * the answer and on abstention). Items run one after another, so latencies are not inflated by
 * self-contention; one warm-up call keeps lazy start-up costs (dictionaries, caches) out of the figures.
 */
import type { Answerer, Retriever, SearchHit } from '../types.ts';
import type { EvalItem } from './dataset.ts';
import { MRR_DEPTH, type ItemOutcome } from './metrics.ts';

/**
 * What a hit shows the user: its section path (the cited heading, e.g. 第一阶段（2024年9月-2025年12月）)
 * followed by its text. Chunkers that move headings into the path are not penalised for it.
 */
export function passageOf(hit: SearchHit): string {
  return [...hit.sectionPath, hit.text].join('\n');
}

export interface EvalSystem {
  name: string;
  /** Scored for retrieval. Without it, the answerer's own hits are scored instead. */
  retriever?: Retriever;
  answerer?: Answerer;
}

export interface RunOptions {
  k: number;
  /** The date answers are given on (defaults to the real clock). */
  now?: () => Date;
}

const elapsed = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

export async function runSystem(items: readonly EvalItem[], system: EvalSystem, options: RunOptions): Promise<ItemOutcome[]> {
  if (!system.retriever && !system.answerer) throw new Error(`eval system ${system.name} has neither a retriever nor an answerer`);
  const depth = Math.max(options.k, MRR_DEPTH);
  const now = options.now ?? (() => new Date());
  if (items[0]) {
    await system.retriever?.search(items[0].q, { k: depth });
    await system.answerer?.answer(items[0].q, { now: now() });
  }
  const outcomes: ItemOutcome[] = [];
  for (const item of items) {
    let passages: string[] = [];
    let searchMs = 0;
    if (system.retriever) {
      const t = process.hrtime.bigint();
      const hits = await system.retriever.search(item.q, { k: depth });
      searchMs = elapsed(t);
      passages = hits.map(passageOf);
    }
    let answer: ItemOutcome['answer'];
    if (system.answerer) {
      const t = process.hrtime.bigint();
      const a = await system.answerer.answer(item.q, { now: now() });
      const ms = elapsed(t);
      answer = { text: a.text, abstained: a.abstained, ms };
      if (!system.retriever) {
        passages = a.hits.map(passageOf);
        searchMs = ms;
      }
    }
    outcomes.push({ item, passages, searchMs, answer });
  }
  return outcomes;
}
