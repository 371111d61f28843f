/**
 * `npm run calibrate [-- files.jsonl …]`: measures the answerer's abstention threshold on labelled
 * questions (default: the eval dev set plus tests/answer/data/{in,out-of}-scope.jsonl) against the real
 * knowledge base, and prints the sweep, the chosen threshold and the items it gets wrong. It runs on an
 * in-memory database so it never touches ./data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../db/index.ts';
import { calibrate, createAnswerer, type LabelledQuestion } from '../../knowledge/index.ts';
import { loadConfig } from '../config.ts';
import { createServices } from '../services.ts';

const DEFAULT_FILES = ['tests/eval/dev-qa.jsonl', 'tests/answer/data/in-scope.jsonl', 'tests/answer/data/out-of-scope.jsonl'];

function readItems(file: string): LabelledQuestion[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as LabelledQuestion;
      } catch {
        throw new AppError('validation', `${file}:${i + 1} is not valid JSON`);
      }
    });
}

export async function run(argv: string[]): Promise<number> {
  const files = argv.length ? argv : DEFAULT_FILES;
  const items = files.flatMap((f) => readItems(path.resolve(f)));
  if (!items.length) throw new AppError('validation', `no labelled questions found in ${files.join(', ')}`);
  const config = { ...loadConfig(), db: { kind: 'pglite-memory' as const }, logLevel: 'warn' as const };
  const services = await createServices(config);
  try {
    const report = await calibrate(
      (threshold) => createAnswerer({ retriever: services.knowledge.retriever, tagger: services.knowledge.tagger, pack: services.pack, threshold }),
      items,
      { now: services.clock() },
    );
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    process.stdout.write(`items: ${report.inScope} in scope, ${report.outOfScope} out of scope (${files.join(', ')})\n\n`);
    process.stdout.write('threshold  oos-abstained  false-abstention  accuracy\n');
    for (const r of report.rows)
      process.stdout.write(`${r.threshold.toFixed(2).padStart(9)}  ${pct(r.outOfScopeAbstained).padStart(13)}  ${pct(r.falseAbstention).padStart(16)}  ${pct(r.accuracy).padStart(8)}${r === report.chosen ? '  ← chosen' : ''}\n`);
    process.stdout.write(`\nchosen threshold ${report.chosen.threshold.toFixed(2)}\n`);
    for (const m of report.misses) process.stdout.write(`  miss ${m.id} (confidence ${m.confidence.toFixed(2)}${m.abstained ? ', abstained' : ''}): ${m.q}\n`);
    for (const l of report.leaks) process.stdout.write(`  leak ${l.id} (confidence ${l.confidence.toFixed(2)}): ${l.q}\n`);
  } finally {
    await services.close();
  }
  return 0;
}
