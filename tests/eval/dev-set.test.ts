/**
 * Keeps the development set honest: every evidence string must be a verbatim (whitespace-insensitive)
 * substring of a shipped document, so a retrieval "hit" always means the real clause was found.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluation, loadPack } from '../../knowledge/index.ts';

const FILE = path.resolve(import.meta.dirname, 'dev-qa.jsonl');
const items = evaluation.loadEvalSet(FILE);
const pack = loadPack('jinhua');
const docsDir = pack.file('documents');
const shipped = fs.readdirSync(docsDir).map((name) => ({ name, text: evaluation.compact(fs.readFileSync(path.join(docsDir, name), 'utf8')) }));

describe('development question set', () => {
  it('has the size and mix the issue asks for', () => {
    expect(items.length).toBeGreaterThanOrEqual(170);
    expect(items.filter((i) => i.abstain).length).toBeGreaterThanOrEqual(30);
    expect(items.filter((i) => i.lang === 'en').length).toBeGreaterThanOrEqual(10);
  });

  it('starts with the shared set (d01–d20)', () => {
    expect(items.slice(0, 20).map((i) => i.id)).toEqual(Array.from({ length: 20 }, (_, n) => `d${String(n + 1).padStart(2, '0')}`));
  });

  it('gives every in-scope item evidence and expected answer text, and no abstain item either', () => {
    for (const item of items) {
      if (item.abstain) expect([item.id, item.evidence, item.answer_contains]).toEqual([item.id, [], []]);
      else {
        expect(item.evidence.length, item.id).toBeGreaterThan(0);
        expect(item.answer_contains.length, item.id).toBeGreaterThan(0);
      }
    }
  });

  it('quotes every evidence string verbatim from a shipped document (ignoring whitespace)', () => {
    const missing = items.flatMap((item) =>
      item.evidence.filter((e) => !shipped.some((d) => d.text.includes(evaluation.compact(e)))).map((e) => `${item.id}: ${e}`),
    );
    expect(missing).toEqual([]);
  });

  it('covers every row of 表1', () => {
    const opinions = fs.readFileSync(pack.file('documents/jinhua-sme-digital-pilot-implementation-opinions.txt'), 'utf8');
    const table = opinions.slice(opinions.indexOf('表1'), opinions.indexOf('四、工作内容'));
    const rows = table
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^(拟|具有)/.test(l));
    expect(rows.length).toBe(14);
    const evidence = new Set(items.flatMap((i) => i.evidence.map(evaluation.compact)));
    expect(rows.filter((r) => !evidence.has(evaluation.compact(r)))).toEqual([]);
  });
});
