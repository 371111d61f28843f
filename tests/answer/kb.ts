/**
 * The answer tests run on the real pipeline: a fresh PGlite database, the Jinhua pack ingested by the
 * knowledge base, and its hybrid retriever. One per test file (ingestion takes seconds).
 */
import { afterAll, beforeAll } from 'vitest';
import { createAnswerer, createKnowledgeBase, loadPack, type KnowledgeBase, type Pack, type PackAnswerer } from '../../knowledge/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

export interface AnswerTestKit {
  testDb: TestDb;
  pack: Pack;
  knowledge: KnowledgeBase;
  close(): Promise<void>;
}

export async function openAnswerKit(): Promise<AnswerTestKit> {
  const testDb = await openTestDb();
  const pack = loadPack('jinhua');
  const knowledge = createKnowledgeBase({ db: testDb.db, pack });
  await knowledge.init();
  return { testDb, pack, knowledge, close: () => testDb.close() };
}

/**
 * Opens one kit for the enclosing describe block (beforeAll/afterAll) with the default extractive
 * answerer; read it inside tests through the returned getters.
 */
export function useExtractiveAnswerer(): { kit(): AnswerTestKit; answerer(): PackAnswerer } {
  let kit: AnswerTestKit | undefined;
  let answerer: PackAnswerer | undefined;
  beforeAll(async () => {
    kit = await openAnswerKit();
    answerer = createAnswerer({ retriever: kit.knowledge.retriever, tagger: kit.knowledge.tagger, pack: kit.pack });
  });
  afterAll(async () => kit?.close());
  return { kit: () => kit!, answerer: () => answerer! };
}
