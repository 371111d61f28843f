/** Structure-aware parsing and chunking of the raw opinions and the Markdown corpus (pure, no database). */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkDocument, guessScope, loadPack, parseFrontMatter, parseStructure, readPackDocuments, splitText } from '../../knowledge/index.ts';

const pack = loadPack('jinhua');
const raw = fs.readFileSync(pack.file('documents/jinhua-sme-digital-pilot-implementation-opinions.txt'), 'utf8');
const { chunks, tables } = chunkDocument({ body: raw, format: 'raw-opinions' });
const find = (pred: (text: string) => boolean) => chunks.filter((c) => pred(c.text));

describe('raw opinions: section paths', () => {
  it('ships the primary document byte for byte', () => {
    expect(fs.readFileSync(pack.file('documents/jinhua-sme-digital-pilot-implementation-opinions.txt')).equals(fs.readFileSync('/work/shared/corpus/jinhua-sme-digital-pilot-implementation-opinions.txt'))).toBe(true);
  });

  it('puts clause 17 under （四） under 四、工作内容, titled by its first sentence', () => {
    const [c17] = find((t) => t.startsWith('17.'));
    expect(c17.sectionPath).toEqual(['四、工作内容', '（四）加大数字化改造资金支持', '17.']);
    expect(c17.meta.title).toBe('加大对试点企业的资金扶持');
    expect(c17.text).toContain('最高50万元、80万元、100万元补助');
  });

  it('numbers items across subsections (4. opens （二）) and keeps clause 1 under （一）', () => {
    expect(find((t) => t.startsWith('4.建立'))[0].sectionPath).toEqual(['四、工作内容', '（二）明确数字化改造路径', '4.']);
    expect(find((t) => t.startsWith('1.摸底'))[0].sectionPath).toEqual(['四、工作内容', '（一）摸清数字化改造现状', '1.']);
  });

  it('infers section 三 for the unnumbered 工作目标 heading and nests its （一）…（四） under it', () => {
    const goals = chunks.filter((c) => c.sectionPath[0] === '三、工作目标');
    expect(goals.length).toBeGreaterThan(5);
    const items = goals.filter((c) => c.sectionPath.length === 2 && c.kind === 'clause').map((c) => c.sectionPath[1].slice(0, 3));
    expect(items).toEqual(['（一）', '（二）', '（三）', '（四）']);
    expect(find((t) => t.startsWith('（一）高质量实现'))[0].sectionPath).toEqual(['三、工作目标', '（一）高质量实现“359”数字化改造目标']);
  });

  it('reads 五、推进计划 phase items "1.2024年…" as item 1, not a decimal', () => {
    const p1 = find((t) => t.startsWith('1.2024年9月'))[0];
    expect(p1.sectionPath).toEqual(['五、推进计划', '（一）第一阶段（2024年9月-2025年12月）', '1.']);
    expect(p1.meta.title).toBe('2024年9月—2024年11月');
    const p2 = find((t) => t.startsWith('2.2026年6月'))[0];
    expect(p2.sectionPath).toEqual(['五、推进计划', '（二）第二阶段（2026年1月-2026年9月）', '2.']);
  });

  it('keeps 六、保障措施 paragraphs under their （…） heading and the closing clause at document level, cited as the end', () => {
    expect(find((t) => t.startsWith('健全“1+4”'))[0].sectionPath).toEqual(['六、保障措施', '（一）创新工作体制机制，建立健全数改推进机制']);
    expect(find((t) => t.startsWith('本意见自公布之日施行'))[0].sectionPath).toEqual(['结尾（施行期限）']);
  });
});

describe('raw opinions: 表1', () => {
  it('parses the tab-laid-out table as data', () => {
    expect(tables).toHaveLength(1);
    const [t] = tables;
    expect(t.title).toBe('表1 金华市中小企业数字化转型总体目标表');
    expect(t.rowHeader).toBe('绩效指标');
    expect(t.columns).toEqual(['2024年', '2025年', '2026年', '总目标']);
    expect(t.rows).toHaveLength(14);
    expect(t.rows[0]).toEqual({ row: '拟改造规上工业中小企业数量（家）', values: ['93', '242', '226', '561'] });
  });

  it('makes each row one whole chunk with the table title and headers', () => {
    const rows = chunks.filter((c) => c.kind === 'table_row');
    expect(rows).toHaveLength(14);
    expect(rows[0].text).toBe('拟改造规上工业中小企业数量（家）：2024年 93；2025年 242；2026年 226；总目标 561');
    expect(rows[0].sectionPath).toEqual(['三、工作目标', '表1 金华市中小企业数字化转型总体目标表']);
    expect(rows[0].meta).toMatchObject({ table: '表1 金华市中小企业数字化转型总体目标表', row: '拟改造规上工业中小企业数量（家）', columns: ['2024年', '2025年', '2026年', '总目标'], values: ['93', '242', '226', '561'] });
    expect(rows.find((r) => r.text.startsWith('拟改造规上工业中小企业达到数字化二级及以上数量在行业中占比'))!.text).toContain('总目标 93%');
  });
});

describe('chunking rules', () => {
  it('splits a long clause at sentence ends and repeats its section path', () => {
    const parts = chunks.filter((c) => c.sectionPath[1]?.startsWith('（一）创新工作体制机制'));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(480);
    expect(parts.map((p) => p.text).join('')).toBe(raw.split('\n').find((l) => l.startsWith('健全“1+4”'))!.trim());
  });

  it('never splits inside a number or a quoted name', () => {
    const name = '《金华市中小企业数字化转型城市试点资金使用管理实施细则。第二部分；续》';
    const text = '甲'.repeat(50) + '。' + name + '乙'.repeat(30) + '给予最高1,200.5万元支持；' + '丙'.repeat(60) + '。';
    for (const max of [40, 60, 80]) {
      const parts = splitText(text, max);
      expect(parts.join('')).toBe(text);
      expect(parts.some((p) => p.includes(name))).toBe(true);
      expect(parts.some((p) => p.includes('1,200.5万元'))).toBe(true);
    }
  });

  it('hard-cuts an unpunctuated run only between safe characters', () => {
    const text = '数'.repeat(30) + '1234567890' + '字'.repeat(30);
    const parts = splitText(text, 35);
    expect(parts.join('')).toBe(text);
    expect(parts.some((p) => p.includes('1234567890'))).toBe(true);
  });
});

describe('markdown corpus', () => {
  const docs = readPackDocuments(pack);

  it('reads front matter as metadata', () => {
    const fm = parseFrontMatter('---\ntitle: 标题\ndoc_number: ""\nsource_url:\n  - http://a.example/x   # note\n  - "http://b.example"\ncompleteness: partial\n---\n正文');
    expect(fm.data).toEqual({ title: '标题', doc_number: '', source_url: ['http://a.example/x', 'http://b.example'], completeness: 'partial' });
    expect(fm.body.trim()).toBe('正文');
    const d01 = docs.find((d) => d.id === '01-sme-digital-level-indicators-2024')!;
    expect(d01).toMatchObject({ format: 'markdown', issuer: '工业和信息化部办公厅', docNumber: '工信厅企业〔2024〕56号', date: '2024-09-04', completeness: 'partial' });
    expect(d01.sourceUrl[0]).toBe('http://hd.smeqh.com/Web/Gov/zhengce/9603.html');
  });

  it('decides each document scope; Wenzhou and Kunming are other cities', () => {
    const scope = Object.fromEntries(docs.map((d) => [d.id, d.scope]));
    expect(scope['jinhua-opinions']).toBe('city');
    expect(scope['15-wenzhou-pilot-fund-management-excerpt']).toBe('other-city');
    expect(scope['16-kunming-pilot-acceptance-batch2-excerpt']).toBe('other-city');
    expect(scope['13-tiantai-2024-nx-pilot-application-fragment']).toBe('other-city');
    expect(scope['12-jinhua-power-tools-practice-sample-toc']).toBe('city');
    expect(scope['10-zhejiang-2022-45-sub-industry-digital-retrofit-plan']).toBe('province');
    expect(scope['04-mof-2023-117-pilot-city-launch-notice']).toBe('national');
    expect(guessScope(pack, '某文件', '宁波市经济和信息化局')).toBe('other-city');
  });

  it('builds section paths from # headings and Chinese numbering, and keeps Markdown table rows whole', () => {
    const d01 = docs.find((d) => d.id === '01-sme-digital-level-indicators-2024')!;
    const c = chunkDocument(d01).chunks;
    const row = c.find((x) => x.kind === 'table_row' && x.sectionPath.some((p) => p.startsWith('1. 设备系统')))!;
    expect(row.sectionPath[0]).toMatch(/^第三部分/);
    expect(row.sectionPath[1]).toMatch(/^一、数字化基础/);
    expect(row.meta.columns).toEqual(['内容', '选项权重', '得分']);
    const d15 = docs.find((d) => d.id === '15-wenzhou-pilot-fund-management-excerpt')!;
    const art = chunkDocument(d15).chunks.find((x) => x.text.startsWith('第一条'))!;
    expect(art.sectionPath).toEqual(['第一章 总则', '第一条']);
  });

  it('parses structure of an unnumbered heading only inside a numbering gap', () => {
    const p = parseStructure('一、甲\n正文一。\n小标题\n正文二。\n二、乙\n正文三。', 'raw-opinions');
    expect(p.blocks.map((b) => b.path)).toEqual([['一、甲'], ['一、甲'], ['一、甲'], ['二、乙']]);
    const gap = parseStructure('一、甲\n正文一。\n小标题\n正文二。\n三、丙\n正文三。', 'raw-opinions');
    expect(gap.blocks.map((b) => b.path[0])).toEqual(['一、甲', '二、小标题', '三、丙']);
  });
});
