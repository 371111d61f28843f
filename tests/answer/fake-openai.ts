/**
 * A local OpenAI-compatible chat server on 127.0.0.1 for the generative-mode tests. Each test sets what it
 * replies (text, an HTTP 500, or a delay longer than the client's timeout); requests are recorded so tests
 * can check the prompt (fences, no secrets). Streams in the SSE chunk format the `openai` client parses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeBehaviour = { kind: 'reply'; text: string } | { kind: 'error'; status: number } | { kind: 'hang'; ms: number };

export interface FakeOpenAi {
  baseURL: string;
  requests: Array<{ body: any; headers: http.IncomingHttpHeaders }>;
  behave(b: FakeBehaviour): void;
  close(): Promise<void>;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  let behaviour: FakeBehaviour = { kind: 'reply', text: '' };
  const requests: FakeOpenAi['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      requests.push({ body, headers: req.headers });
      const b = behaviour;
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      if (b.kind === 'error') {
        res.writeHead(b.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'boom', type: 'server_error' } }));
        return;
      }
      if (b.kind === 'hang') {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!res.writableEnded) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        }, b.ms);
        timers.add(t);
        return;
      }
      const base = { id: 'chatcmpl-fake', created: Math.floor(Date.now() / 1000), model: body.model };
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        const pieces = b.text.match(/[\s\S]{1,6}/g) ?? [];
        for (const p of pieces)
          res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })}\n\n`);
        res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: b.text }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    behave: (b) => (behaviour = b),
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
