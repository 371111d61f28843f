/**
 * The fresh-clone promise, as a user meets it: `npm start` on an empty data directory serves a cited
 * answer, a second start reuses the data, and `npm run ask -- --json` prints the API's JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const QUESTION = '达到三级的试点项目最高补助多少？';

function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['console/main.ts', 'serve'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), 170_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('npm start on a fresh data directory', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-e2e-'));
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) await stop(c);
  });

  it('serves a cited answer quoting 80万元, then restarts on the same data', async () => {
    const first = await startServer(dataDir);
    children.push(first.child);
    const ask = async (url: string) => {
      const res = await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'e2e', text: QUESTION }) });
      expect(res.status).toBe(200);
      return (await res.json()) as { conversation: string; replies: { text: string; citations: { document: string; section: string; quote: string }[] }[]; abstained: boolean };
    };
    const body = await ask(first.url);
    expect(body.abstained).toBe(false);
    expect(body.replies[0].text).toContain('80万元');
    const cite = body.replies.flatMap((r) => r.citations).find((c) => c.quote.includes('80万元'));
    expect(cite?.document).toContain('金华市推进中小企业数字化转型城市试点建设实施意见');
    expect(cite?.section).toContain('17');
    await stop(first.child);

    const second = await startServer(dataDir);
    children.push(second.child);
    expect((await ask(second.url)).replies[0].text).toContain('80万元');
    await stop(second.child);
  }, 400_000);

  it('npm run ask -- --json prints the API JSON', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(TSX, ['console/main.ts', 'ask', '--json', QUESTION], {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let o = '';
      let e = '';
      child.stdout.on('data', (d) => (o += d));
      child.stderr.on('data', (d) => (e += d));
      child.on('exit', (code) => (code === 0 ? resolve(o) : reject(new Error(`ask exited ${code}: ${e}`))));
    });
    const json = JSON.parse(out.trim().split('\n').pop()!);
    expect(json.abstained).toBe(false);
    expect(json.replies[0].text).toContain('80万元');
    expect(json.replies[0].citations.length).toBeGreaterThan(0);
  }, 200_000);
});
