/**
 * Policy rules as data and the deterministic eligibility calculator. `loadEligibility(pack)` reads and
 * validates the pack's rules.json once; `assess(input)` validates raw input (field-level Chinese errors)
 * and evaluates it. The HTTP API, the CLI and the chat flow all call the same function, so they agree.
 */
import type { Pack } from '../pack/index.ts';
import { createCalculator, type Calculator, type EligibilityResult } from './calculator.ts';
import { parseProfile, type EligibilityProfile } from './profile.ts';
import { RulesSchema, type Rules } from './schema.ts';

export { RulesSchema, AwardSchema } from './schema.ts';
export type { Rules, Award } from './schema.ts';
export { createCalculator, levelName, MISSING_LABELS } from './calculator.ts';
export type { Calculator, EligibilityResult, EligibilityStatus, MissingFact, AwardOption } from './calculator.ts';
export { parseProfile, parseYearOrdinal, PROFILE_FIELDS } from './profile.ts';
export type { EligibilityProfile, Applicant, Unlisted } from './profile.ts';
export { citationResolver } from './citations.ts';
export type { CitationResolver } from './citations.ts';

export interface Eligibility extends Calculator {
  pack: Pack;
  /** Validates raw input (throws AppError('validation') with field messages) and evaluates it. */
  assess(input: unknown): EligibilityResult;
  parse(input: unknown): EligibilityProfile;
}

export function loadEligibility(pack: Pack): Eligibility {
  const rules: Rules = pack.section('rules', RulesSchema);
  const calc = createCalculator(pack, rules);
  const parse = (input: unknown) => parseProfile(input, pack, rules);
  return { ...calc, pack, parse, assess: (input) => calc.evaluate(parse(input)) };
}
export { AssessmentSchema, loadAssessment, scoreAssessment, checkAnswer } from './assessment.ts';
export type { AssessmentBank, AssessmentAnswers, AssessmentResult } from './assessment.ts';
export { NxSectionSchema, NxItemSchema, loadNx, nxSeedItems } from './nx.ts';
export type { NxSection } from './nx.ts';
