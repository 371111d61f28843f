/**
 * GET /api/progress (?region=&industry=&year=): the same figures as `npm run progress -- report --json`;
 * GET /api/progress/ranking (?quarter=2025Q3): the quarterly 晾晒 ranking. Authenticated by a bearer
 * token: the admin API token (API_TOKEN, whole city) or an officer's own token, scoped like the officer —
 * 401 without a valid token, 403 for a region outside the officer's scope. Every query is audited.
 */
import crypto from 'node:crypto';
import { Router, type Request } from 'express';
import { AppError, recordAudit } from '../../db/index.ts';
import { canSee, parseQuarter, type ProgressService } from '../../knowledge/progress/index.ts';
import type { Services } from '../services.ts';

type Caller = { kind: 'admin' } | { kind: 'officer'; id: string; name: string; region: string | null };

function safeEqual(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

async function authenticate(req: Request, services: Services): Promise<Caller> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  if (!m) throw new AppError('unauthorized', 'missing bearer token', { userMessage: '请在 Authorization 头中提供访问令牌（Bearer）。' });
  const token = m[1];
  const adminToken = services.config.admin.apiToken;
  if (adminToken && safeEqual(token, adminToken)) return { kind: 'admin' };
  const officer = await services.progress.officers.byApiToken(token);
  if (officer) return { kind: 'officer', id: officer.id, name: officer.name, region: officer.region };
  throw new AppError('unauthorized', 'invalid bearer token', { userMessage: '访问令牌无效或已停用。' });
}

function one(v: unknown): string | undefined {
  if (Array.isArray(v)) return one(v[0]);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Query → scope, with field-level Chinese messages; the officer's own region when none is asked. */
function scopeFor(progress: ProgressService, caller: Caller, query: Request['query']) {
  const fields: Record<string, string> = {};
  const regionText = one(query.region);
  const industryText = one(query.industry);
  const yearText = one(query.year);
  let region = regionText ? progress.vocab.resolveRegion(regionText) : undefined;
  if (regionText && !region) {
    const s = progress.vocab.suggestRegions(regionText);
    fields.region = `未知区县“${regionText}”，${s.length ? `您是不是要查：${s.join('、')}` : `可选：${progress.vocab.regions.join('、')}`}`;
  }
  const industry = industryText ? progress.vocab.resolveIndustry(industryText) : undefined;
  if (industryText && !industry) fields.industry = `未知行业“${industryText}”，试点行业为：${[...progress.vocab.industryNames.values()].join('、')}`;
  const year = yearText ? Number(yearText) : undefined;
  if (yearText && !progress.pack.targets.years.includes(year!)) fields.year = `年份应为 ${progress.pack.targets.years.join('、')} 之一`;
  if (Object.keys(fields).length) throw AppError.validation(fields);
  if (caller.kind === 'officer') {
    if (!region && caller.region) region = caller.region;
    if (!canSee(caller, region))
      throw new AppError('forbidden', `officer ${caller.id} (${caller.region}) asked for ${region}`, { userMessage: `您的权限范围是${caller.region}，不能查看${region}的数据。` });
  }
  return { ...(region ? { region } : {}), ...(industry ? { industry } : {}), ...(year ? { year } : {}) };
}

async function audit(services: Services, caller: Caller, what: string, details: Record<string, unknown>, ip: string | undefined) {
  await recordAudit(services.db, {
    actorKind: caller.kind === 'officer' ? 'officer' : 'admin_user',
    actorId: caller.kind === 'officer' ? caller.id : null,
    actorName: caller.kind === 'officer' ? caller.name : 'API_TOKEN',
    action: 'progress.query',
    targetType: 'progress',
    targetId: what,
    details: { via: 'api', ...details },
    ip: ip ?? null,
  });
}

export function progressRouter(services: Services): Router {
  const router = Router();
  router.get('/api/progress', async (req, res) => {
    const caller = await authenticate(req, services);
    let scope: ReturnType<typeof scopeFor>;
    try {
      scope = scopeFor(services.progress, caller, req.query);
    } catch (e) {
      // Refusals are audited too: an officer probing other districts is what an audit is for.
      if (e instanceof AppError && e.code === 'forbidden') await audit(services, caller, 'report', { refused: true, query: req.query }, req.ip);
      throw e;
    }
    const report = await services.progress.report(scope);
    await audit(services, caller, 'report', scope, req.ip);
    res.json(report);
  });
  router.get('/api/progress/ranking', async (req, res) => {
    const caller = await authenticate(req, services);
    const qText = one(req.query.quarter);
    const quarter = qText ? parseQuarter(qText) : undefined;
    if (qText && !quarter) throw AppError.validation({ quarter: '季度写法如 2025Q3 或 2025年第三季度' });
    // The 晾晒 ranking is published to every district, so any officer may read it whole.
    const ranking = await services.progress.ranking(quarter ?? undefined);
    await audit(services, caller, 'ranking', { quarter: ranking.label }, req.ip);
    res.json(ranking);
  });
  return router;
}
