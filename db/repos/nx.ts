/**
 * The N+X lists (per industry: N common needs, X individual ones) as the console edits them. They are
 * seeded from the pack's nx.json on first use; staff edits are marked source='console' and survive a
 * re-seed, so a pack update adds new starter items without undoing the bureau's changes.
 */
import type { Db } from '../types.ts';

export interface NxItemRow {
  id: string;
  pack: string;
  industryId: string;
  kind: 'N' | 'X';
  code: string;
  title: string;
  description: string;
  scenes: string[];
  sort: number;
  active: boolean;
  source: 'pack' | 'console';
  updatedBy: string | null;
  updatedAt: Date;
}

export interface NxSeedItem {
  industryId: string;
  kind: 'N' | 'X';
  code: string;
  title: string;
  description?: string;
  scenes?: string[];
  sort?: number;
}

const COLS = `id::text as id, pack, industry_id as "industryId", kind, code, title, description, scenes, sort, active, source,
  updated_by as "updatedBy", updated_at as "updatedAt"`;

export class NxRepo {
  constructor(private readonly db: Db) {}

  /**
   * Inserts pack items that are not there yet and updates pack-sourced ones, never touching console
   * edits. One statement, so it is cheap enough to run at every start.
   */
  async seed(pack: string, items: NxSeedItem[]): Promise<number> {
    const rows = items.map((it, i) => ({ industry_id: it.industryId, kind: it.kind, code: it.code, title: it.title, description: it.description ?? '', scenes: it.scenes ?? [], sort: it.sort ?? i }));
    const r = await this.db.query(
      `insert into nx_items (pack, industry_id, kind, code, title, description, scenes, sort)
       select $1, x.industry_id, x.kind, x.code, x.title, x.description, x.scenes, x.sort
         from jsonb_to_recordset($2::jsonb) as x(industry_id text, kind text, code text, title text, description text, scenes jsonb, sort int)
       on conflict (pack, industry_id, code) do update set kind = excluded.kind, title = excluded.title,
         description = excluded.description, scenes = excluded.scenes, sort = excluded.sort
       where nx_items.source = 'pack'
         and (nx_items.kind, nx_items.title, nx_items.description, nx_items.scenes, nx_items.sort)
             is distinct from (excluded.kind, excluded.title, excluded.description, excluded.scenes, excluded.sort)`,
      [pack, JSON.stringify(rows)],
    );
    return r.affectedRows;
  }

  async list(pack: string, industryId: string, options: { includeInactive?: boolean } = {}): Promise<NxItemRow[]> {
    const r = await this.db.query<NxItemRow>(
      `select ${COLS} from nx_items where pack = $1 and industry_id = $2 and ($3 or active) order by kind, sort, id`,
      [pack, industryId, options.includeInactive ?? false],
    );
    return r.rows;
  }

  async count(pack: string): Promise<number> {
    const r = await this.db.query<{ n: number }>('select count(*)::int as n from nx_items where pack = $1', [pack]);
    return r.rows[0]?.n ?? 0;
  }

  /** Adds or edits an item from the console. */
  async upsert(pack: string, item: NxSeedItem & { active?: boolean }, actor: string): Promise<NxItemRow> {
    const r = await this.db.query<NxItemRow>(
      `insert into nx_items (pack, industry_id, kind, code, title, description, scenes, sort, active, source, updated_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'console', $10)
       on conflict (pack, industry_id, code) do update set kind = excluded.kind, title = excluded.title,
         description = excluded.description, scenes = excluded.scenes, sort = excluded.sort, active = excluded.active,
         source = 'console', updated_by = excluded.updated_by, updated_at = now()
       returning ${COLS}`,
      [pack, item.industryId, item.kind, item.code, item.title, item.description ?? '', JSON.stringify(item.scenes ?? []), item.sort ?? 0, item.active ?? true, actor],
    );
    return r.rows[0]!;
  }

  async setActive(pack: string, industryId: string, code: string, active: boolean, actor: string): Promise<void> {
    await this.db.query(
      `update nx_items set active = $4, source = 'console', updated_by = $5, updated_at = now() where pack = $1 and industry_id = $2 and code = $3`,
      [pack, industryId, code, active, actor],
    );
  }
}
