/**
 * End to end: `npm run eval` as a user runs it, in a child process on the real services (fresh in-memory
 * database, pack ingested by the app's own start-up), printing exactly one JSON object with --json.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);

async function evalCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['console/main.ts', 'eval', ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '', DATA_DIR: '' },
      timeout: 280_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('npm run eval', () => {
  it('prints exactly one JSON object with the documented shape, ours and the baselines', async () => {
    const { code, stdout, stderr } = await evalCli(['tests/eval/fixtures/small.jsonl', '--json', '--baselines', '--k', '5']);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBe(1);
    const report = JSON.parse(lines[0]!);
    expect(report).toMatchObject({
      n: 6,
      retrieval: { hit1: expect.any(Number), hit5: expect.any(Number), mrr: expect.any(Number) },
      answer: { accuracy: expect.any(Number) },
      abstain: { correct: expect.any(Number), total: 2, falseAbstain: expect.any(Number) },
      latency: { p50: expect.any(Number), p95: expect.any(Number) },
    });
    expect(report.items.map((i: { id: string }) => i.id)).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
    expect(Object.keys(report.items[0]).sort()).toEqual(['abstained', 'answerOk', 'hit', 'id', 'rank']);
    expect(report.items[4]).toMatchObject({ id: 's5', hit: null, rank: null });
    // The plain BM25 baseline finds these literal questions' clauses within the top 5.
    expect(report.baselines.bm25.retrieval.hit5).toBeGreaterThanOrEqual(0.75);
    expect(Object.keys(report.baselines).sort()).toEqual(['bm25', 'langchain-vector']);
  }, 300_000);

  it('rejects a missing file or bad options with one clear line', async () => {
    const missing = await evalCli(['tests/eval/fixtures/nope.jsonl']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[validation\].*cannot read/);
    const badK = await evalCli(['tests/eval/fixtures/small.jsonl', '--k', '0']);
    expect(badK.code).toBe(1);
    expect(badK.stderr).toMatch(/--k must be an integer/);
  });
});
