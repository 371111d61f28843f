/**
 * The starter N+X lists (per industry: N common needs, X individual ones) as pack data, validated here.
 * They are seeded into the database (NxRepo) so the console can edit them; the label that they are a
 * starter list travels with them until the bureau's official list replaces it.
 */
import { z } from 'zod';
import { AppError } from '../../db/index.ts';
import { ClauseRefSchema, type Pack } from '../pack/index.ts';

export const NxItemSchema = z.object({
  code: z.string().min(1),
  kind: z.enum(['N', 'X']),
  title: z.string().min(1),
  description: z.string().default(''),
  scenes: z.array(z.string()).default([]),
});

export const NxSectionSchema = z.object({
  label: z.string(),
  note: z.string(),
  basis: z.array(ClauseRefSchema),
  industries: z.record(z.string(), z.array(NxItemSchema)),
});
export type NxSection = z.infer<typeof NxSectionSchema>;

export function loadNx(pack: Pack): NxSection {
  const nx = pack.section('nx', NxSectionSchema);
  const known = new Set(pack.industries.industries.map((i) => i.id));
  for (const id of Object.keys(nx.industries))
    if (!known.has(id)) throw new AppError('config', `nx.json names industry '${id}', which is not in industries.json`);
  return nx;
}

/** Flattens the pack's lists into seed rows for NxRepo.seed. */
export function nxSeedItems(nx: NxSection): { industryId: string; kind: 'N' | 'X'; code: string; title: string; description: string; scenes: string[]; sort: number }[] {
  return Object.entries(nx.industries).flatMap(([industryId, items]) => items.map((it, i) => ({ industryId, ...it, sort: i })));
}
