/**
 * `npm run progress -- <command>`: the programme office's terminal tools on the same database and pack as the
 * server. import FILE, report [--region R] [--industry I] [--year Y] [--json], export [--out FILE],
 * ranking [--quarter 2025Q3] [--json], officer add|list|code|token, output add|list.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, openDb } from '../../db/index.ts';
import { loadPack } from '../../knowledge/index.ts';
import { createProgressService, formatImportReport, formatRanking, formatReport, parseQuarter, type ProgressService } from '../../knowledge/progress/index.ts';
import { loadConfig } from '../config.ts';

const USAGE = `用法 usage: npm run progress -- <命令>
  import 文件.csv|文件.xlsx            导入试点企业台账（按统一社会信用代码去重，可重复导入）
  report [--region 区县] [--industry 行业] [--year 年份] [--json]
  export [--region 区县] [--industry 行业] [--out 文件.csv]
  ranking [--quarter 2025Q3] [--industry 行业] [--json]
  officer add --name 姓名 --region 永康市|all
  officer list
  officer code 专员编号                  生成一次性绑定码（24小时内有效）
  officer token 专员编号                 生成 /api/progress 的访问令牌
  output add --kpi 指标编号 --name 名称 --date 2025-06-30 [--region 区县] [--industry 行业]
  output list`;

interface Args {
  positional: string[];
  flags: Record<string, string | true>;
}

export function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2);
      if (inline !== undefined) flags[k] = inline;
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[k] = argv[++i];
      else flags[k] = true;
    } else positional.push(a);
  }
  return { positional, flags };
}

function str(flags: Args['flags'], name: string): string | undefined {
  const v = flags[name];
  if (v === true) throw AppError.validation({ [name]: `--${name} 需要一个值` });
  return v;
}

/** Region/industry flags as the pack names them; unknown names fail with suggestions. */
function scopeFrom(progress: ProgressService, flags: Args['flags']) {
  const regionText = str(flags, 'region');
  const industryText = str(flags, 'industry');
  const region = regionText ? progress.vocab.resolveRegion(regionText) : undefined;
  if (regionText && !region) throw AppError.validation({ region: `未知区县“${regionText}”，可选：${(progress.vocab.suggestRegions(regionText).length ? progress.vocab.suggestRegions(regionText) : progress.vocab.regions).join('、')}` });
  const industry = industryText ? progress.vocab.resolveIndustry(industryText) : undefined;
  if (industryText && !industry) throw AppError.validation({ industry: `未知行业“${industryText}”，试点行业为：${[...progress.vocab.industryNames.values()].join('、')}` });
  const yearText = str(flags, 'year');
  const year = yearText ? Number(yearText) : undefined;
  if (yearText && (!Number.isInteger(year) || !progress.pack.targets.years.includes(year!)))
    throw AppError.validation({ year: `年份应为 ${progress.pack.targets.years.join('、')} 之一` });
  return { ...(region ? { region } : {}), ...(industry ? { industry } : {}), ...(year ? { year } : {}) };
}

async function officerCommand(progress: ProgressService, args: Args, out: (s: string) => void): Promise<number> {
  const [, sub, id] = args.positional;
  if (sub === 'add') {
    const name = str(args.flags, 'name');
    const region = str(args.flags, 'region');
    if (!name || !region) throw AppError.validation({ name: '用法：officer add --name 姓名 --region 永康市|all' });
    const o = await progress.officers.create({ name, region }, 'cli');
    out(`已创建专员 #${o.id} ${o.name}（范围：${o.region ?? '全市'}）。生成绑定码：npm run progress -- officer code ${o.id}`);
    return 0;
  }
  if (sub === 'list') {
    for (const o of await progress.officers.list()) out(`#${o.id}\t${o.name}\t${o.region ?? '全市'}${o.disabledAt ? '\t已停用' : ''}${o.hasApiToken ? '\t有API令牌' : ''}`);
    return 0;
  }
  if ((sub === 'code' || sub === 'token') && id) {
    if (sub === 'code') {
      const c = await progress.officers.issueBindCode(id, 'cli');
      out(`绑定码：${c.code}\n请专员在聊天中发送：/bind ${c.code}\n有效期至 ${c.expiresAt.toISOString()}，只能使用一次。`);
    } else {
      const t = await progress.officers.issueApiToken(id);
      out(`API 令牌（只显示这一次，旧令牌已失效）：${t}\n用法：curl -H "Authorization: Bearer ${t}" http://127.0.0.1:3000/api/progress`);
    }
    return 0;
  }
  throw AppError.validation({ officer: USAGE });
}

export interface CliIo {
  out?: (s: string) => void;
  /** An already-built progress service (tests); otherwise one is built from the environment. */
  progress?: ProgressService;
}

/**
 * Only what progress needs (database, pack, progress service): the CLI must not wait for the knowledge
 * base to ingest and embed the pack just to print a report.
 */
async function openProgress(): Promise<{ progress: ProgressService; close(): Promise<void> }> {
  const config = loadConfig();
  const db = await openDb(config.db);
  try {
    return { progress: createProgressService({ db, pack: loadPack(config.pack.id, config.pack.dir), clock: () => new Date() }), close: () => db.close() };
  } catch (e) {
    await db.close();
    throw e;
  }
}

export async function run(argv: string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((s: string) => void process.stdout.write(s + '\n'));
  const args = parseArgs(argv);
  const command = args.positional[0];
  if (!command || command === 'help' || args.flags.help) {
    out(USAGE);
    return command ? 0 : 2;
  }
  const opened = io.progress ? null : await openProgress();
  const progress = io.progress ?? opened!.progress;
  try {
    switch (command) {
      case 'import': {
        const file = args.positional[1];
        if (!file) throw AppError.validation({ file: '请给出要导入的文件，例如：npm run progress -- import 台账.xlsx' });
        let bytes: Buffer;
        try {
          bytes = fs.readFileSync(file);
        } catch (e) {
          throw new AppError('validation', `cannot read ${file}`, { cause: e, userMessage: `无法读取文件 ${file}：${(e as NodeJS.ErrnoException).code ?? ''}` });
        }
        const report = await progress.importFile(path.basename(file), bytes, String(str(args.flags, 'actor') ?? 'cli'));
        out(args.flags.json ? JSON.stringify(report, null, 2) : formatImportReport(report));
        return report.rowsFailed > 0 ? 1 : 0;
      }
      case 'report': {
        const report = await progress.report(scopeFrom(progress, args.flags));
        out(args.flags.json ? JSON.stringify(report, null, 2) : formatReport(report, progress.vocab.city, progress.industryName));
        return 0;
      }
      case 'export': {
        const csv = await progress.exportCsv(scopeFrom(progress, args.flags));
        const file = str(args.flags, 'out');
        if (file) {
          fs.writeFileSync(file, csv);
          out(`已导出到 ${file}`);
        } else process.stdout.write(csv);
        return 0;
      }
      case 'ranking': {
        const qText = str(args.flags, 'quarter');
        const quarter = qText ? parseQuarter(qText) : undefined;
        if (qText && !quarter) throw AppError.validation({ quarter: '季度写法如 2025Q3 或 2025年第三季度' });
        const industry = scopeFrom(progress, { industry: args.flags.industry ?? '' }).industry;
        const r = await progress.ranking(quarter ?? undefined, industry);
        out(args.flags.json ? JSON.stringify(r, null, 2) : formatRanking(r));
        return 0;
      }
      case 'officer':
        return await officerCommand(progress, args, out);
      case 'output': {
        const sub = args.positional[1];
        if (sub === 'list') {
          const { outputs } = await progress.load();
          for (const o of outputs) out(`#${o.id}\t${o.kpiId}\t${o.name}\t${o.region ?? ''}\t${o.achievedOn}`);
          return 0;
        }
        if (sub === 'add') {
          const scope = scopeFrom(progress, { region: args.flags.region ?? '', industry: args.flags.industry ?? '' });
          const o = await progress.addOutput({ kpiId: str(args.flags, 'kpi') ?? '', name: str(args.flags, 'name') ?? '', achievedOn: str(args.flags, 'date') ?? '', region: scope.region ?? null, industry: scope.industry ?? null }, 'cli');
          out(`已记录成果 #${o.id}：${o.name}（${o.kpiId}，${o.achievedOn}）`);
          return 0;
        }
        throw AppError.validation({ output: USAGE });
      }
      default:
        out(USAGE);
        return 2;
    }
  } finally {
    await opened?.close();
  }
}
