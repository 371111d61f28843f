/**
 * The shape of a city's policy pack: the manifest and the sections every feature shares (regions,
 * industries). Feature-specific sections (rules, targets, N+X lists …) are validated by the feature that
 * reads them, through Pack.section(), so adding a feature never changes this file.
 */
import { z } from 'zod';

/** A clause reference: a document id from the manifest plus the section path inside it. */
export const ClauseRefSchema = z.object({
  document: z.string(),
  section: z.array(z.string()).default([]),
  quote: z.string().optional(),
});
export type ClauseRef = z.infer<typeof ClauseRefSchema>;

export const DocumentEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  file: z.string(),
  /** raw-opinions: tab-laid-out government text; markdown: front matter + Markdown body. */
  format: z.enum(['raw-opinions', 'markdown', 'text']),
  title: z.string(),
  shortTitle: z.string().optional(),
  issuer: z.string().optional(),
  docNumber: z.string().optional(),
  date: z.string().optional(),
  completeness: z.string().optional(),
  /** city: this pack's own policy; national/province: applies here too; other-city: reference only. */
  scope: z.enum(['city', 'province', 'national', 'other-city', 'reference']).default('national'),
});
export type DocumentEntry = z.infer<typeof DocumentEntrySchema>;

export const PhaseSchema = z.object({
  name: z.string(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  section: z.array(z.string()).default([]),
});

export const ManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string(),
  city: z.string(),
  province: z.string().optional(),
  divisionCode: z.string().optional(),
  timezone: z.string().default('Asia/Shanghai'),
  programmeLead: z.string().optional(),
  primaryDocument: z.string(),
  documents: z.array(DocumentEntrySchema),
  /** Markdown files matching this glob are added with their front matter as metadata. */
  documentGlob: z.string().optional(),
  validity: z.object({
    document: z.string(),
    clause: z.string(),
    until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    phases: z.array(PhaseSchema).default([]),
  }),
});
export type PackManifest = z.infer<typeof ManifestSchema>;

export const RegionSchema = z.object({
  name: z.string(),
  kind: z.string(),
  code: z.string().nullable(),
  aliases: z.array(z.string()).default([]),
});
export type Region = z.infer<typeof RegionSchema>;

export const RegionsSectionSchema = z.object({
  cityProper: z.object({ name: z.string(), aliases: z.array(z.string()).default([]), members: z.array(z.string()) }).optional(),
  regions: z.array(RegionSchema),
  note: z.string().optional(),
});
export type RegionsSection = z.infer<typeof RegionsSectionSchema>;

export const IndustrySchema = z.object({
  id: z.string(),
  name: z.string(),
  aliases: z.array(z.string()).default([]),
  focusRegions: z.array(z.string()).default([]),
});
export type Industry = z.infer<typeof IndustrySchema>;

export const IndustriesSectionSchema = z.object({
  industries: z.array(IndustrySchema),
  otherRegionsNote: z.string().optional(),
  source: ClauseRefSchema.optional(),
});
export type IndustriesSection = z.infer<typeof IndustriesSectionSchema>;
