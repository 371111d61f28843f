/**
 * Turns a pack ClauseRef (document id + section path + quote) into the Citation shape every channel
 * renders. Document titles come from the pack manifest, or from the front matter of a pack document file
 * named by its stem (documents/07_….md), so rules can cite supporting documents the manifest only globs.
 */
import fs from 'node:fs';
import type { Citation } from '../types.ts';
import type { ClauseRef, Pack } from '../pack/index.ts';

export type CitationResolver = (ref: ClauseRef) => Citation;

export function citationResolver(pack: Pack): CitationResolver {
  const titles = new Map<string, string>();
  const title = (id: string): string => {
    const cached = titles.get(id);
    if (cached) return cached;
    let found = pack.manifest.documents.find((d) => d.id === id)?.title;
    if (!found) {
      for (const ext of ['.md', '.txt']) {
        const file = pack.file(`documents/${id}${ext}`);
        if (!fs.existsSync(file)) continue;
        const m = fs.readFileSync(file, 'utf8').match(/^---\n[\s\S]*?^title:\s*(.+)$/m);
        found = m?.[1].trim();
        break;
      }
    }
    titles.set(id, found ?? id);
    return found ?? id;
  };
  return (ref) => ({
    document: title(ref.document),
    section: ref.section.join(' > '),
    quote: ref.quote ?? '',
    documentId: ref.document,
    kind: 'clause',
  });
}
