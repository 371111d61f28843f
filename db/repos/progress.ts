/**
 * SQL for progress tracking: enterprises and their stage events, import runs, programme outputs,
 * officers, one-time binding codes and chat bindings. Plain rows in and out; the rules (what an import
 * changes, who may see what) live in knowledge/progress/.
 */
import type { Queryable } from '../types.ts';

export interface EnterpriseRow {
  id: string;
  uscc: string;
  name: string;
  region: string;
  industry: string;
  scale: 'above' | 'below';
  srdi: 'none' | 'innovative' | 'srdi' | 'little-giant';
  cloud: boolean;
  digitalLevel: 1 | 2 | 3 | 4 | null;
  stage: 'enrolled' | 'signed' | 'diagnosed' | 'implementing' | 'accepted' | 'qualified' | 'paid';
  updatedAt: Date;
  updatedBy: string;
}
export type EnterpriseFields = Omit<EnterpriseRow, 'id' | 'updatedAt' | 'updatedBy'>;

export interface StageEventInput {
  enterpriseId: string;
  stage: EnterpriseRow['stage'];
  level: number | null;
  occurredOn: string;
  sourceKind: 'import' | 'user' | 'api' | 'system';
  source: string;
  importId: string | null;
}

export interface StageEventRow extends StageEventInput {
  id: string;
  recordedAt: Date;
}

const ENTERPRISE_COLS = `id::text as id, uscc, name, region, industry, scale, srdi, cloud, digital_level, stage, updated_at, updated_by`;

function toEnterprise(r: Record<string, unknown>): EnterpriseRow {
  return {
    id: String(r.id),
    uscc: String(r.uscc),
    name: String(r.name),
    region: String(r.region),
    industry: String(r.industry),
    scale: r.scale as EnterpriseRow['scale'],
    srdi: r.srdi as EnterpriseRow['srdi'],
    cloud: Boolean(r.cloud),
    digitalLevel: r.digital_level === null || r.digital_level === undefined ? null : (Number(r.digital_level) as EnterpriseRow['digitalLevel']),
    stage: r.stage as EnterpriseRow['stage'],
    updatedAt: new Date(r.updated_at as string),
    updatedBy: String(r.updated_by),
  };
}

function dateText(v: unknown): string {
  // pg returns DATE as a local-midnight Date, PGlite as a UTC-midnight Date or a string: normalise to yyyy-mm-dd.
  if (v instanceof Date) {
    const local = v.getHours() === 0 && v.getMinutes() === 0;
    const y = local ? v.getFullYear() : v.getUTCFullYear();
    const m = (local ? v.getMonth() : v.getUTCMonth()) + 1;
    const d = local ? v.getDate() : v.getUTCDate();
    return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
  return String(v).slice(0, 10);
}

export async function findEnterprisesByUscc(db: Queryable, usccs: string[]): Promise<Map<string, EnterpriseRow>> {
  if (usccs.length === 0) return new Map();
  const r = await db.query(`select ${ENTERPRISE_COLS} from progress_enterprises where uscc = any($1::text[])`, [usccs]);
  return new Map(r.rows.map((x) => [String(x.uscc), toEnterprise(x)]));
}

export async function insertEnterprise(db: Queryable, e: EnterpriseFields, by: string): Promise<EnterpriseRow> {
  const r = await db.query(
    `insert into progress_enterprises (uscc, name, region, industry, scale, srdi, cloud, digital_level, stage, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ${ENTERPRISE_COLS}`,
    [e.uscc, e.name, e.region, e.industry, e.scale, e.srdi, e.cloud, e.digitalLevel, e.stage, by],
  );
  return toEnterprise(r.rows[0]);
}

export async function updateEnterprise(db: Queryable, id: string, e: EnterpriseFields, by: string): Promise<void> {
  await db.query(
    `update progress_enterprises set name = $2, region = $3, industry = $4, scale = $5, srdi = $6, cloud = $7,
       digital_level = $8, stage = $9, updated_by = $10, updated_at = now() where id = $1`,
    [id, e.name, e.region, e.industry, e.scale, e.srdi, e.cloud, e.digitalLevel, e.stage, by],
  );
}

export async function insertStageEvent(db: Queryable, e: StageEventInput): Promise<void> {
  await db.query(
    `insert into progress_stage_events (enterprise_id, stage, level, occurred_on, source_kind, source, import_id)
     values ($1, $2, $3, $4::date, $5, $6, $7)`,
    [e.enterpriseId, e.stage, e.level, e.occurredOn, e.sourceKind, e.source, e.importId],
  );
}

export async function listStageEvents(db: Queryable, enterpriseIds?: string[]): Promise<StageEventRow[]> {
  const r = await db.query(
    `select id::text, enterprise_id::text, stage, level, occurred_on, source_kind, source, import_id::text, recorded_at
       from progress_stage_events e ${enterpriseIds ? 'where e.enterprise_id = any($1::bigint[])' : ''} order by e.enterprise_id, e.id`,
    enterpriseIds ? [enterpriseIds] : [],
  );
  return r.rows.map((x) => ({
    id: String(x.id),
    enterpriseId: String(x.enterprise_id),
    stage: x.stage as EnterpriseRow['stage'],
    level: x.level === null ? null : Number(x.level),
    occurredOn: dateText(x.occurred_on),
    sourceKind: x.source_kind as StageEventInput['sourceKind'],
    source: String(x.source),
    importId: (x.import_id as string | null) ?? null,
    recordedAt: new Date(x.recorded_at as string),
  }));
}

export interface EnterpriseFilter {
  region?: string;
  industry?: string;
}

export async function listEnterprises(db: Queryable, f: EnterpriseFilter = {}): Promise<EnterpriseRow[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (f.region) where.push(`region = $${params.push(f.region)}`);
  if (f.industry) where.push(`industry = $${params.push(f.industry)}`);
  const r = await db.query(`select ${ENTERPRISE_COLS} from progress_enterprises p ${where.length ? 'where ' + where.join(' and ') : ''} order by p.id`, params);
  return r.rows.map(toEnterprise);
}

/** The latest recorded date per (enterprise, stage): a later event for the same stage is a correction. */
export async function latestStageDates(db: Queryable): Promise<Map<string, Map<string, string>>> {
  const r = await db.query(
    `select distinct on (enterprise_id, stage) enterprise_id::text as e, stage, occurred_on
       from progress_stage_events order by progress_stage_events.enterprise_id, stage, progress_stage_events.id desc`,
  );
  const out = new Map<string, Map<string, string>>();
  for (const x of r.rows) {
    const e = String(x.e);
    if (!out.has(e)) out.set(e, new Map());
    out.get(e)!.set(String(x.stage), dateText(x.occurred_on));
  }
  return out;
}

export interface ImportRunInput {
  fileName: string;
  format: 'csv' | 'xlsx';
  actor: string;
  rowsTotal: number;
  rowsOk: number;
  rowsFailed: number;
  created: number;
  updated: number;
  unchanged: number;
  issues: unknown[];
}

export async function insertImportRun(db: Queryable, run: ImportRunInput): Promise<string> {
  const r = await db.query<{ id: string }>(
    `insert into progress_imports (file_name, format, actor, rows_total, rows_ok, rows_failed, created, updated, unchanged, issues)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb) returning id::text as id`,
    [run.fileName, run.format, run.actor, run.rowsTotal, run.rowsOk, run.rowsFailed, run.created, run.updated, run.unchanged, JSON.stringify(run.issues)],
  );
  return r.rows[0].id;
}

export async function finishImportRun(db: Queryable, id: string, counts: { created: number; updated: number; unchanged: number }): Promise<void> {
  await db.query(`update progress_imports set created = $2, updated = $3, unchanged = $4 where id = $1`, [id, counts.created, counts.updated, counts.unchanged]);
}

// ── outputs ─────────────────────────────────────────────────────────────────────────────────────────

export interface OutputRow {
  id: string;
  kpiId: string;
  name: string;
  region: string | null;
  industry: string | null;
  achievedOn: string;
  note: string | null;
  createdBy: string;
}

export async function upsertOutput(db: Queryable, o: Omit<OutputRow, 'id'>): Promise<OutputRow> {
  const r = await db.query(
    `insert into progress_outputs (kpi_id, name, region, industry, achieved_on, note, created_by) values ($1, $2, $3, $4, $5::date, $6, $7)
     on conflict (kpi_id, name) do update set region = excluded.region, industry = excluded.industry, achieved_on = excluded.achieved_on, note = excluded.note
     returning id::text as id, kpi_id, name, region, industry, achieved_on, note, created_by`,
    [o.kpiId, o.name, o.region, o.industry, o.achievedOn, o.note, o.createdBy],
  );
  return toOutput(r.rows[0]);
}

function toOutput(x: Record<string, unknown>): OutputRow {
  return {
    id: String(x.id),
    kpiId: String(x.kpi_id),
    name: String(x.name),
    region: (x.region as string | null) ?? null,
    industry: (x.industry as string | null) ?? null,
    achievedOn: dateText(x.achieved_on),
    note: (x.note as string | null) ?? null,
    createdBy: String(x.created_by),
  };
}

export async function listOutputs(db: Queryable): Promise<OutputRow[]> {
  const r = await db.query(`select id::text as id, kpi_id, name, region, industry, achieved_on, note, created_by from progress_outputs o order by o.id`);
  return r.rows.map(toOutput);
}

export async function deleteOutput(db: Queryable, id: string): Promise<boolean> {
  return (await db.query(`delete from progress_outputs where id = $1`, [id])).affectedRows > 0;
}

// ── officers ────────────────────────────────────────────────────────────────────────────────────────

export interface OfficerRow {
  id: string;
  name: string;
  /** null: the whole city. */
  region: string | null;
  hasApiToken: boolean;
  createdBy: string;
  createdAt: Date;
  disabledAt: Date | null;
}

const OFFICER_COLS = `id::text as id, name, region, api_token_hash is not null as has_token, created_by, created_at, disabled_at`;

function toOfficer(x: Record<string, unknown>): OfficerRow {
  return {
    id: String(x.id),
    name: String(x.name),
    region: (x.region as string | null) ?? null,
    hasApiToken: Boolean(x.has_token),
    createdBy: String(x.created_by),
    createdAt: new Date(x.created_at as string),
    disabledAt: x.disabled_at ? new Date(x.disabled_at as string) : null,
  };
}

export async function insertOfficer(db: Queryable, o: { name: string; region: string | null; createdBy: string }): Promise<OfficerRow> {
  const r = await db.query(`insert into progress_officers (name, region, created_by) values ($1, $2, $3) returning ${OFFICER_COLS}`, [o.name, o.region, o.createdBy]);
  return toOfficer(r.rows[0]);
}

export async function getOfficer(db: Queryable, id: string): Promise<OfficerRow | null> {
  if (!/^\d+$/.test(id)) return null;
  const r = await db.query(`select ${OFFICER_COLS} from progress_officers where id = $1`, [id]);
  return r.rows[0] ? toOfficer(r.rows[0]) : null;
}

export async function listOfficers(db: Queryable): Promise<OfficerRow[]> {
  return (await db.query(`select ${OFFICER_COLS} from progress_officers o order by o.id`)).rows.map(toOfficer);
}

export async function updateOfficer(db: Queryable, id: string, o: { name?: string; region?: string | null; disabled?: boolean }): Promise<OfficerRow | null> {
  const r = await db.query(
    `update progress_officers set name = coalesce($2, name), region = case when $3::boolean then $4 else region end,
       disabled_at = case when $5::boolean is null then disabled_at when $5::boolean then coalesce(disabled_at, now()) else null end
     where id = $1 returning ${OFFICER_COLS}`,
    [id, o.name ?? null, o.region !== undefined, o.region ?? null, o.disabled ?? null],
  );
  return r.rows[0] ? toOfficer(r.rows[0]) : null;
}

export async function setOfficerTokenHash(db: Queryable, id: string, hash: string | null): Promise<void> {
  await db.query(`update progress_officers set api_token_hash = $2 where id = $1`, [id, hash]);
}

export async function findOfficerByTokenHash(db: Queryable, hash: string): Promise<OfficerRow | null> {
  const r = await db.query(`select ${OFFICER_COLS} from progress_officers where api_token_hash = $1`, [hash]);
  return r.rows[0] ? toOfficer(r.rows[0]) : null;
}

export async function insertBindCode(db: Queryable, c: { hash: string; officerId: string; createdBy: string; expiresAt: Date }): Promise<void> {
  await db.query(`insert into progress_bind_codes (code_hash, officer_id, created_by, expires_at) values ($1, $2, $3, $4)`, [c.hash, c.officerId, c.createdBy, c.expiresAt]);
}

export interface BindCodeRow {
  officerId: string;
  expiresAt: Date;
  usedAt: Date | null;
}

export async function findBindCode(db: Queryable, hash: string): Promise<BindCodeRow | null> {
  const r = await db.query(`select officer_id::text as officer_id, expires_at, used_at from progress_bind_codes where code_hash = $1`, [hash]);
  const x = r.rows[0];
  return x ? { officerId: String(x.officer_id), expiresAt: new Date(x.expires_at as string), usedAt: x.used_at ? new Date(x.used_at as string) : null } : null;
}

/** Marks an unused, unexpired code used; false when another request used it first or it expired. */
export async function consumeBindCode(db: Queryable, hash: string, usedBy: string, now: Date): Promise<boolean> {
  const r = await db.query(`update progress_bind_codes set used_at = $3, used_by = $2 where code_hash = $1 and used_at is null and expires_at > $3`, [hash, usedBy, now]);
  return r.affectedRows === 1;
}

export async function bindOfficerUser(db: Queryable, userId: string, officerId: string): Promise<void> {
  await db.query(
    `insert into progress_officer_bindings (user_id, officer_id) values ($1, $2)
     on conflict (user_id) do update set officer_id = excluded.officer_id, bound_at = now()`,
    [userId, officerId],
  );
}

export async function officerForUser(db: Queryable, userId: string): Promise<OfficerRow | null> {
  const r = await db.query(
    `select o.id::text as id, o.name, o.region, o.api_token_hash is not null as has_token, o.created_by, o.created_at, o.disabled_at
       from progress_officer_bindings b join progress_officers o on o.id = b.officer_id where b.user_id = $1`,
    [userId],
  );
  return r.rows[0] ? toOfficer(r.rows[0]) : null;
}
