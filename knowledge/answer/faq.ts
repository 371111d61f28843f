/**
 * Curated answers take precedence: when the question (after follow-up rewriting) is close to a variant of
 * an enabled FAQ pair of this pack, the pair's approved answer is returned, cited as a curated answer with
 * its own source clause. "Close" is a bigram Dice similarity; the threshold is deliberately high, since a
 * curated answer to a different question is as wrong as an invented one.
 */
import { faqRepo, type Db, type FaqPair } from '../../db/index.ts';
import { dice } from './overlap.ts';

export const FAQ_MATCH_THRESHOLD = 0.75;

export interface FaqMatch {
  pair: FaqPair;
  similarity: number;
  variant: string;
}

export async function matchFaq(db: Db, pack: string, question: string, threshold = FAQ_MATCH_THRESHOLD): Promise<FaqMatch | undefined> {
  const pairs = await faqRepo(db).list({ pack, enabledOnly: true, limit: 5000 });
  let best: FaqMatch | undefined;
  for (const pair of pairs)
    for (const variant of [pair.question, ...pair.variants]) {
      const similarity = dice(question, variant);
      if (!best || similarity > best.similarity) best = { pair, similarity, variant };
    }
  return best && best.similarity >= threshold ? best : undefined;
}
