/**
 * A restart in the middle of a flow resumes where the user was: the engine is reopened on the same
 * on-disk database (new process state, same data), the old buttons still verify (the generated secret
 * is persisted), and stale flow versions are migrated by restore() or restarted with a notice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type IncomingMessage, type OutgoingMessage } from '../../bot/index.ts';
import { openDb, type Db } from '../../db/index.ts';
import { fixtureAnswerer } from '../helpers/script.ts';
import { formFlow } from './fixtures.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-restart-'));
let db: Db | undefined;
let seq = 0;
const msg = (user: string, body: { text?: string; payload?: string }): IncomingMessage => ({
  id: `r${++seq}`,
  channel: 'telegram',
  user: { externalId: user },
  chat: { id: user, kind: 'private' },
  receivedAt: new Date(),
  ...body,
});
const text = (replies: OutgoingMessage[]) => replies.map((r) => r.text).join('\n');
const limits = { ratePerMinute: 1000, maxMessageChars: 2000 };

afterAll(async () => {
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('restart in the middle of a flow', () => {
  it('resumes after reopening the database, with the old buttons still valid', async () => {
    db = await openDb({ kind: 'pglite', dataDir: dir });
    const before = await createEngine({ db, answerer: fixtureAnswerer(), flows: [formFlow()], limits });
    await before.handle(msg('u1', { text: '/form' }));
    const asked = await before.handle(msg('u1', { text: '东阳磁材有限公司' }));
    const above = asked.replies.flatMap((r) => r.buttons?.flat() ?? []).find((b) => b.label === '规上')!;
    await before.handle(msg('u2', { text: '/form' }));
    await before.handle(msg('u3', { text: '/form' }));
    await before.handle(msg('u3', { text: '浦江服装厂' }));
    await db.close();

    db = await openDb({ kind: 'pglite', dataDir: dir });
    const after = await createEngine({ db, answerer: fixtureAnswerer(), flows: [formFlow()], limits });
    expect(text((await after.handle(msg('u1', { payload: above.payload }))).replies)).toBe('已记录：东阳磁材有限公司，规上。');

    // A new version of the flow without restore(): the user is told and the flow starts over.
    const v2 = await createEngine({ db, answerer: fixtureAnswerer(), flows: [formFlow({ version: 2 })], limits });
    const restarted = await v2.handle(msg('u2', { text: '义乌某某' }));
    expect(text(restarted.replies)).toContain('已更新');
    expect(text(restarted.replies)).toContain('企业名称');

    // With restore(): the stored state is migrated and the user continues.
    const migrating = await createEngine({ db, answerer: fixtureAnswerer(), flows: [formFlow({ version: 2, withRestore: true })], limits });
    const continued = await migrating.handle(msg('u3', { text: '随便' }));
    expect(text(continued.replies)).toContain('请点选规模按钮');
    const conv = await migrating.chat.findConversation('telegram', 'u3', 'u3');
    expect(conv).toMatchObject({ flowId: 'form', flowVersion: 2, flowState: { name: '浦江服装厂' } });
  }, 240_000);
});
