/**
 * District officers: created by an admin with a scope (one region, or the whole city), bound to a chat
 * identity with a one-time code, and optionally given an API token. Codes and tokens are random, shown
 * once, and stored only as SHA-256 hashes; a code expires (24 h by default) and works exactly once.
 */
import crypto from 'node:crypto';
import { AppError, progressRepo, type Db, type OfficerRow } from '../../db/index.ts';
import type { Vocabulary } from './vocab.ts';

export const BIND_CODE_TTL_MS = 24 * 60 * 60 * 1000;
// No 0/O/1/I/L: codes are read off a screen and typed on a phone.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export function newBindCode(): string {
  const bytes = crypto.randomBytes(8);
  return [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

export function normalizeCode(text: string): string {
  return text.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
}

/** What a scope allows: null region means the whole city. */
export function canSee(officer: Pick<OfficerRow, 'region'>, region: string | null | undefined): boolean {
  return officer.region === null || (region !== null && region !== undefined && region === officer.region);
}

export type BindResult =
  | { ok: true; officer: OfficerRow }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'disabled'; message: string };

export interface OfficerService {
  create(input: { name: string; region: string }, createdBy: string): Promise<OfficerRow>;
  list(): Promise<OfficerRow[]>;
  get(id: string): Promise<OfficerRow | null>;
  update(id: string, patch: { name?: string; region?: string; disabled?: boolean }): Promise<OfficerRow>;
  /** A fresh one-time binding code (shown once). */
  issueBindCode(officerId: string, createdBy: string): Promise<{ code: string; expiresAt: Date }>;
  bind(userId: string, code: string): Promise<BindResult>;
  forUser(userId: string): Promise<OfficerRow | null>;
  /** A fresh API token for GET /api/progress (shown once; replaces the previous one). */
  issueApiToken(officerId: string): Promise<string>;
  byApiToken(token: string): Promise<OfficerRow | null>;
}

export function createOfficerService(db: Db, vocab: Vocabulary, clock: () => Date): OfficerService {
  const resolveScope = (region: string): string | null => {
    const r = region.trim();
    if (['all', '全市', '*', vocab.city, vocab.city.replace(/市$/, '')].includes(r)) return null;
    const name = vocab.resolveRegion(r);
    if (!name) {
      const s = vocab.suggestRegions(r);
      throw AppError.validation({ region: `未知区县“${r}”${s.length ? `，您是不是要填：${s.join('、')}` : ''}；全市请填 all` });
    }
    return name;
  };
  const mustGet = async (id: string) => {
    const o = await progressRepo.getOfficer(db, id);
    if (!o) throw new AppError('not_found', `officer ${id} not found`, { userMessage: `没有编号为 ${id} 的专员。` });
    return o;
  };
  return {
    async create(input, createdBy) {
      const name = input.name.trim();
      if (!name) throw AppError.validation({ name: '请填写专员姓名' });
      if (name.length > 100) throw AppError.validation({ name: '姓名过长' });
      return progressRepo.insertOfficer(db, { name, region: resolveScope(input.region), createdBy });
    },
    list: () => progressRepo.listOfficers(db),
    get: (id) => progressRepo.getOfficer(db, id),
    async update(id, patch) {
      await mustGet(id);
      const row = await progressRepo.updateOfficer(db, id, {
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.region !== undefined ? { region: resolveScope(patch.region) } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
      });
      return row!;
    },
    async issueBindCode(officerId, createdBy) {
      const o = await mustGet(officerId);
      if (o.disabledAt) throw new AppError('conflict', `officer ${officerId} is disabled`, { userMessage: '该专员已停用，不能生成绑定码。' });
      const code = newBindCode();
      const expiresAt = new Date(clock().getTime() + BIND_CODE_TTL_MS);
      await progressRepo.insertBindCode(db, { hash: sha256(code), officerId, createdBy, expiresAt });
      return { code, expiresAt };
    },
    async bind(userId, code) {
      const hash = sha256(normalizeCode(code));
      const now = clock();
      return db.transaction(async (tx) => {
        const row = await progressRepo.findBindCode(tx, hash);
        if (!row) return { ok: false, reason: 'unknown', message: '绑定码不正确，请核对后重试（绑定码由管理员生成）。' } as const;
        if (row.usedAt) return { ok: false, reason: 'used', message: '该绑定码已使用过，每个绑定码只能用一次。请联系管理员重新生成。' } as const;
        if (row.expiresAt <= now) return { ok: false, reason: 'expired', message: '该绑定码已过期，请联系管理员重新生成。' } as const;
        const officer = await progressRepo.getOfficer(tx, row.officerId);
        if (!officer || officer.disabledAt) return { ok: false, reason: 'disabled', message: '该专员账号已停用，无法绑定。' } as const;
        // The conditional update is the real guard: two simultaneous /bind with one code cannot both win.
        if (!(await progressRepo.consumeBindCode(tx, hash, userId, now)))
          return { ok: false, reason: 'used', message: '该绑定码已使用过，每个绑定码只能用一次。请联系管理员重新生成。' } as const;
        await progressRepo.bindOfficerUser(tx, userId, officer.id);
        return { ok: true, officer } as const;
      });
    },
    async forUser(userId) {
      const o = await progressRepo.officerForUser(db, userId);
      return o && !o.disabledAt ? o : null;
    },
    async issueApiToken(officerId) {
      await mustGet(officerId);
      const token = `sgp_${crypto.randomBytes(24).toString('base64url')}`;
      await progressRepo.setOfficerTokenHash(db, officerId, sha256(token));
      return token;
    },
    async byApiToken(token) {
      const o = await progressRepo.findOfficerByTokenHash(db, sha256(token));
      return o && !o.disabledAt ? o : null;
    },
  };
}
