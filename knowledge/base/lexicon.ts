/**
 * The editable lexicon: the domain dictionary and synonyms live in the database, seeded from the pack
 * (dictionary.json, synonyms.json, plus industry and region aliases). The console edits the rows; a
 * reload rebuilds the tokenizer and re-tokenizes stored chunks so index and queries agree again.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { knowledgeRepo, type Db } from '../../db/index.ts';
import type { Pack } from '../pack/index.ts';
import { Tokenizer, type DictionaryEntry, type Lexicon, type SynonymEntry } from '../text/index.ts';

const DictionarySchema = z.object({
  words: z.array(z.union([z.string().min(1), z.object({ word: z.string().min(1), freq: z.number().int().positive().optional(), tag: z.string().optional() })])),
});
const SynonymsSchema = z.object({
  groups: z.array(z.object({ canonical: z.string().min(1), terms: z.array(z.string().min(1)) })),
});

/** The pack's own lexicon, before any console edits. */
export function packLexicon(pack: Pack): Lexicon {
  const words: DictionaryEntry[] = pack.hasSection('dictionary')
    ? pack.section('dictionary', DictionarySchema).words.map((w) => (typeof w === 'string' ? { word: w } : w))
    : [];
  const synonyms: SynonymEntry[] = [];
  const add = (term: string, canonical: string) => {
    if (term && canonical && term !== canonical && !synonyms.some((s) => s.term === term)) synonyms.push({ term, canonical });
  };
  if (pack.hasSection('synonyms')) for (const g of pack.section('synonyms', SynonymsSchema).groups) for (const t of g.terms) add(t, g.canonical);
  for (const ind of pack.industries.industries) for (const a of ind.aliases) add(a, ind.name);
  for (const r of pack.regions.regions) for (const a of r.aliases) add(a, r.name);
  if (pack.regions.cityProper) for (const a of pack.regions.cityProper.aliases) add(a, pack.regions.cityProper.name);
  return { words, synonyms };
}

const SEED_KEY = (pack: string) => `knowledge.lexicon_seed.${pack}`;

/** Seeds pack rows when the pack's lexicon changed since the last seed; admin rows are kept. */
export async function seedLexicon(db: Db, pack: Pack): Promise<boolean> {
  const lex = packLexicon(pack);
  const hash = crypto.createHash('sha256').update(JSON.stringify(lex)).digest('hex');
  const seen = await knowledgeRepo.getSetting<{ hash: string }>(db, SEED_KEY(pack.id));
  if (seen?.hash === hash) return false;
  await db.transaction(async (tx) => {
    await knowledgeRepo.seedLexicon(tx, pack.id, lex.words, lex.synonyms);
    await knowledgeRepo.setSetting(tx, SEED_KEY(pack.id), { hash });
  });
  return true;
}

export async function loadLexicon(db: Db, packId: string): Promise<Lexicon> {
  const [words, synonyms] = await Promise.all([knowledgeRepo.listWords(db, packId), knowledgeRepo.listSynonyms(db, packId)]);
  return {
    words: words.map((w) => ({ word: w.word, freq: w.freq ?? undefined, tag: w.tag ?? undefined })),
    synonyms: synonyms.map((s) => ({ term: s.term, canonical: s.canonical })),
  };
}

export async function loadTokenizer(db: Db, packId: string): Promise<Tokenizer> {
  return new Tokenizer(await loadLexicon(db, packId));
}
