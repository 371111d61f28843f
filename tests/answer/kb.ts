/**
 * The answer tests run on the real pipeline: a fresh PGlite database, the Jinhua pack ingested by the
 * knowledge base, and its hybrid retriever. One per test file (ingestion takes seconds).
 */
import { createKnowledgeBase, loadPack, type KnowledgeBase, type Pack } from '../../knowledge/index.ts';
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
