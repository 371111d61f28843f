/**
 * A Slack test bench: a fake Web API on 127.0.0.1 (reached through slackApiUrl) that records every call,
 * and helpers that sign Events API and interactivity requests with the v0 scheme exactly as Slack does.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SIGNING_SECRET = 'test-signing-secret-8f2a';
export const BOT_TOKEN = 'xoxb-test-token';
export const BOT_USER_ID = 'UBOT01';

export interface SlackCall {
  method: string;
  body: Record<string, any>;
  /** The bearer token the call was made with (header or form field). */
  token?: string;
  /** The HTTP status the fake answered. */
  status: number;
}

/** A canned failure the fake answers with instead of succeeding (a 429 with Retry-After, a 5xx). */
export interface SlackCanned {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface FakeSlackApi {
  url: string;
  calls: SlackCall[];
  /** Successful chat.postMessage calls (to `channel`). */
  posts(channel?: string): SlackCall['body'][];
  /** Lets a test answer a call itself; returning undefined lets the call succeed. */
  intercept?: (method: string, body: Record<string, any>) => SlackCanned | undefined;
  /** What apps.connections.open hands out; unset, it refuses the app token like Slack would. */
  socketUrl?: string;
  stop(): Promise<void>;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: SlackCall[] = [];
  let ts = 1_700_000_000;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.url ?? '').split('?')[0].split('/').pop() ?? '';
    let body: Record<string, any> = {};
    if ((req.headers['content-type'] ?? '').includes('json')) body = raw ? JSON.parse(raw) : {};
    else body = Object.fromEntries(new URLSearchParams(raw));
    // WebClient form-encodes nested arguments as JSON strings.
    for (const k of ['blocks', 'attachments']) if (typeof body[k] === 'string') body[k] = JSON.parse(body[k]);
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || body.token;
    const canned = fake.intercept?.(method, body);
    calls.push({ method, body, token, status: canned?.status ?? 200 });
    if (canned) {
      res.writeHead(canned.status, { 'content-type': 'application/json', ...canned.headers });
      res.end(JSON.stringify(canned.body));
      return;
    }
    let result: Record<string, unknown> = { ok: true };
    if (method === 'auth.test') result = { ok: true, user_id: BOT_USER_ID, bot_id: 'BBOT01', team_id: 'T0TEST', user: 'shugai' };
    else if (method === 'apps.connections.open') result = fake.socketUrl ? { ok: true, url: fake.socketUrl } : { ok: false, error: 'invalid_auth' };
    else if (method === 'chat.postMessage') result = { ok: true, channel: body.channel, ts: `${ts++}.000100`, message: { text: body.text } };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const fake: FakeSlackApi = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    calls,
    posts: (channel) => calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200 && (!channel || c.body.channel === channel)).map((c) => c.body),
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  return fake;
}

export function sign(body: string, secret = SIGNING_SECRET, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = 'v0=' + crypto.createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': sig };
}

export async function postEvent(url: string, payload: unknown, headers: Record<string, string> = {}, secret?: string) {
  const body = JSON.stringify(payload);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(body, secret), ...headers }, body });
  return { status: res.status, text: await res.text() };
}

/** Interactivity payloads arrive form-encoded, as `payload=<json>`. */
export async function postAction(url: string, payload: unknown) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body });
  return { status: res.status, text: await res.text() };
}

let eventSeq = 0;
/** An Events API envelope around `event`. */
export function envelope(event: Record<string, unknown>, eventId = `Ev${Date.now()}${eventSeq++}`) {
  return { token: 'legacy', team_id: 'T0TEST', api_app_id: 'A0TEST', type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), authorizations: [{ user_id: BOT_USER_ID, is_bot: true, team_id: 'T0TEST' }], event };
}

export function dm(text: string, user = 'U0USER1', channel = 'D0DM1') {
  return { type: 'message', channel_type: 'im', channel, user, text, ts: `${Date.now() / 1000}`, event_ts: `${Date.now() / 1000}` };
}

export function mention(text: string, user = 'U0USER2', channel = 'C0CHAN1', ts = `${Date.now() / 1000}`) {
  return { type: 'app_mention', channel, user, text: `<@${BOT_USER_ID}> ${text}`, ts, event_ts: ts };
}

export function blockAction(value: string, options: { user?: string; channel?: string; messageTs?: string; threadTs?: string } = {}) {
  const channel = options.channel ?? 'D0DM1';
  return {
    type: 'block_actions',
    trigger_id: `trig-${Date.now()}-${eventSeq++}`,
    team: { id: 'T0TEST' },
    api_app_id: 'A0TEST',
    user: { id: options.user ?? 'U0USER1', name: 'tester' },
    channel: { id: channel },
    container: { type: 'message', channel_id: channel, message_ts: options.messageTs ?? '1.0', thread_ts: options.threadTs },
    message: { ts: options.messageTs ?? '1.0', thread_ts: options.threadTs },
    actions: [{ type: 'button', action_id: 'shugai:0:0:0', block_id: 'b1', value, action_ts: `${Date.now() / 1000}` }],
  };
}
