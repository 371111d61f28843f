/** Text processing for retrieval: number normalisation and the jieba tokenizer with the pack lexicon. */
export { toHalfWidth, parseChineseNumber, normalizeAmounts, amountToken, formatAmount, percentTokens } from './numbers.ts';
export type { NumberParse, AmountMatch } from './numbers.ts';
export { Tokenizer, normalizeForSearch } from './tokenizer.ts';
export type { DictionaryEntry, SynonymEntry, Lexicon } from './tokenizer.ts';
