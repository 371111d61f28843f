/**
 * The pack's regions and industries as progress needs them: resolved with the shared parsers in
 * knowledge/parse/ (longest name or alias, in a cell or inside a sentence; the city proper is not a
 * region), plus "did you mean" suggestions for names that match nothing. All names come from the pack.
 */
import type { Pack } from '../pack/index.ts';
import { parseIndustry, parseRegion } from '../parse/index.ts';

export interface Vocabulary {
  regions: string[];
  /** Every region name and alias, longest first (to strip a place name off a phrase). */
  regionWords: string[];
  /** Every industry name and alias, longest first. */
  industryWords: string[];
  /** Industry id → Chinese name. */
  industryNames: Map<string, string>;
  /** 金华市区 and its aliases: a name that covers several regions, never a region itself. */
  cityProper?: { name: string; aliases: string[]; members: string[] };
  city: string;
  resolveRegion(text: string): string | null;
  resolveIndustry(text: string): string | null;
  /** The longest region / industry name or alias that occurs in the sentence. */
  findRegion(text: string): { region: string; match: string } | null;
  findIndustry(text: string): { industry: string; match: string } | null;
  suggestRegions(text: string): string[];
  suggestIndustries(text: string): string[];
}

// Generic suffixes (市, 县, 区, 行业) say nothing about which name was meant.
function norm(s: string): string {
  return s.normalize('NFKC').replace(/\s+|[市县区]|行业/g, '').toLowerCase();
}

/** Candidates sharing the most characters with the input (at least one), best first. */
export function suggest(input: string, candidates: { name: string; keys: string[] }[], limit = 3): string[] {
  const chars = new Set([...norm(input)]);
  const scored = candidates
    .map((c) => ({ name: c.name, score: Math.max(...c.keys.map((k) => [...new Set(norm(k))].filter((ch) => chars.has(ch)).length)) }))
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score);
  return [...new Set(scored.map((c) => c.name))].slice(0, limit);
}

export function buildVocabulary(pack: Pack): Vocabulary {
  const regionKeys = pack.regions.regions.map((r) => ({ name: r.name, keys: [r.name, ...r.aliases] }));
  const industryKeys = pack.industries.industries.map((i) => ({ name: i.id, keys: [i.name, i.id, ...i.aliases] }));
  const findRegion = (text: string) => {
    const r = parseRegion(text, pack.regions);
    return r.ok && r.value.kind === 'region' ? { region: r.value.name, match: r.value.name } : null;
  };
  const findIndustry = (text: string) => {
    const byId = pack.industries.industries.find((i) => i.id === text.trim());
    if (byId) return { industry: byId.id, match: byId.id };
    const r = parseIndustry(text, pack.industries);
    return r.ok ? { industry: r.value.id, match: r.value.name } : null;
  };
  const cp = pack.regions.cityProper;
  return {
    regions: regionKeys.map((r) => r.name),
    industryWords: [...new Set(industryKeys.flatMap((i) => i.keys))].sort((a, b) => b.length - a.length),
    regionWords: [...new Set(regionKeys.flatMap((r) => r.keys))].sort((a, b) => b.length - a.length),
    industryNames: new Map(pack.industries.industries.map((i) => [i.id, i.name])),
    cityProper: cp ? { name: cp.name, aliases: cp.aliases, members: cp.members } : undefined,
    city: pack.manifest.city,
    resolveRegion: (text) => findRegion(text)?.region ?? null,
    resolveIndustry: (text) => findIndustry(text)?.industry ?? null,
    findRegion,
    findIndustry,
    suggestRegions: (text) => suggest(text, regionKeys),
    suggestIndustries: (text) =>
      suggest(text, industryKeys).map((id) => pack.industries.industries.find((i) => i.id === id)?.name ?? id),
  };
}
