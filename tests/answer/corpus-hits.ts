/**
 * Interim fixture until the knowledge layer's retriever is on main: cuts the real primary document into
 * clause and table-row SearchHits (section paths as the ingestion issue specifies) and ranks them by
 * term coverage. Only the answer tests use it; they switch to real ingestion + search when it lands.
 */
import fs from 'node:fs';
import type { Retriever, SearchHit } from '../../knowledge/index.ts';
import { bigrams, questionTerms } from '../../knowledge/answer/overlap.ts';

const FILE = new URL('../../knowledge/packs/jinhua/documents/jinhua-sme-digital-pilot-implementation-opinions.txt', import.meta.url);
const TITLE = '金华市推进中小企业数字化转型城市试点建设实施意见（征求意见稿）';

export function corpusHits(): SearchHit[] {
  const lines = fs.readFileSync(FILE, 'utf8').split('\n');
  const hits: SearchHit[] = [];
  let l1 = '', l2 = '';
  const push = (sectionPath: string[], text: string, kind: SearchHit['kind'] = 'clause', meta?: Record<string, unknown>) =>
    hits.push({ chunkId: `c${hits.length}`, documentId: 'jinhua-opinions', documentTitle: TITLE, sectionPath, kind, text, position: hits.length, score: 0, scores: {}, meta });
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (/^[一二三四五六七八九十]+、/.test(line)) { l1 = line; l2 = ''; continue; }
    if (line === '工作目标') { l1 = '三、工作目标'; l2 = ''; continue; }
    if (/^（[一二三四五六七八九十]+）/.test(line) && line.length < 40) { l2 = line; continue; }
    if (line.startsWith('表1')) {
      const table = line;
      const rows: string[][] = [];
      let cur: string[] = [];
      for (i++; i < lines.length && !/^四、/.test(lines[i]!.trim()); i++) {
        const t = lines[i]!.trim();
        if (!t) { if (cur.length) rows.push(cur); cur = []; } else cur.push(t);
      }
      if (cur.length) rows.push(cur);
      i--;
      const [header, ...body] = rows;
      const columns = header!.slice(1);
      for (const r of body) push([table.split(/\s+/)[0]!], `${r[0]}：${columns.map((c, k) => `${c} ${r[k + 1]}`).join('；')}`, 'table_row', { table, row: r[0], columns, values: r.slice(1) });
      continue;
    }
    const num = line.match(/^(\d+)\./);
    const path = [l1, l2].filter(Boolean);
    if (num && l1.startsWith('四')) push([...path, `${num[1]}.`], line);
    else if (num) push([...path, `${num[1]}.`], line);
    else if (/^（[一二三四]）/.test(line)) push([l1, line.match(/^（[一二三四]）[^。]*?。/)?.[0] ?? line.slice(0, 20)], line);
    else push(path.length ? path : ['前言'], line);
  }
  return hits;
}

/** Ranks fixture hits by plain bigram overlap: a stand-in for the real hybrid search. */
export function fixtureRetriever(): Retriever {
  const all = corpusHits();
  return {
    async search(query, options) {
      const terms = questionTerms(query);
      const scored = all.map((h) => {
        const have = new Set(bigrams(`${h.sectionPath.join(' ')} ${h.text}`));
        return { h, s: terms.filter((t) => have.has(t)).length / Math.max(1, terms.length) };
      });
      return scored
        .sort((a, b) => b.s - a.s)
        .slice(0, options?.k ?? 8)
        .map((x, i) => ({ ...x.h, score: x.s, scores: { lexical: { rank: i + 1, score: x.s } } }));
    },
  };
}
