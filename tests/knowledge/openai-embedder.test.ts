/**
 * The OpenAI-compatible embedder against a small fake embedding server on 127.0.0.1 (real HTTP through
 * the `openai` package): batching, encoding_format, dimension discovery, errors, and the app started
 * with EMBEDDING_BASE_URL ingesting and searching through it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEmbedder, OpenAiEmbedder, createEmbedder } from '../../knowledge/index.ts';
import { startTestApp } from '../helpers/app.ts';

interface Seen {
  auth?: string;
  body: { model: string; input: string[] | string; encoding_format?: string; dimensions?: number };
}

let server: http.Server;
let baseURL: string;
const seen: Seen[] = [];
let failNext = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      const body = JSON.parse(raw);
      seen.push({ auth: req.headers.authorization, body });
      if (failNext) {
        failNext = false;
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad model","type":"invalid_request_error"}}');
        return;
      }
      const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
      const dims = body.dimensions ?? 96;
      const vectors = await new LocalEmbedder({ dimensions: dims }).embed(inputs);
      // Out of order on purpose: clients must sort by index.
      const data = vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })).reverse();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', model: body.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('OpenAiEmbedder', () => {
  it('batches, asks for floats, keeps input order and sends the key', async () => {
    seen.length = 0;
    const e = await OpenAiEmbedder.create({ baseURL, apiKey: 'sk-test', model: 'bge-m3', dimensions: 64, batchSize: 3 });
    expect(e.dimensions).toBe(64);
    expect(e.id).toMatch(/^openai:bge-m3:d64@127\.0\.0\.1:\d+$/);
    const texts = ['补助', '验收', '总包商', '专精特新', '', '链式', '服务商'];
    const vectors = await e.embed(texts);
    expect(vectors).toHaveLength(7);
    expect(seen.map((s) => (s.body.input as string[]).length)).toEqual([3, 3, 1]);
    expect(seen.every((s) => s.body.encoding_format === 'float' && s.body.model === 'bge-m3' && s.body.dimensions === 64)).toBe(true);
    expect(seen[0].auth).toBe('Bearer sk-test');
    const local = new LocalEmbedder({ dimensions: 64 });
    expect(vectors[3]).toEqual(local.embedOne('专精特新'));
    expect((seen[1].body.input as string[])[1]).toBe(' '); // empty input replaced, not rejected by the server
  });

  it('discovers the dimension when not configured', async () => {
    const e = await createEmbedder({ kind: 'openai', baseURL, apiKey: 'none', model: 'nomic' });
    expect(e.dimensions).toBe(96);
  });

  it('reports server errors as AppError upstream', async () => {
    const e = await OpenAiEmbedder.create({ baseURL, apiKey: 'x', model: 'm', dimensions: 8, maxRetries: 0 });
    failNext = true;
    await expect(e.embed(['补助'])).rejects.toMatchObject({ code: 'upstream' });
    const down = await OpenAiEmbedder.create({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'x', model: 'm', dimensions: 8, maxRetries: 0, timeoutMs: 2000 });
    await expect(down.embed(['补助'])).rejects.toMatchObject({ code: 'upstream' });
  });
});

describe('the app with EMBEDDING_BASE_URL', () => {
  it('ingests through the remote embedder and answers with vector scores', async () => {
    seen.length = 0;
    const app = await startTestApp({ env: { EMBEDDING_BASE_URL: baseURL, EMBEDDING_MODEL: 'bge-m3', EMBEDDING_DIMENSIONS: '48' } });
    try {
      expect(app.services.knowledge.embedder.id).toMatch(/^openai:bge-m3:d48@/);
      expect(seen.length).toBeGreaterThan(1);
      const status = await app.services.knowledge.status();
      expect(status.liveIndex).toMatchObject({ dimensions: 48 });
      const { hits, trace } = await app.services.knowledge.retriever.searchTraced('达到三级的试点项目最高补助多少？', { k: 5 });
      expect(hits.some((h) => h.text.includes('80万元'))).toBe(true);
      expect(trace.vector.length).toBeGreaterThan(0); // the query was embedded by the remote server too
    } finally {
      await app.close();
    }
  }, 240_000);
});
