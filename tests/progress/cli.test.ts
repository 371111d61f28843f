// `npm run progress -- import FILE` and `report --json` through the CLI command (in-process, on the test
// database; the same run() console/main.ts dispatches to).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runCli } from '../../console/cli/progress.ts';
import { loadPack } from '../../knowledge/index.ts';
import { createProgressService, type ProgressService } from '../../knowledge/progress/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { uscc } from './fixtures.ts';

describe('progress CLI', () => {
  let dir: string;
  const lines: string[] = [];
  const out = (s: string) => void lines.push(s);
  let t: TestDb;
  let progress: ProgressService;
  const run = (argv: string[], o: (s: string) => void) => runCli(argv, { out: o, progress });
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-progress-'));
    t = await openTestDb();
    progress = createProgressService({ db: t.db, pack: loadPack('jinhua'), clock: () => new Date() });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports a file, prints the row report, then reports reached/current and targets as JSON', async () => {
    const file = path.join(dir, '台账.csv');
    fs.writeFileSync(
      file,
      '\ufeff企业名称,统一社会信用代码,区县,行业,规模,专精特新,阶段,数字化等级,是否上云,签约日期,验收日期\r\n' +
        `甲,${uscc(1)},永康,电动工具,规上,否,达标,二级,是,2025-01-02,2025-06-01\r\n` +
        `乙,${uscc(2)},永康,电动工具,规上,小巨人,实施,,否,2025-02-02,\r\n` +
        `丙,${uscc(3, '330783')},东阳,磁性材料,规下,否,签约,,是,2025-03-03,\r\n` +
        `丁,BAD,东阳,磁性材料,规下,否,签约,,是,,\r\n`,
    );
    expect(await run(['import', file], out)).toBe(1); // a failed row makes the exit code non-zero
    expect(lines.join('\n')).toMatch(/共 4 行，成功 3 行.*失败 1 行/);
    expect(lines.join('\n')).toContain('第5行 统一社会信用代码');

    lines.length = 0;
    expect(await run(['report', '--json'], out)).toBe(0);
    const r = JSON.parse(lines.join('\n'));
    expect(r.reached).toEqual({ 入库: 3, 签约: 3, 诊断: 2, 实施: 2, 验收: 1, 达标: 1, 兑现: 0 });
    expect(r.current).toEqual({ 入库: 0, 签约: 1, 诊断: 0, 实施: 1, 验收: 0, 达标: 1, 兑现: 0 });
    const share = r.targets.find((k: { id: string }) => k.id === 'above-scale-level2-share');
    expect(share).toMatchObject({ actual: 50, target: 93, numerator: 1, denominator: 2 });

    lines.length = 0;
    expect(await run(['report', '--region', '永康', '--industry', '电动工具', '--json'], out)).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ scope: { region: '永康市', industry: 'power-tools' }, enterprises: 2 });

    lines.length = 0;
    expect(await run(['report', '--region', '永康'], out)).toBe(0);
    expect(lines.join('\n')).toContain('永康市 试点进度');
    expect(lines.join('\n')).toMatch(/签约\s+2\s+0/);

    await expect(run(['report', '--region', '杭州'], out)).rejects.toMatchObject({ code: 'validation' });
  });
});
