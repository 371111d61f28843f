/**
 * The evaluation harness behind `npm run eval`: the question-set format, the scoring rules, the runner,
 * the two baselines (plain BM25, LangChain splitter + vector search) and the reports.
 */
export { EvalItemSchema, loadEvalSet, parseEvalSet, type EvalItem } from './dataset.ts';
export {
  answerContainsAll,
  compact,
  evidenceRank,
  MRR_DEPTH,
  percentile,
  scoreItem,
  summarize,
  type ItemOutcome,
  type ItemScore,
  type Summary,
} from './metrics.ts';
export { passageOf, runSystem, type EvalSystem, type RunOptions } from './runner.ts';
export {
  CHINESE_SEPARATORS,
  createBm25Retriever,
  createVectorRetriever,
  plainJiebaTokens,
  readPackDocuments,
  splitDocuments,
  type BaselineDocument,
  type EmbedTexts,
  type Passage,
} from './baselines.ts';
export { formatComparison, formatFailures, formatTable, toJsonReport, type NamedSummary } from './report.ts';
