/**
 * Pure parsers for what enterprises type in chat and forms: amounts (万元), 统一社会信用代码, mobile
 * numbers, dates, regions, industries, levels, scale, 专精特新 status and yes/no. Every parser returns
 * Parsed<T> — the value or a Chinese retry message — and never throws, so callers decide what a failure
 * means. Region and industry words come from the pack passed in, never from code.
 */
export { ok, fail, toHalfWidth } from './result.ts';
export type { Parsed } from './result.ts';
export { parseAmount, findAmounts, fenToWanText, formatWan } from './amount.ts';
export type { Amount, AmountOptions, BareUnit } from './amount.ts';
export { parseUscc, usccCheckChar, normaliseUscc, USCC_ALPHABET } from './uscc.ts';
export type { Uscc } from './uscc.ts';
export { parseMobile } from './phone.ts';
export { parseDate, yearIn } from './date.ts';
export type { PartialDate, DateOptions } from './date.ts';
export { parseRegion, parseIndustry, parseLevel, parseScale, parseSrdi, parseYesNo, regionNames } from './lexicon.ts';
export type { RegionMatch, IndustryMatch, DigitalLevel, Scale, SrdiStatus } from './lexicon.ts';
