/**
 * Hostile input against the real HTTP app (fast-check): arbitrary JSON bodies, arbitrary strings in the
 * fields (emoji, astral characters, control characters, 2,000+ characters, nested garbage) and raw bodies
 * that are not JSON at all, sent to POST /api/chat and POST /api/eligibility. Never a 5xx, never a
 * dropped connection; every refusal is a 400 (or 413 for an oversized body) whose message is Chinese,
 * with field-level messages for validation errors; every 200 has the documented shape. The server is
 * still healthy afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';

let app: TestApp;
const HAN = /\p{Script=Han}/u;

/** Strings people and fuzzers send: emoji, CJK, control characters, lone surrogates, very long runs. */
const nasty = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e\u200b', '😀'.repeat(1001), '中'.repeat(2001), 'a'.repeat(2000), '\ud800', '{"a":', '<script>alert(1)</script>', '/start menu', '转人工'),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u2028', '🀄', '万', '元', '亿', '\t', '\n'), minLength: 1, maxLength: 2500 }),
);

/** JSON values with our field names mixed in, so the validators are reached, not just the type checks. */
const field = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }), fc.array(nasty, { maxLength: 3 }));
const chatBody = fc.oneof(
  fc.record({ user: field, text: field, payload: field, id: field, name: field }, { requiredKeys: [] }),
  fc.record({ user: fc.string({ minLength: 1, maxLength: 20 }), text: nasty }),
  fc.jsonValue({ maxDepth: 4 }),
);
const eligibilityBody = fc.oneof(
  fc.record(
    {
      region: field,
      industry: field,
      scale: field,
      annualRevenue: field,
      annualOutput: field,
      srdi: field,
      targetLevel: field,
      investment: field,
      year: field,
      applicant: fc.oneof(field, fc.dictionary(fc.string({ maxLength: 12 }), field, { maxKeys: 4 })),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 4 }),
);

async function send(path: string, body: string, contentType = 'application/json'): Promise<{ status: number; json: any }> {
  const res = await fetch(app.url + path, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

function checkRefusal(r: { status: number; json: any }): void {
  expect([400, 413, 415], JSON.stringify(r.json)).toContain(r.status);
  expect(typeof r.json.error?.message).toBe('string');
  expect(r.json.error.message).toMatch(HAN);
  if (r.json.error.code === 'validation' && r.json.error.fields) {
    const fields = Object.entries(r.json.error.fields as Record<string, string>);
    expect(fields.length).toBeGreaterThan(0);
    for (const [, message] of fields) expect(message).toMatch(HAN);
  }
}

describe('hostile input on the public API (property-based)', () => {
  beforeAll(async () => {
    // Rate limit raised: the fuzzer is one client sending hundreds of messages, not what is under test.
    app = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  }, 240_000);
  afterAll(async () => app?.close());

  it('POST /api/chat: any JSON body is a 200 with replies or a 400 with Chinese field messages', async () => {
    await fc.assert(
      fc.asyncProperty(chatBody, async (body) => {
        const r = await send('/api/chat', JSON.stringify(body));
        expect(r.status, JSON.stringify(r.json)).toBeLessThan(500);
        if (r.status === 200) {
          expect(Array.isArray(r.json.replies)).toBe(true);
          for (const reply of r.json.replies) expect(typeof reply.text).toBe('string');
        } else checkRefusal(r);
      }),
      { numRuns: 150 },
    );
  }, 600_000);

  it('POST /api/chat: a valid user with any text never fails, and long or empty text is refused in Chinese', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, fc.integer({ min: 0, max: 20 }), async (text, u) => {
        const r = await send('/api/chat', JSON.stringify({ user: `fuzz-${u}`, text }));
        expect(r.status, JSON.stringify(r.json)).toBeLessThan(500);
        if (r.status === 200) expect(r.json.replies.every((x: { kind?: string }) => x.kind !== 'error')).toBe(true);
        else {
          checkRefusal(r);
          expect(Object.keys(r.json.error.fields ?? {})).toContain('text');
        }
      }),
      { numRuns: 120 },
    );
  }, 600_000);

  it('POST /api/eligibility: any JSON body is an estimate or a 400 with Chinese field messages', async () => {
    await fc.assert(
      fc.asyncProperty(eligibilityBody, async (body) => {
        const r = await send('/api/eligibility', JSON.stringify(body));
        expect(r.status, JSON.stringify(r.json)).toBeLessThan(500);
        if (r.status !== 200) checkRefusal(r);
        else expect(typeof r.json).toBe('object');
      }),
      { numRuns: 200 },
    );
  }, 600_000);

  it('raw bodies that are not JSON (truncated, binary, wrong type, oversized) are 4xx with a Chinese message', async () => {
    const raw = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('{', '{"user":', '[1,2', 'null', '"text"', '\u0000\u0000', '{"user":"a","text":"\ud800"}', `{"user":"a","text":"${'x'.repeat(70_000)}"}`),
    );
    await fc.assert(
      fc.asyncProperty(raw, fc.constantFrom('/api/chat', '/api/eligibility'), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (body, path, type) => {
        const r = await send(path, body, type);
        expect(r.status, JSON.stringify(r.json)).toBeLessThan(500);
        if (r.status !== 200) checkRefusal(r);
      }),
      { numRuns: 120 },
    );
    const health = await app.get('/healthz');
    expect(health.status).toBe(200);
  }, 600_000);
});
