/**
 * Reads the progress sections of a city's pack: targets.json (表1, per year and in total, each KPI with
 * how its actual figure is measured) and ranking.json (the quarterly 晾晒 criteria and weights). Both are
 * validated with zod through pack.section(), so a typo in a pack fails at startup naming the file.
 */
import { z } from 'zod';
import { AppError } from '../../db/index.ts';
import { ClauseRefSchema, type Pack } from '../pack/index.ts';
import { STAGES } from './model.ts';

const StageSchema = z.enum(STAGES);

const EnterpriseMeasureSchema = z.object({
  stage: StageSchema,
  scale: z.enum(['above', 'below']).optional(),
  srdi: z.array(z.enum(['none', 'innovative', 'srdi', 'little-giant'])).optional(),
  cloud: z.boolean().optional(),
  minLevel: z.number().int().min(1).max(4).optional(),
});
export type EnterpriseMeasure = z.infer<typeof EnterpriseMeasureSchema>;

const MeasureSchema = z.discriminatedUnion('kind', [
  EnterpriseMeasureSchema.extend({ kind: z.literal('enterprises') }),
  z.object({ kind: z.literal('share'), numerator: EnterpriseMeasureSchema, denominator: EnterpriseMeasureSchema }),
  z.object({ kind: z.literal('outputs') }),
]);
export type KpiMeasure = z.infer<typeof MeasureSchema>;

const KpiSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  /** Exactly as printed in 表1. */
  label: z.string().min(1),
  shortLabel: z.string().min(1),
  unit: z.string().min(1),
  /** Each year's new target (increments); their sum is the total. */
  byYear: z.record(z.string().regex(/^\d{4}$/), z.number().nonnegative()),
  total: z.number().nonnegative(),
  measure: MeasureSchema,
  clause: ClauseRefSchema,
  narrative: ClauseRefSchema.optional(),
});
export type Kpi = z.infer<typeof KpiSchema>;

export const TargetsSectionSchema = z
  .object({
    note: z.string().optional(),
    pending: z.array(z.string()).default([]),
    source: ClauseRefSchema,
    years: z.array(z.number().int()).min(1),
    kpis: z.array(KpiSchema).min(1),
  })
  .superRefine((t, ctx) => {
    const ids = new Set<string>();
    t.kpis.forEach((k, i) => {
      if (ids.has(k.id)) ctx.addIssue({ code: 'custom', path: ['kpis', i, 'id'], message: `duplicate KPI id ${k.id}` });
      ids.add(k.id);
      const sum = Object.values(k.byYear).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - k.total) > 1e-9)
        ctx.addIssue({ code: 'custom', path: ['kpis', i, 'total'], message: `yearly targets of ${k.id} add up to ${sum}, not ${k.total}` });
      for (const y of Object.keys(k.byYear))
        if (!t.years.includes(Number(y))) ctx.addIssue({ code: 'custom', path: ['kpis', i, 'byYear', y], message: `year ${y} is not in years` });
    });
  });
export type TargetsSection = z.infer<typeof TargetsSectionSchema>;

const CriterionMeasureSchema = z.discriminatedUnion('kind', [
  /** Enterprises whose stage was first reached inside the period. */
  z.object({ kind: z.literal('stage-in-period'), stage: StageSchema }),
  /** Of the enterprises that reached `among` by the period's end, the share that reached `stage` (percent). */
  z.object({ kind: z.literal('stage-rate-at-end'), stage: StageSchema, among: StageSchema }),
  /** Outputs of these KPI ids / output kinds achieved inside the period. */
  z.object({ kind: z.literal('outputs-in-period'), kpis: z.array(z.string()).min(1) }),
]);
export type CriterionMeasure = z.infer<typeof CriterionMeasureSchema>;

export const RankingSectionSchema = z
  .object({
    note: z.string().optional(),
    pending: z.array(z.string()).default([]),
    source: ClauseRefSchema,
    period: z.literal('quarter'),
    method: z.literal('max-normalized'),
    topN: z.number().int().positive().default(3),
    criteria: z
      .array(z.object({ id: z.string(), label: z.string(), weight: z.number().nonnegative(), unit: z.string(), measure: CriterionMeasureSchema }))
      .min(1),
    outputKinds: z.array(z.object({ id: z.string().regex(/^[a-z0-9-]+$/), label: z.string() })).default([]),
  })
  .superRefine((r, ctx) => {
    const sum = r.criteria.reduce((a, c) => a + c.weight, 0);
    if (Math.abs(sum - 1) > 1e-6) ctx.addIssue({ code: 'custom', path: ['criteria'], message: `weights add up to ${sum}, not 1` });
  });
export type RankingSection = z.infer<typeof RankingSectionSchema>;
export type RankingCriterion = RankingSection['criteria'][number];

export interface ProgressPack {
  targets: TargetsSection;
  ranking: RankingSection;
  /** KPI ids and output kinds an output row may count towards. */
  outputKinds: { id: string; label: string }[];
}

export function loadProgressPack(pack: Pack): ProgressPack {
  const targets = pack.section('targets', TargetsSectionSchema);
  const ranking = pack.section('ranking', RankingSectionSchema);
  const outputKinds = [
    ...targets.kpis.filter((k) => k.measure.kind === 'outputs').map((k) => ({ id: k.id, label: k.shortLabel })),
    ...ranking.outputKinds,
  ];
  const known = new Set(outputKinds.map((o) => o.id));
  for (const c of ranking.criteria)
    if (c.measure.kind === 'outputs-in-period')
      for (const k of c.measure.kpis)
        if (!known.has(k)) throw new AppError('config', `policy pack ${pack.id}: ranking.json criterion ${c.id} counts unknown output kind ${k}`);
  return { targets, ranking, outputKinds };
}
