/**
 * The admin console in a real browser (Debian Chromium via playwright-core) at 1366×768: login, the
 * pages an admin uses, with no CSP violations and no console errors. Screenshots go to tests/artifacts/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { hasChromium, launchBrowser, screenshot } from '../helpers/browser.ts';
import { progressCsv } from '../console/fixtures/progress.ts';

const PASSWORD = 'browser-admin-pass';

describe.skipIf(!hasChromium())('admin console in Chromium', () => {
  let app: TestApp;
  let closeBrowser: () => Promise<void>;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({ env: { ADMIN_PASSWORD: PASSWORD } });
    const b = await launchBrowser();
    closeBrowser = b.close;
    context = b.context;
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      // The failed-login page is a 401 by design; Chromium logs every 4xx document as an error.
      if (m.type() === 'error' && !m.text().includes('status of 401')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
  }, 400_000);
  afterAll(async () => {
    await closeBrowser?.();
    await app?.close();
  });

  it('logs in and lands on the overview', async () => {
    await page.goto(`${app.url}/admin/users`);
    await expect.poll(() => page.url()).toContain('/admin/login');
    await screenshot(page, 'console-login');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('body')).toContain('用户名或密码错误');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin\/users$/);
    expect(await page.textContent('h1')).toContain('用户与专员');
  });

  it('creates an officer from the users page; names are shown as text', async () => {
    await page.fill('input[name=username]', 'yongkang1');
    await page.fill('input[name=displayName]', '<img src=x onerror=alert(1)>李');
    await page.selectOption('select[name=role]', 'officer');
    await page.selectOption('select[name=region]', '永康市');
    await page.fill('input[name=password]', 'officer-password-1');
    await page.click('form[action="/admin/users"] button[type=submit]');
    await page.waitForURL(/done=created/);
    expect(await page.textContent('table')).toContain('<img src=x onerror=alert(1)>李');
    expect(await page.locator('table img').count()).toBe(0);
    await screenshot(page, 'console-users');
  });

  it('shows the audit log of those actions', async () => {
    await page.goto(`${app.url}/admin/audit`);
    const text = await page.textContent('table');
    expect(text).toContain('user.create');
    expect(text).toContain('auth.login_failed');
    await screenshot(page, 'console-audit');
  });

  it('uploads a document and finds it on the retrieval test page', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-upload-'));
    const file = path.join(dir, '浏览器测试.md');
    fs.writeFileSync(file, '# 一、樱桃专项\n\n## （一）樱桃工坊\n\n对建成樱桃数字工坊的企业，奖励不超过77万元。\n');
    await page.goto(`${app.url}/admin/documents`);
    await page.setInputFiles('#upload-form input[type=file]', file);
    await page.click('#upload-form button[type=submit]');
    await page.waitForURL(/done=uploaded/);
    expect(await page.textContent('#chunks')).toContain('一、樱桃专项 > （一）樱桃工坊');
    await screenshot(page, 'console-document');
    await page.goto(`${app.url}/admin/retrieval`);
    await page.fill('input[name=q]', '樱桃数字工坊奖励多少');
    await page.click('#retrieval-form button[type=submit]');
    await page.waitForSelector('#hits');
    const first = await page.textContent('#hits tbody tr:first-child');
    expect(first).toContain('77万元');
    expect(first).toMatch(/\d\.\d{3}（\d+）/);
    await screenshot(page, 'console-retrieval');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports progress data and renders the dashboard charts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shugai-progress-'));
    const file = path.join(dir, '进度.csv');
    fs.writeFileSync(file, progressCsv());
    await page.goto(`${app.url}/admin/progress/import`);
    await page.setInputFiles('#import-form input[type=file]', file);
    await page.click('#import-form button[type=submit]');
    await page.waitForSelector('#import-report');
    expect(await page.textContent('#import-report')).toContain('杭州市');
    await screenshot(page, 'console-import');
    await page.goto(`${app.url}/admin/progress`);
    await page.waitForFunction('(window.__chartsRendered || 0) >= 2');
    const drawn = await page.evaluate<number>('[...document.querySelectorAll("canvas")].filter((c) => c.width > 0 && c.height > 0).length');
    expect(drawn).toBeGreaterThanOrEqual(2);
    // With data in the ranking and matrix tables, the dashboard still fits 1366 px.
    expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    expect(await page.evaluate('[...document.querySelectorAll(".card")].filter((c) => c.scrollWidth > c.clientWidth + 1).length')).toBe(0);
    await screenshot(page, 'console-progress');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('raised no console errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
