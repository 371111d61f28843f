import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb, restorePgliteBackup } from '../../db/index.ts';

describe('embedded backup and restore', () => {
  it('restores a backup into a new directory with its data, and refuses to restore over data', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-backup-'));
    const a = await openDb({ kind: 'pglite', dataDir: path.join(root, 'a') });
    await a.query("insert into app_settings (key, value) values ('backup-check', '\"ok\"'::jsonb)");
    const archive = await a.backup!();
    await a.close();
    expect(archive.length).toBeGreaterThan(1000);

    await restorePgliteBackup(path.join(root, 'b'), archive);
    const b = await openDb({ kind: 'pglite', dataDir: path.join(root, 'b') });
    expect((await b.query<{ value: string }>("select value from app_settings where key = 'backup-check'")).rows[0].value).toBe('ok');
    await b.close();

    await expect(restorePgliteBackup(path.join(root, 'a'), archive)).rejects.toMatchObject({ code: 'db_data_dir' });
  });
});
