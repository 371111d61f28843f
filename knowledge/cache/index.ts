/**
 * A small LRU cache in front of an extractive answerer. After a policy briefing many enterprises ask the
 * same few questions within minutes; retrieval plus answer composition is the most expensive part of a
 * chat turn, and for the same inputs its output is the same. The key therefore holds every input the
 * answer depends on: the question as asked, the user's language, the follow-up rewrite of it against the
 * conversation's previous turns (so "那三级呢？" after different questions are different entries), today's
 * date in the pack's time zone (period and deadline notes) and the knowledge generation — a counter in the
 * database that triggers move on any change to documents, chunks, embeddings, dictionary, synonyms, FAQ
 * pairs or settings (migration 031), so a console correction takes effect on the next question in every
 * process. Only answerers without an LLM are wrapped: generated text is neither deterministic nor cheap
 * to be wrong about. Concurrent identical misses share one computation.
 */
import type { Queryable } from '../../db/index.ts';
import { createFollowUpRewriter, stripInjection, validityOn } from '../answer/index.ts';
import type { Pack } from '../pack/index.ts';
import type { Answer, AnswerContext, Answerer } from '../types.ts';

export interface AnswerCacheOptions {
  db: Queryable;
  pack: Pack;
  /** Entries kept (least recently used dropped first). */
  max?: number;
  clock?: () => Date;
}

export interface AnswerCacheStats {
  hits: number;
  misses: number;
  size: number;
}

export interface CachedAnswerer extends Answerer {
  stats(): AnswerCacheStats;
  clear(): void;
}

/** The generation the cache is valid for; moves on every change to what answers are made of. */
export async function knowledgeGeneration(db: Queryable): Promise<string> {
  const r = await db.query<{ value: string }>('select value::text as value from knowledge_generation where id = 1');
  return r.rows[0]?.value ?? '0';
}

export function createCachedAnswerer(inner: Answerer, options: AnswerCacheOptions): CachedAnswerer {
  const max = options.max ?? 2000;
  const clock = options.clock ?? (() => new Date());
  const followUps = createFollowUpRewriter(options.pack);
  const entries = new Map<string, Promise<Answer>>();
  let hits = 0;
  let misses = 0;

  /** Every input answer() reads, in a string; null when the turn must not be cached. */
  const keyOf = (question: string, context: AnswerContext, generation: string): string | null => {
    if (context.onDelta) return null;
    const clean = stripInjection(question).text;
    const history = context.history ?? [];
    // The answerer rewrites follow-ups twice: for FAQ matching against the raw turns, for retrieval
    // against the turns with injected instructions removed. Both rewrites are part of the key; history
    // reaches the answer through nothing else.
    // A rewrite equal to the question means the history was not used: such turns share one entry.
    const rewrites = history.length
      ? [
          followUps.rewrite(clean, history),
          followUps.rewrite(
            clean,
            history.map((t) => (t.role === 'user' ? { ...t, text: stripInjection(t.text).text } : t)),
          ),
        ].filter((r) => r !== clean)
      : [];
    const today = validityOn(options.pack.manifest, context.now ?? clock()).today;
    return JSON.stringify([generation, today, context.lang ?? '', question.trim(), ...rewrites]);
  };

  return {
    async answer(question, context = {}) {
      const key = keyOf(question, context, await knowledgeGeneration(options.db));
      if (key === null) return inner.answer(question, context);
      const found = entries.get(key);
      if (found) {
        hits++;
        // Re-inserted so that Map order stays least-recently-used first.
        entries.delete(key);
        entries.set(key, found);
        return { ...(await found) };
      }
      misses++;
      const pending = inner.answer(question, context);
      entries.set(key, pending);
      if (entries.size > max) entries.delete(entries.keys().next().value!);
      try {
        return { ...(await pending) };
      } catch (e) {
        if (entries.get(key) === pending) entries.delete(key);
        throw e;
      }
    },
    stats: () => ({ hits, misses, size: entries.size }),
    clear: () => entries.clear(),
  };
}
