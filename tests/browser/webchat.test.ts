/**
 * The web chat widget in Chromium on a phone-sized screen: the greeting menu, a question answered with
 * an expandable citation, 👍, a reload that keeps the conversation, and a staff reply arriving by
 * polling. Text from the server is shown as text. Screenshots go to tests/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { hasChromium, launchBrowser, screenshot } from '../helpers/browser.ts';
import { FIXTURE_QUOTE, fixtureAnswerer, SCRIPT_QUESTION } from '../helpers/script.ts';

describe.skipIf(!hasChromium())('web chat widget in Chromium', () => {
  let app: TestApp;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    app.services.answerer = fixtureAnswerer();
    const b = await launchBrowser();
    closeBrowser = b.close;
    page = b.context.pages()[0] ?? (await b.context.newPage());
    await page.setViewportSize({ width: 390, height: 844 });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
  });
  afterAll(async () => {
    await closeBrowser?.();
    await app?.close();
  });

  it('greets with the menu, answers with an expandable citation, and takes 👍', async () => {
    await page.goto(`${app.url}/chat`);
    await page.getByRole('button', { name: '政策问答' }).waitFor();
    await page.fill('#input', SCRIPT_QUESTION);
    await page.press('#input', 'Enter');
    const cite = page.locator('details.cite').first();
    await cite.waitFor();
    expect(await page.locator('.msg.out').last().textContent()).toContain('80万元');
    expect(await cite.locator('blockquote').isVisible()).toBe(false);
    await cite.locator('summary').click();
    expect(await cite.locator('blockquote').textContent()).toBe(FIXTURE_QUOTE);
    await screenshot(page, 'webchat-answer');
    await page.getByRole('button', { name: '👍 有帮助' }).click();
    await expect.poll(() => page.locator('.msg.out').last().textContent()).toContain('感谢');
  });

  it('keeps the conversation after a reload and shows a staff reply as text', async () => {
    await page.reload();
    await page.locator('details.cite').first().waitFor();
    expect(await page.locator('.msg.in').allTextContents()).toContain(SCRIPT_QUESTION);
    await page.fill('#input', '转人工');
    await page.press('#input', 'Enter');
    await expect.poll(() => page.locator('.msg.out').last().textContent()).toContain('工作人员会在工作时间内回复');
    const [h] = await app.services.handoffs.list({ status: 'waiting' });
    await app.services.handoffs.reply(h!.id, { text: '<b>您好</b>，补助按实际投入计算。', author: 'staff' });
    await page.locator('.msg.staff').waitFor({ timeout: 15_000 });
    expect(await page.locator('.msg.staff').textContent()).toContain('<b>您好</b>');
    expect(await page.locator('.msg.staff b').count()).toBe(0);
    await screenshot(page, 'webchat-staff-reply');
    expect(problems).toEqual([]);
  });
});
