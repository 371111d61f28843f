/**
 * Finds a pack's documents (the manifest's list plus Markdown files matching documentGlob), reads their
 * front matter as metadata, decides each document's scope (this city, province, national, another city,
 * reference) and fingerprints the content so ingestion can skip what has not changed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, type DocumentRow } from '../../db/index.ts';
import type { Pack } from '../pack/index.ts';
import type { DocumentScope } from '../types.ts';
import { DEFAULT_CHUNKING, type ChunkingOptions } from './chunker.ts';
import { parseFrontMatter } from './frontmatter.ts';

/** Bump when parsing or chunking changes, so every document is re-ingested once. */
export const INGEST_VERSION = 'ingest-v1';

/** A document as found in the pack: the stored row's metadata plus what ingestion needs to parse it. */
export type SourceDocument = Pick<
  DocumentRow,
  'pack' | 'id' | 'file' | 'title' | 'shortTitle' | 'issuer' | 'docNumber' | 'date' | 'sourceUrl' | 'completeness' | 'scope' | 'bytes'
> & {
  format: 'raw-opinions' | 'markdown' | 'text';
  /** Text to parse (front matter removed). */
  body: string;
  hash: string;
};

const SCOPES: DocumentScope[] = ['city', 'province', 'national', 'other-city', 'reference'];

function str(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  const s = Array.isArray(v) ? v.join('；') : v;
  return s.trim() === '' ? null : s.trim();
}

/** City short name: 金华市 → 金华. */
function shortPlace(name: string): string {
  return name.replace(/(市|省|县|区)$/, '');
}

/**
 * Whose document is it? The issuer says it best: this pack's city, its province, a national body, or
 * another city/county (reference only). Front matter `scope:` overrides the guess.
 */
export function guessScope(pack: Pack, title: string, issuer: string | null): DocumentScope {
  const city = shortPlace(pack.manifest.city);
  const province = pack.manifest.province ? shortPlace(pack.manifest.province) : null;
  const who = issuer ?? '';
  const regionNames = pack.regions.regions.flatMap((r) => [r.name, ...r.aliases]);
  const local = (s: string) => s.includes(city) || regionNames.some((n) => n.length >= 2 && s.startsWith(n));
  if (local(who) || title.startsWith(pack.manifest.city) || title.startsWith(city)) return 'city';
  if (/^[\u4e00-\u9fa5]{2,4}?(市|县|区)/.test(who) && !local(who)) return 'other-city';
  if (province && (who.includes(province) || title.includes(province + '省'))) return 'province';
  if (/(国务院|部|国家|总局|委员会|办公厅)/.test(who)) return 'national';
  if (/^[\u4e00-\u9fa5]{2,4}?(市|县)/.test(title) && !local(title)) return 'other-city';
  return 'reference';
}

function hashOf(bytes: Buffer, chunking: ChunkingOptions): string {
  return crypto.createHash('sha256').update(INGEST_VERSION).update(JSON.stringify(chunking)).update(bytes).digest('hex');
}

function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '.*');
  return new RegExp(`^${esc}$`);
}

function listFiles(dir: string, base = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = base ? `${base}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(path.join(dir, e.name), rel) : [rel];
  });
}

/** Document id from a file name: 15_wenzhou-pilot….md → 15-wenzhou-pilot… */
export function documentIdFromFile(file: string): string {
  return path
    .basename(file)
    .replace(/\.[^.]+$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function readPackDocuments(pack: Pack, chunking: ChunkingOptions = DEFAULT_CHUNKING): SourceDocument[] {
  const out: SourceDocument[] = [];
  const listed = new Set<string>();
  for (const d of pack.manifest.documents) {
    const abs = pack.file(d.file);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(abs);
    } catch (e) {
      throw new AppError('config', `policy pack '${pack.id}': document ${d.id} (${abs}) cannot be read: ${(e as Error).message}`, { cause: e });
    }
    listed.add(path.normalize(d.file));
    const text = bytes.toString('utf8');
    const fm: { data: Record<string, string | string[]>; body: string } = d.format === 'markdown' ? parseFrontMatter(text) : { data: {}, body: text };
    out.push({
      pack: pack.id,
      id: d.id,
      file: d.file,
      format: d.format,
      title: d.title,
      shortTitle: d.shortTitle ?? null,
      issuer: d.issuer ?? str(fm.data.issuer),
      docNumber: d.docNumber || str(fm.data.doc_number),
      date: d.date ?? str(fm.data.date),
      sourceUrl: Array.isArray(fm.data.source_url) ? fm.data.source_url : fm.data.source_url ? [fm.data.source_url] : [],
      completeness: d.completeness ?? str(fm.data.completeness),
      scope: d.scope,
      body: fm.body,
      bytes: bytes.length,
      hash: hashOf(bytes, chunking),
    });
  }
  if (pack.manifest.documentGlob) {
    const re = globToRegExp(pack.manifest.documentGlob);
    const ids = new Set(out.map((d) => d.id));
    for (const rel of listFiles(pack.dir).filter((f) => re.test(f)).sort()) {
      if (listed.has(path.normalize(rel))) continue;
      const bytes = fs.readFileSync(pack.file(rel));
      const fm = parseFrontMatter(bytes.toString('utf8'));
      const id = documentIdFromFile(rel);
      if (ids.has(id)) throw new AppError('config', `policy pack '${pack.id}': two documents map to id '${id}' (${rel})`);
      ids.add(id);
      const title = str(fm.data.title) ?? path.basename(rel);
      const issuer = str(fm.data.issuer);
      const declared = str(fm.data.scope) as DocumentScope | null;
      out.push({
        pack: pack.id,
        id,
        file: rel,
        format: 'markdown',
        title,
        shortTitle: str(fm.data.short_title),
        issuer,
        docNumber: str(fm.data.doc_number),
        date: str(fm.data.date),
        sourceUrl: Array.isArray(fm.data.source_url) ? fm.data.source_url : fm.data.source_url ? [fm.data.source_url] : [],
        completeness: str(fm.data.completeness),
        scope: declared && SCOPES.includes(declared) ? declared : guessScope(pack, title, issuer),
        body: fm.body,
        bytes: bytes.length,
        hash: hashOf(bytes, chunking),
      });
    }
  }
  return out;
}
