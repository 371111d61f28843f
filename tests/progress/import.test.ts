// Imports on a real database: bad rows reported per row and field without stopping good rows, one
// transaction per import, idempotent re-import keyed by USCC, stage events dated and attributed, XLSX
// generated with the same library we read it with, and CSV export that re-imports unchanged.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressRepo } from '../../db/index.ts';
import { loadPack } from '../../knowledge/index.ts';
import { createProgressService, parseCsv, type ProgressService } from '../../knowledge/progress/index.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { uscc } from './fixtures.ts';

const NOW = new Date('2026-03-15T04:00:00Z');
const csv = (rows: string[][]) => Buffer.from('\ufeff' + rows.map((r) => r.join(',')).join('\r\n'), 'utf8');
const HEADER = ['企业名称', '统一社会信用代码', '区县', '行业', '规模', '专精特新', '阶段', '数字化等级', '是否上云', '签约日期', '验收日期'];

describe('progress import', () => {
  let t: TestDb;
  let svc: ProgressService;
  beforeAll(async () => {
    t = await openTestDb();
    svc = createProgressService({ db: t.db, pack: loadPack('jinhua'), clock: () => NOW });
  });
  afterAll(async () => t?.close());

  it('imports good rows and reports bad ones by row, field and Chinese message', async () => {
    const bad = uscc(3).slice(0, 17) + (uscc(3)[17] === 'A' ? 'B' : 'A');
    const file = csv([
      HEADER,
      ['永康甲工具有限公司', uscc(1), '永康', '电动工具', '规上', '否', '签约', '', '是', '2025-03-01', ''],
      ['永康乙工具有限公司', uscc(2), '永康市', '电钻', '规上', '小巨人', '验收', '二级', '否', '2025-01-10', '2025-09-01'],
      ['错误校验位公司', bad, '永康市', '电动工具', '规上', '否', '签约', '', '', '', ''],
      ['未知区县公司', uscc(4), '杭州市', '电动工具', '规上', '否', '签约', '', '', '', ''],
      ['未知行业公司', uscc(5), '东阳', '汽车配件', '规下', '否', '入库', '', '', '', ''],
      ['日期颠倒公司', uscc(6), '东阳市', '磁性材料', '规上', '专精特新', '验收', '', '', '2025-09-01', '2025-02-01'],
      ['达标缺等级公司', uscc(7), '义乌市', '服装', '规下', '', '达标', '', '', '', ''],
      ['重复代码公司', uscc(1), '永康市', '电动工具', '规上', '否', '签约', '', '', '', ''],
      ['', '', '', '', '', '', '', '', '', '', ''],
      ['东阳丙磁材有限公司', uscc(8, '330783'), '东阳市', '钕铁硼', '规上', '专精特新中小企业', '诊断', '一级', '是', '2025-05-05', ''],
    ]);
    const r = await svc.importFile('台账.csv', file, 'test');
    expect(r).toMatchObject({ format: 'csv', rowsTotal: 9, rowsOk: 3, rowsFailed: 6, created: 3, updated: 0, unchanged: 0 });
    const byRow = (row: number) => r.issues.filter((i) => i.row === row);
    expect(byRow(4)).toEqual([expect.objectContaining({ field: '统一社会信用代码', message: expect.stringContaining('校验位') })]);
    expect(byRow(5)[0]).toMatchObject({ field: '区县', value: '杭州市' });
    expect(byRow(5)[0].message).toContain('未知区县');
    expect(byRow(6)[0]).toMatchObject({ field: '行业' });
    expect(byRow(7)[0]).toMatchObject({ field: '验收日期', message: expect.stringContaining('早于签约日期') });
    expect(byRow(8)[0]).toMatchObject({ field: '数字化等级', message: expect.stringContaining('须填写') });
    expect(byRow(9)[0].message).toContain('与第2行');
    for (const i of r.issues) expect(i.message).toMatch(/[\u4e00-\u9fff]/);

    const rows = await progressRepo.listEnterprises(t.db);
    expect(rows.map((e) => [e.name, e.region, e.industry, e.stage, e.srdi, e.cloud, e.digitalLevel])).toEqual([
      ['永康甲工具有限公司', '永康市', 'power-tools', 'signed', 'none', true, null],
      ['永康乙工具有限公司', '永康市', 'power-tools', 'accepted', 'little-giant', false, 2],
      ['东阳丙磁材有限公司', '东阳市', 'magnetic-materials', 'diagnosed', 'srdi', true, 1],
    ]);
    // Stage events are dated (from the sheet, else today in Asia/Shanghai) and attributed to the file.
    const events = await progressRepo.listStageEvents(t.db);
    const yi = rows[1].id;
    expect(events.filter((e) => e.enterpriseId === yi).map((e) => [e.stage, e.occurredOn, e.sourceKind, e.source])).toEqual([
      ['signed', '2025-01-10', 'import', '台账.csv'],
      ['accepted', '2025-09-01', 'import', '台账.csv'],
    ]);
    const bing = events.filter((e) => e.enterpriseId === rows[2].id);
    expect(bing.map((e) => [e.stage, e.occurredOn])).toEqual([['signed', '2025-05-05'], ['diagnosed', '2026-03-15']]);
  });

  it('re-importing the same file changes nothing; a changed row adds one attributed stage event', async () => {
    const before = (await progressRepo.listStageEvents(t.db)).length;
    const file = csv([
      HEADER,
      ['永康甲工具有限公司', uscc(1), '永康', '电动工具', '规上', '否', '签约', '', '是', '2025-03-01', ''],
      ['永康乙工具有限公司', uscc(2), '永康市', '电钻', '规上', '小巨人', '验收', '二级', '否', '2025-01-10', '2025-09-01'],
    ]);
    const again = await svc.importFile('台账.csv', file, 'test');
    expect(again).toMatchObject({ rowsOk: 2, created: 0, updated: 0, unchanged: 2 });
    expect((await progressRepo.listStageEvents(t.db)).length).toBe(before);

    const moved = csv([
      ['name', 'USCC', 'Region', 'industry', 'scale', 'stage', 'digital_level', 'accepted_on'],
      ['永康甲工具有限公司', uscc(1), '永康市', 'power-tools', 'above', '验收', '2', '2026-01-20'],
    ]);
    const r = await svc.importFile('moved.csv', moved, 'admin:7');
    expect(r).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const e = (await progressRepo.listEnterprises(t.db)).find((x) => x.uscc === uscc(1))!;
    // Columns absent from the file keep what was stored (cloud stays true).
    expect(e).toMatchObject({ stage: 'accepted', cloud: true, digitalLevel: 2 });
    expect(e.updatedBy).toContain('admin:7');
    const events = (await progressRepo.listStageEvents(t.db)).filter((x) => x.enterpriseId === e.id);
    expect(events.at(-1)).toMatchObject({ stage: 'accepted', occurredOn: '2026-01-20', source: 'moved.csv' });
  });

  it('rejects a file without the required columns as a whole, with a Chinese message', async () => {
    await expect(svc.importFile('x.csv', csv([['企业名称', '区县'], ['a', '永康']]), 'test')).rejects.toMatchObject({
      code: 'validation',
      userMessage: expect.stringContaining('统一社会信用代码'),
    });
  });

  it('is one transaction: a failure mid-import leaves nothing behind', async () => {
    const count = async () => (await progressRepo.listEnterprises(t.db)).length;
    const n = await count();
    // A region the pack knows but the database rejects cannot happen, so break the table instead.
    await t.db.exec(`alter table progress_enterprises add constraint no_zz check (name <> '中途失败公司')`);
    try {
      const file = csv([HEADER, ['新公司一', uscc(20), '浦江', '服装', '规上', '', '入库', '', '', '', ''], ['中途失败公司', uscc(21), '浦江', '服装', '规上', '', '入库', '', '', '', '']]);
      await expect(svc.importFile('half.csv', file, 'test')).rejects.toBeTruthy();
      expect(await count()).toBe(n);
    } finally {
      await t.db.exec(`alter table progress_enterprises drop constraint no_zz`);
    }
  });

  it('imports an XLSX written with exceljs (dates, numbers, rich text) the same way', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('台账');
    ws.addRow(['企业名称', '统一社会信用代码', '区县', '行业', '规模', '专精特新', '阶段', '数字化等级', '是否上云', '签约日期', '验收日期']);
    ws.addRow(['义乌丁服饰有限公司', uscc(30, '330782'), '义乌市', '服装', '规下', '否', '达标', 3, true, new Date(Date.UTC(2025, 1, 3)), new Date(Date.UTC(2025, 8, 9))]);
    ws.addRow([{ richText: [{ text: '浦江戊' }, { text: '制衣厂' }] }, uscc(31, '330726'), '浦江县', '制衣', '规上', '', '实施', '', '否', '2025/6/1', '']);
    ws.addRow(['坏日期公司', uscc(32), '永康市', '电动工具', '规上', '', '签约', '', '', '2025-13-40', '']);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await svc.importFile('台账.xlsx', bytes, 'test');
    expect(r).toMatchObject({ format: 'xlsx', rowsTotal: 3, rowsOk: 2, created: 2 });
    expect(r.issues).toEqual([expect.objectContaining({ row: 4, field: '签约日期' })]);
    const rows = await progressRepo.listEnterprises(t.db);
    expect(rows.find((e) => e.uscc === uscc(30, '330782'))).toMatchObject({ stage: 'qualified', digitalLevel: 3, cloud: true, scale: 'below' });
    expect(rows.find((e) => e.uscc === uscc(31, '330726'))).toMatchObject({ name: '浦江戊制衣厂', industry: 'apparel', stage: 'implementing' });
    const ev = (await progressRepo.listStageEvents(t.db)).filter((e) => e.enterpriseId === rows.find((x) => x.uscc === uscc(30, '330782'))!.id);
    expect(ev.map((e) => [e.stage, e.occurredOn, e.level])).toEqual([
      ['signed', '2025-02-03', null],
      ['accepted', '2025-09-09', null],
      ['qualified', '2026-03-15', 3],
    ]);
    const again = await svc.importFile('台账.xlsx', bytes, 'test');
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it('reads GBK CSV (Excel on Chinese Windows)', async () => {
    const gbk = new Uint8Array([0xc6, 0xf3, 0xd2, 0xb5, 0xc3, 0xfb, 0xb3, 0xc6]); // 企业名称
    const { decodeText } = await import('../../knowledge/progress/sheets.ts');
    expect(decodeText(gbk)).toBe('企业名称');
  });

  it('exports CSV with a BOM that re-imports unchanged', async () => {
    const out = await svc.exportCsv();
    expect(out.startsWith('\ufeff企业名称,统一社会信用代码,区县,行业,规模,专精特新,阶段,数字化等级,是否上云,入库日期,签约日期')).toBe(true);
    const parsed = parseCsv(out);
    expect(parsed.ok && parsed.records.length).toBe((await progressRepo.listEnterprises(t.db)).length + 1);
    const r = await svc.importFile('export.csv', Buffer.from(out, 'utf8'), 'test');
    expect(r).toMatchObject({ rowsFailed: 0, created: 0, updated: 0 });
    const yk = await svc.exportCsv({ region: '永康市' });
    expect(yk.split('\r\n').filter(Boolean)).toHaveLength(3);
  });
});
