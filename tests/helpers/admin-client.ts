/**
 * A signed-in browser stand-in for console tests over real HTTP: keeps cookies, follows no redirects on
 * its own (tests assert them), reads the page's CSRF token from its <meta> tag and sends forms urlencoded
 * or multipart.
 */
import { startTestApp, type TestApp } from './app.ts';

export interface Page {
  status: number;
  text: string;
  location: string | null;
  headers: Headers;
}

export class AdminClient {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly baseUrl: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i).trim();
      const v = pair.slice(i + 1).trim();
      if (/Max-Age=0/i.test(line) || v === '') this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
  }

  async request(method: string, path: string, body?: RequestInit['body'], headers: Record<string, string> = {}): Promise<Page> {
    const res = await fetch(this.baseUrl + path, { method, body, redirect: 'manual', headers: { cookie: this.cookieHeader(), ...headers } });
    this.remember(res);
    const text = await res.text();
    const m = text.match(/<meta name="csrf-token" content="([^"]+)">/);
    if (m) this.csrf = m[1];
    return { status: res.status, text, location: res.headers.get('location'), headers: res.headers };
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /** POSTs a urlencoded form; the session's CSRF token is added unless `csrf: false` (or a value is given). */
  post(path: string, form: Record<string, string | string[]> = {}, opts: { csrf?: boolean | string } = {}): Promise<Page> {
    const body = new URLSearchParams();
    if (opts.csrf !== false) body.set('_csrf', typeof opts.csrf === 'string' ? opts.csrf : this.csrf);
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return this.request('POST', path, body.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }

  /** POSTs multipart/form-data with one file. */
  upload(path: string, fieldName: string, file: { name: string; data: Uint8Array; type?: string }, form: Record<string, string> = {}, opts: { csrf?: boolean } = {}): Promise<Page> {
    const fd = new FormData();
    if (opts.csrf !== false) fd.set('_csrf', this.csrf);
    for (const [k, v] of Object.entries(form)) fd.set(k, v);
    fd.set(fieldName, new Blob([file.data], { type: file.type ?? 'application/octet-stream' }), file.name);
    return this.request('POST', path, fd);
  }

  async login(username: string, password: string): Promise<Page> {
    const page = await this.get('/admin/login');
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
    const res = await this.post('/admin/login', { username, password, next: '/admin' }, { csrf: token });
    if (res.status === 303) await this.get('/admin');
    return res;
  }
}

/** The app on a fresh test database, with ADMIN_PASSWORD set and a client signed in as that admin. */
export async function startSignedInApp(password: string): Promise<{ app: TestApp; admin: AdminClient }> {
  const app = await startTestApp({ env: { ADMIN_PASSWORD: password } });
  const admin = new AdminClient(app.url);
  const r = await admin.login('admin', password);
  if (r.status !== 303) throw new Error(`admin login failed: ${r.status}`);
  return { app, admin };
}
