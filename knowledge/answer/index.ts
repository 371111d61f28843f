/**
 * Answering: turns retrieved clauses into an Answer that quotes and cites them — extractive by default,
 * generative with numeric grounding when an LLM is configured, abstaining when nothing supports an answer.
 */
export { createAnswerer, DEFAULT_CONFIDENCE_THRESHOLD } from './answerer.ts';
export type { AnswererOptions, AnswerLlm, AnswerLog, Assessment, PackAnswerer } from './answerer.ts';
export { FAQ_MATCH_THRESHOLD, matchFaq } from './faq.ts';
export { extractFigures, unsupportedFigures } from './figures.ts';
export { validityOn, validityNote } from './validity.ts';
export { calibrate } from './calibrate.ts';
export type { CalibrationReport, LabelledQuestion, ThresholdRow } from './calibrate.ts';
// The answer cache (knowledge/cache) keys on the question exactly as the answerer rewrites it.
export { createFollowUpRewriter } from './followup.ts';
export type { FollowUpRewriter } from './followup.ts';
export { stripInjection } from './question.ts';
