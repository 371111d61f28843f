/**
 * A handoff answered from the console reaches a Telegram user: the real app with its Telegram adapter
 * polling telegram-test-api, plus the console over real HTTP, driven in Chromium. The Telegram user asks
 * for a person, the conversation shows up in the inbox, the admin replies in the browser, the reply
 * arrives in the Telegram chat, and closing the handoff tells the user too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../console/admin/index.ts';
import { createHttpApp, startHttpServer, type RunningServer } from '../../console/http/index.ts';
import { until } from '../channels/telegram-harness.ts';
import { hasChromium, launchBrowser, screenshot, signIn, watchProblems } from '../helpers/browser.ts';
import { startTelegramApp, type TelegramApp } from '../helpers/telegram-app.ts';

const PASSWORD = 'handoff-admin-pass';
const CHAT = 5501;

describe.skipIf(!hasChromium())('handoff reply from the console to Telegram', () => {
  let app: TelegramApp;
  let server: RunningServer;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    app = await startTelegramApp(async (services) => {
      await services.db.query("insert into admin_users (username, display_name, password_hash, role) values ('wang', '王老师', $1, 'reviewer')", [await hashPassword(PASSWORD)]);
    });
    server = await startHttpServer(createHttpApp(app.services), 0, '127.0.0.1');
    const b = await launchBrowser();
    closeBrowser = b.close;
    page = b.context.pages()[0] ?? (await b.context.newPage());
    problems = watchProblems(page);
    page.on('dialog', (d) => void d.accept());
  }, 400_000);
  afterAll(async () => {
    await closeBrowser?.();
    await server?.close();
    await app?.close();
  });

  const chatTexts = () => app.bench.botMessages(CHAT).map((m) => m.text);

  it('delivers a reply typed in the console to the Telegram chat, then closes the handoff', async () => {
    const user = app.user(CHAT);
    const opened = await user.say('转人工');
    expect(opened.map((r) => r.text).join('\n')).toContain('已为您转接人工服务');

    await signIn(page, server.url, 'wang', PASSWORD);
    await page.goto(`${server.url}/admin/handoffs`);
    const row = page.locator('tbody tr', { hasText: `用户${CHAT}` });
    expect(await row.textContent()).toContain('等待中');
    expect(await row.textContent()).toContain('Telegram');
    await screenshot(page, 'console-handoff-inbox');
    await row.getByRole('link', { name: '查看并回复' }).click();
    await page.waitForURL(/\/admin\/conversations\//);
    expect(await page.locator('.msg.user').last().textContent()).toContain('转人工');

    const reply = '您好，我是区经信局王老师。补助按实际投入计算，<b>明天</b>电话联系您。';
    await page.fill('form[action$="/reply"] textarea[name=text]', reply);
    await page.click('form[action$="/reply"] button[type=submit]');
    await page.waitForURL(/done=sent/);
    await until(() => chatTexts().some((t) => t.includes('明天')), 15_000, 'the staff reply in the Telegram chat');
    const delivered = app.bench.botMessages(CHAT).find((m) => m.text.includes('明天'))!;
    // The HTML-looking part reaches Telegram as text, not as markup.
    expect(delivered.text).toContain('【工作人员回复】');
    expect(delivered.text).toContain('&lt;b&gt;明天&lt;/b&gt;');
    expect(await page.locator('.msg.staff').last().textContent()).toContain('<b>明天</b>');
    await screenshot(page, 'console-handoff-replied');

    const handoff = (await app.services.engine.handoffs.list({ status: 'answered' }))[0];
    expect(handoff?.channel).toBe('telegram');
    await page.click('form[action$="/close"] button[type=submit]');
    await page.waitForURL(/done=closed/);
    await until(() => chatTexts().some((t) => t.includes('本次人工服务已结束')), 15_000, 'the closing notice in the Telegram chat');
    expect((await app.services.engine.handoffs.get(handoff!.id))?.status).toBe('closed');
    expect(await page.locator('form[action$="/reply"]').count()).toBe(0);

    const audit = await app.services.db.query<{ action: string; actor_name: string }>("select action, actor_name from audit_log where target_type = 'handoff' order by id");
    expect(audit.rows).toEqual([
      { action: 'handoff.reply', actor_name: 'wang' },
      { action: 'handoff.close', actor_name: 'wang' },
    ]);
    expect(problems).toEqual([]);
  });
});
