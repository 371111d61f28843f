/**
 * Which documents a query term occurs in. A term found in the chunks of one document only (昆明, 广东,
 * 小灯塔, 网址) points at that document; the second-stage ranker uses this to lift a document the user
 * names above the city's own policy. One grouped query over the GIN index for the query's few terms.
 */
import type { Queryable } from '../types.ts';
import { orQuery } from './knowledge-search.ts';

export const knowledgeTermsRepo = {
  /** Ids of the enabled chunks of a document that contain the given text (whitespace ignored). */
  async chunksContaining(q: Queryable, pack: string, documentId: string, text: string): Promise<string[]> {
    const r = await q.query<{ id: string }>(
      `select id from kb_chunks where pack = $1 and document_id = $2 and not disabled
       and strpos(regexp_replace(text, '\\s', '', 'g'), regexp_replace($3, '\\s', '', 'g')) > 0 order by position`,
      [pack, documentId, text],
    );
    return r.rows.map((x) => x.id);
  },

  /** For each given token that occurs in at most `maxDocs` documents of the pack: those documents. */
  async termDocuments(q: Queryable, pack: string | undefined, tokens: string[], maxDocs = 1): Promise<Map<string, string[]>> {
    if (tokens.length === 0) return new Map();
    const r = await q.query<{ token: string; docs: string[] }>(
      `select t.token, array_agg(distinct c.document_id) as docs
       from unnest($1::text[], $2::text[]) as t(token, q)
       join kb_chunks c on c.tsv @@ t.q::tsquery and not c.disabled${pack ? ' and c.pack = $3' : ''}
       group by t.token
       having count(distinct c.document_id) <= ${Math.trunc(maxDocs)}`,
      pack ? [tokens, tokens.map((t) => orQuery([t])), pack] : [tokens, tokens.map((t) => orQuery([t]))],
    );
    return new Map(r.rows.map((x) => [x.token, x.docs]));
  },
};
