/**
 * Names people use for the pack's regions and industries, resolved to canonical ones: exact names and
 * pack aliases, either as a whole cell (imports) or found inside a sentence (chat questions), plus
 * "did you mean" suggestions for names that match nothing. All names come from the pack.
 */
import type { Pack } from '../pack/index.ts';

export interface Vocabulary {
  regions: string[];
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

function norm(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
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
  const regionIndex = new Map<string, string>();
  for (const r of regionKeys) for (const k of r.keys) regionIndex.set(norm(k), r.name);
  const industryIndex = new Map<string, string>();
  for (const i of industryKeys) for (const k of i.keys) industryIndex.set(norm(k), i.name);
  const findLongest = (text: string, index: Map<string, string>) => {
    const t = norm(text);
    let best: { value: string; match: string } | null = null;
    for (const [k, v] of index) if (k.length >= 2 && t.includes(k) && (!best || k.length > best.match.length)) best = { value: v, match: k };
    return best;
  };
  const cp = pack.regions.cityProper;
  return {
    regions: regionKeys.map((r) => r.name),
    industryNames: new Map(pack.industries.industries.map((i) => [i.id, i.name])),
    cityProper: cp ? { name: cp.name, aliases: cp.aliases, members: cp.members } : undefined,
    city: pack.manifest.city,
    resolveRegion: (text) => regionIndex.get(norm(text)) ?? null,
    resolveIndustry: (text) => industryIndex.get(norm(text)) ?? null,
    findRegion(text) {
      const m = findLongest(text, regionIndex);
      return m ? { region: m.value, match: m.match } : null;
    },
    findIndustry(text) {
      const m = findLongest(text, industryIndex);
      return m ? { industry: m.value, match: m.match } : null;
    },
    suggestRegions: (text) => suggest(text, regionKeys),
    suggestIndustries: (text) =>
      suggest(text, industryKeys).map((id) => pack.industries.industries.find((i) => i.id === id)?.name ?? id),
  };
}
