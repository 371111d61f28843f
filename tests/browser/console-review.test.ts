/**
 * Reviewing conversations in Chromium at 1366×768: a chat message carrying an XSS payload renders as
 * text in the transcript (no element, no script run), each answer shows its citations and ranker
 * scores, an admin marks an answer wrong and writes the correct one, and the next user asking in the
 * web chat widget gets it. Then every console page is opened at 1366×768 and must not scroll
 * sideways. Screenshots go to tests/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { adminRoutes } from '../../console/admin/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { storeApplication } from '../helpers/applications.ts';
import { hasChromium, launchBrowser, screenshot, signIn, watchProblems } from '../helpers/browser.ts';

const PASSWORD = 'review-admin-pass';
const QUESTION = '试点企业数字化改造后达到三级，最多能拿多少补助？';
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
const LONG = 'https://example.com/' + 'a'.repeat(300);
const CORRECT = '达到三级的企业，补助最高不超过80万元（浏览器更正）。';

describe.skipIf(!hasChromium())('conversation review in Chromium', () => {
  let app: TestApp;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  let newPage: () => Promise<Page>;
  let problems: string[] = [];
  let convId = '';

  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_PASSWORD: PASSWORD } });
    const b = await launchBrowser();
    closeBrowser = b.close;
    newPage = () => b.context.newPage();
    page = b.context.pages()[0] ?? (await newPage());
    problems = watchProblems(page);
    const first = await app.post('/api/chat', { user: 'review-ent', text: QUESTION });
    expect(first.status).toBe(200);
    convId = first.body.conversation;
    expect((await app.post('/api/chat', { user: 'review-ent', text: `${XSS} ${LONG}` })).status).toBe(200);
    await storeApplication(app.services, { conversationId: convId, uscc: '91330784MA2E12345C', companyName: `金华${'超长名称'.repeat(20)}有限公司`, answers: { painPoints: { selected: [], other: [LONG] } } });
    await signIn(page, app.url, 'admin', PASSWORD);
  }, 400_000);
  afterAll(async () => {
    await closeBrowser?.();
    await app?.close();
  });

  it('shows a chat XSS payload as text in the transcript, with citations and ranker scores', async () => {
    await page.goto(`${app.url}/admin/conversations?channel=web`);
    await page.locator(`a[href="/admin/conversations/${encodeURIComponent(convId)}"]`).click();
    await page.waitForURL(/\/admin\/conversations\/c_/);
    const userMessages = await page.locator('.msg.user').allTextContents();
    expect(userMessages.some((t) => t.includes(XSS))).toBe(true);
    expect(await page.locator('.msg img, .content script').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('.citations').first().textContent()).toMatch(/《.+》/);
    const hits = page.locator('details', { hasText: '检索结果' }).first();
    await hits.locator('summary').click();
    expect(await hits.locator('tbody tr').first().textContent()).toMatch(/\d\.\d{3}（\d+）/);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, 'console-transcript');
  });

  it('corrects an answer in the browser, and the next web-chat user gets the correction', async () => {
    const answer = (await app.services.engine.transcripts.answers(convId)).find((a) => a.question === QUESTION)!;
    const form = page.locator(`#fix-${answer.id}`);
    expect(await form.isVisible()).toBe(false);
    await page.locator(`a[data-toggle="fix-${answer.id}"]`).click();
    expect(await form.isVisible()).toBe(true);
    expect(await form.locator('input[name=question]').inputValue()).toBe(QUESTION);
    await form.locator('textarea[name=answer]').fill(CORRECT);
    if (!(await form.locator('input[name=document]').inputValue())) await form.locator('input[name=document]').fill('金华市中小企业数字化转型试点实施意见');
    await screenshot(page, 'console-correction-form');
    await form.locator('button[type=submit]').click();
    await page.waitForURL(/done=corrected/);
    expect(await page.textContent('.cols-side aside')).toContain(QUESTION);

    const chat = await newPage();
    const chatProblems = watchProblems(chat);
    await chat.setViewportSize({ width: 390, height: 844 });
    await chat.goto(`${app.url}/chat`);
    await chat.locator('#input').waitFor();
    await chat.fill('#input', QUESTION);
    await chat.press('#input', 'Enter');
    await expect.poll(() => chat.locator('.msg.out').last().textContent(), { timeout: 15_000 }).toContain('浏览器更正');
    await screenshot(chat, 'webchat-corrected-answer');
    await chat.close();
    expect(chatProblems).toEqual([]);
  });

  it('fits every console page in 1366×768 without sideways scrolling', async () => {
    const docId = (await app.services.db.query<{ id: string }>('select id from kb_documents order by id limit 1')).rows[0].id;
    const faqId = (await app.services.db.query<{ id: string }>('select id::text from faq_pairs limit 1')).rows[0].id;
    const userId = (await app.services.db.query<{ id: string }>("select id::text from admin_users where username = 'admin'")).rows[0].id;
    const reference = (await app.services.db.query<{ reference: string }>('select reference from applications')).rows[0].reference;
    const concrete = (path: string): string | null => {
      if (path.startsWith('/documents/:id')) return `/documents/${encodeURIComponent(docId)}`;
      if (path.startsWith('/faq/:id')) return `/faq/${faqId}`;
      if (path.startsWith('/users/:id')) return `/users/${userId}`;
      if (path.startsWith('/conversations/:id')) return `/conversations/${encodeURIComponent(convId)}`;
      if (path === '/applications/:ref') return `/applications/${reference}`;
      return path.includes(':') || path.endsWith('.csv') ? null : path;
    };
    const paths = adminRoutes(app.services)
      .filter((r) => r.method === 'get')
      .map((r) => concrete(r.path))
      .filter((p): p is string => p !== null);
    paths.push('/retrieval?q=' + encodeURIComponent('数字化改造补助'));
    expect(paths.length).toBeGreaterThanOrEqual(15);
    const wide: string[] = [];
    const clipped: string[] = [];
    for (const p of paths) {
      const res = await page.goto(`${app.url}/admin${p === '/' ? '' : p}`);
      expect(res?.status(), p).toBe(200);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      if (overflow > 0) wide.push(`${p} (+${overflow}px)`);
      // Long user text wraps; a card only scrolls sideways for a genuinely wide table.
      const clippedCards = await page.evaluate<number>('[...document.querySelectorAll(".card")].filter((c) => c.scrollWidth > c.clientWidth + 1).length');
      if (clippedCards > 0) clipped.push(p);
      // The navigation and the page title stay on screen.
      expect(await page.locator('h1').isVisible(), p).toBe(true);
      await screenshot(page, `layout${p.replace(/\?.*$/, '').replace(/[^\w]+/g, '-')}`);
    }
    expect(wide).toEqual([]);
    expect(clipped).toEqual([]);
    expect(problems).toEqual([]);
  });
});
