/**
 * The shape of a pack's rules.json: every threshold, cap, rate and award of the city's subsidy policy,
 * each carrying the clause it comes from. The calculator reads only this (plus the pack's regions and
 * industries), so a second city's rules.json works without a code change.
 */
import { z } from 'zod';
import { ClauseRefSchema } from '../pack/index.ts';

const money = z.number().nonnegative();

const TierSchema = z.object({
  id: z.string(),
  label: z.string(),
  min: money.optional(),
  minInclusive: z.boolean().default(true),
  max: money.optional(),
  maxInclusive: z.boolean().default(false),
});

export const AwardSchema = z.object({
  id: z.string(),
  name: z.string(),
  amount: money,
  /** true: "最高 amount"; false: a fixed amount. */
  upTo: z.boolean(),
  audience: z.enum(['enterprise', 'serviceProvider']),
  condition: z.string(),
  citation: ClauseRefSchema,
});
export type Award = z.infer<typeof AwardSchema>;

export const RulesSchema = z.object({
  label: z.string(),
  unit: z.literal('万元'),
  scope: z.object({
    applicant: z.string(),
    citation: ClauseRefSchema,
    industriesCitation: ClauseRefSchema,
    otherRegions: z.object({ label: z.string(), citation: ClauseRefSchema }),
  }),
  scale: z.object({
    aboveScaleMinRevenue: money,
    citation: ClauseRefSchema,
    belowScaleNote: z.string(),
    belowScaleCitation: ClauseRefSchema,
  }),
  outputTiers: z.object({ tiers: z.array(TierSchema).min(1), citation: ClauseRefSchema }),
  priority: z.object({ srdi: z.string(), citation: ClauseRefSchema }),
  retrofitSubsidy: z.object({
    name: z.string(),
    basis: z.string(),
    minLevel: z.number().int().min(1).max(4),
    capsByLevel: z.array(z.object({ level: z.number().int().min(1).max(4), cap: money })).min(1),
    capsCitation: ClauseRefSchema,
    yearRates: z.array(z.object({ year: z.number().int().positive(), percent: z.number().positive().max(100), label: z.string() })).min(1),
    yearCitation: ClauseRefSchema,
  }),
  awards: z.array(AwardSchema),
  funding: z.object({
    centralToLocal: z.tuple([z.number().positive(), z.number().positive()]),
    ratioCitation: ClauseRefSchema,
    allocation: z.enum(['competitive', 'formula']),
    allocationNote: z.string(),
    allocationCitation: ClauseRefSchema,
  }),
  disclaimer: z.string(),
});
export type Rules = z.infer<typeof RulesSchema>;
