/**
 * The progress service: one object the console, the CLI, the API and the chat flow share. It loads the
 * pack's targets and ranking, reads enterprise records from the database, and answers reports, rankings,
 * lists, imports and exports. Collaborators (db, pack, clock) come in through the factory.
 */
import { AppError, progressRepo, type Db, type OutputRow } from '../../db/index.ts';
import { parseDate } from './cells.ts';
import type { Pack } from '../pack/index.ts';
import { COLUMNS } from './columns.ts';
import { writeCsv } from './csv.ts';
import { importFile, type ImportReport } from './import.ts';
import { progressReport, inScope, type ProgressReport, type Scope } from './metrics.ts';
import { fillReachedDates, LEVEL_NAMES, SCALE_NAMES, SRDI_NAMES, STAGE_NAMES, reached, stageIndex, type EnterpriseRecord, type OutputRecord, type StageId } from './model.ts';
import { createOfficerService, type OfficerService } from './officers.ts';
import { loadProgressPack, type ProgressPack } from './pack.ts';
import { quarterOf, quarterRanking, type Quarter, type RankingResult } from './ranking.ts';
import { buildVocabulary, type Vocabulary } from './vocab.ts';

export interface ProgressData {
  enterprises: EnterpriseRecord[];
  outputs: OutputRecord[];
}

export interface EnterpriseListQuery extends Scope {
  /** Enterprises that have reached at least this stage … */
  reached?: StageId;
  /** … and/or have not yet reached this one. */
  notReached?: StageId;
}

export interface ProgressService {
  pack: ProgressPack;
  vocab: Vocabulary;
  officers: OfficerService;
  /** Today in the programme's time zone, yyyy-mm-dd. */
  today(): string;
  load(): Promise<ProgressData>;
  report(scope?: Scope & { year?: number }): Promise<ProgressReport>;
  ranking(quarter?: Quarter, industry?: string): Promise<RankingResult>;
  enterprises(q: EnterpriseListQuery): Promise<EnterpriseRecord[]>;
  importFile(fileName: string, bytes: Uint8Array, actor: string): Promise<ImportReport>;
  exportCsv(scope?: Scope): Promise<string>;
  industryName(id: string): string;
  /** Records a programme output (solution, workshop, provider, chain model, practice, honour). */
  addOutput(input: { kpiId: string; name: string; achievedOn: string; region: string | null; industry: string | null; note?: string }, actor: string): Promise<OutputRow>;
}

export function dateInZone(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export async function loadProgressData(db: Db): Promise<ProgressData> {
  const [rows, dates, outputs] = await Promise.all([progressRepo.listEnterprises(db), progressRepo.latestStageDates(db), progressRepo.listOutputs(db)]);
  return {
    enterprises: rows.map((r) => {
      const recorded: Partial<Record<StageId, string>> = {};
      for (const [stage, date] of dates.get(r.id) ?? []) recorded[stage as StageId] = date;
      return {
        id: r.id,
        uscc: r.uscc,
        name: r.name,
        region: r.region,
        industry: r.industry,
        scale: r.scale,
        srdi: r.srdi,
        cloud: r.cloud,
        level: r.digitalLevel,
        stage: r.stage,
        reachedOn: fillReachedDates(r.stage, recorded),
      };
    }),
    outputs: outputs.map((o) => ({ id: o.id, kpiId: o.kpiId, name: o.name, region: o.region, industry: o.industry, achievedOn: o.achievedOn })),
  };
}

export function createProgressService(deps: { db: Db; pack: Pack; clock: () => Date }): ProgressService {
  const { db, pack, clock } = deps;
  const progressPack = loadProgressPack(pack);
  const vocab = buildVocabulary(pack);
  const today = () => dateInZone(clock(), pack.manifest.timezone);
  const industryName = (id: string) => vocab.industryNames.get(id) ?? id;
  return {
    pack: progressPack,
    vocab,
    officers: createOfficerService(db, vocab, clock),
    today,
    industryName,
    load: () => loadProgressData(db),
    async report(scope = {}) {
      return progressReport(await loadProgressData(db), progressPack.targets, scope, today());
    },
    async ranking(quarter, industry) {
      return quarterRanking(await loadProgressData(db), progressPack.ranking, vocab.regions, quarter ?? quarterOf(today()), industry);
    },
    async enterprises(q) {
      const { enterprises } = await loadProgressData(db);
      return inScope(enterprises, q)
        .filter((e) => (!q.reached || reached(e.stage, q.reached)) && (!q.notReached || !reached(e.stage, q.notReached)))
        .sort((a, b) => stageIndex(a.stage) - stageIndex(b.stage) || a.name.localeCompare(b.name, 'zh'));
    },
    async addOutput(input, actor) {
      const fields: Record<string, string> = {};
      const kind = progressPack.outputKinds.find((k) => k.id === input.kpiId);
      if (!kind) fields.kpiId = `未知的成果类别“${input.kpiId}”，可选：${progressPack.outputKinds.map((k) => `${k.id}（${k.label}）`).join('、')}`;
      const name = input.name.trim();
      if (!name) fields.name = '请填写成果名称';
      const date = parseDate(input.achievedOn, '日期');
      if (!date.ok) fields.achievedOn = date.error;
      else if (date.value > today()) fields.achievedOn = '日期不能晚于今天';
      if (input.region && !vocab.regions.includes(input.region)) fields.region = `未知区县“${input.region}”`;
      if (input.industry && !vocab.industryNames.has(input.industry)) fields.industry = `未知行业“${input.industry}”`;
      if (Object.keys(fields).length || !date.ok) throw AppError.validation(fields);
      return progressRepo.upsertOutput(db, { kpiId: input.kpiId, name, achievedOn: date.value, region: input.region, industry: input.industry, note: input.note ?? null, createdBy: actor });
    },
    importFile: (fileName, bytes, actor) => importFile(db, fileName, bytes, vocab, { actor, today: today() }),
    async exportCsv(scope = {}) {
      const [{ enterprises }, recorded] = await Promise.all([loadProgressData(db), progressRepo.latestStageDates(db)]);
      const header = COLUMNS.map((c) => c.zh);
      const rows = inScope(enterprises, scope).map((e) => {
        const own = recorded.get(e.id);
        return COLUMNS.map((c) => {
          switch (c.key) {
            case 'name': return e.name;
            case 'uscc': return e.uscc;
            case 'region': return e.region;
            case 'industry': return industryName(e.industry);
            case 'scale': return SCALE_NAMES[e.scale];
            case 'srdi': return SRDI_NAMES[e.srdi];
            case 'stage': return STAGE_NAMES[e.stage];
            case 'level': return e.level ? LEVEL_NAMES[e.level] : '';
            case 'cloud': return e.cloud ? '是' : '否';
            default: {
              const stage = c.key.slice('date:'.length) as StageId;
              // Only stages with a recorded date, at or before the current stage, so a re-import changes nothing;
              // reachedOn keeps them in order even when a later stage was dated earlier.
              return reached(e.stage, stage) && own?.has(stage) ? (e.reachedOn[stage] ?? '') : '';
            }
          }
        });
      });
      return writeCsv([header, ...rows]);
    },
  };
}

