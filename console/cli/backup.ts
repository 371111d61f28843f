/**
 * `npm run backup -- FILE.tar.gz` and `npm run restore -- FILE.tar.gz`: a consistent copy of the embedded
 * database. The service must be stopped (PGlite allows one process per directory, and the lock file
 * says so). PostgreSQL deployments use pg_dump / pg_restore instead (docs/operations.md).
 */
import fs from 'node:fs';
import { AppError, openDb, restorePgliteBackup } from '../../db/index.ts';
import { loadConfig } from '../config.ts';

export async function run(argv: string[]): Promise<number> {
  const [mode, file] = argv;
  if ((mode !== 'backup' && mode !== 'restore') || !file)
    throw new AppError('validation', 'usage: npm run backup -- FILE.tar.gz | npm run restore -- FILE.tar.gz');
  const config = loadConfig();
  if (config.db.kind !== 'pglite')
    throw new AppError('unsupported', 'DATABASE_URL is set: back up PostgreSQL with pg_dump -Fc and restore with pg_restore (see docs/operations.md)');
  if (mode === 'backup') {
    const db = await openDb(config.db, { runMigrations: false });
    try {
      const bytes = await db.backup!();
      fs.writeFileSync(file, bytes);
      process.stdout.write(`已备份 ${config.db.dataDir} → ${file}（${(bytes.length / 1024).toFixed(0)} KB）\n`);
    } finally {
      await db.close();
    }
  } else {
    if (!fs.existsSync(file)) throw new AppError('not_found', `backup file ${file} does not exist`);
    await restorePgliteBackup(config.db.dataDir, new Uint8Array(fs.readFileSync(file)));
    process.stdout.write(`已从 ${file} 恢复到 ${config.db.dataDir}\n`);
  }
  return 0;
}
