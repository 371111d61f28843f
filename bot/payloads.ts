/**
 * Button payloads are signed and expiring, so a channel can carry them opaquely and a forged or stale
 * press is recognised. The wire form is `<body>|<expiry base36 seconds>|<hmac>`, kept within 64 bytes
 * (Telegram's callback_data limit); a body too long for that is stored in the database and referenced
 * as `#<id>`. The body is either an engine command ('/menu eligibility') or `<flowId>:<data>`.
 */
import crypto from 'node:crypto';

export const MAX_PAYLOAD_BYTES = 64;
const SIG_CHARS = 11;

export type VerifiedPayload =
  | { ok: true; body: string }
  | { ok: false; reason: 'invalid' | 'expired' };

export interface PayloadStore {
  storePayload(body: string, expiresAt: Date, now: Date): Promise<string>;
  loadPayload(id: string): Promise<string | null>;
}

export class PayloadSigner {
  constructor(
    private readonly secret: string,
    private readonly store: PayloadStore,
    private readonly ttlMs: number,
  ) {}

  private sig(text: string): string {
    return crypto.createHmac('sha256', this.secret).update(text).digest('base64url').slice(0, SIG_CHARS);
  }

  async sign(body: string, now: Date): Promise<string> {
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const exp = Math.ceil(expiresAt.getTime() / 1000).toString(36);
    let inner = body;
    if (body.startsWith('#') || Buffer.byteLength(`${body}|${exp}|`, 'utf8') + SIG_CHARS > MAX_PAYLOAD_BYTES)
      inner = '#' + (await this.store.storePayload(body, expiresAt, now));
    const head = `${inner}|${exp}`;
    return `${head}|${this.sig(head)}`;
  }

  async verify(payload: string, now: Date): Promise<VerifiedPayload> {
    const last = payload.lastIndexOf('|');
    const mid = last > 0 ? payload.lastIndexOf('|', last - 1) : -1;
    if (mid <= 0) return { ok: false, reason: 'invalid' };
    const head = payload.slice(0, last);
    const given = Buffer.from(payload.slice(last + 1));
    const want = Buffer.from(this.sig(head));
    if (given.length !== want.length || !crypto.timingSafeEqual(given, want)) return { ok: false, reason: 'invalid' };
    const expMs = parseInt(payload.slice(mid + 1, last), 36) * 1000;
    if (!Number.isFinite(expMs) || expMs < now.getTime()) return { ok: false, reason: 'expired' };
    const inner = payload.slice(0, mid);
    if (!inner.startsWith('#')) return { ok: true, body: inner };
    const body = await this.store.loadPayload(inner.slice(1));
    return body === null ? { ok: false, reason: 'expired' } : { ok: true, body };
  }
}

/** Signs every button of these replies (payload bodies become signed wire payloads). */
export async function signReplies<M extends { buttons?: { label: string; payload: string }[][] }>(signer: PayloadSigner, replies: M[], now: Date): Promise<M[]> {
  return Promise.all(
    replies.map(async (r) =>
      r.buttons ? { ...r, buttons: await Promise.all(r.buttons.map((row) => Promise.all(row.map(async (b) => ({ ...b, payload: await signer.sign(b.payload, now) }))))) } : r,
    ),
  );
}
