/**
 * Progress through a real channel adapter: the app's Telegram adapter polling telegram-test-api on
 * 127.0.0.1. An officer binds with /bind and asks in plain Chinese; scope holds; a reused code fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramApp, type TelegramApp } from '../helpers/telegram-app.ts';
import { uscc } from './fixtures.ts';

let app: TelegramApp;

beforeAll(async () => {
  app = await startTelegramApp(async (services) => {
    const rows = ['企业名称,统一社会信用代码,区县,行业,规模,阶段,数字化等级,签约日期', `永康一,${uscc(1)},永康市,电动工具,规上,达标,二级,2025-01-02`];
    for (let i = 0; i < 3; i++) rows.push(`东阳${i + 1}号,${uscc(100 + i, '330783')},东阳市,磁性材料,规上,签约,,2025-03-03`);
    await services.progress.importFile('seed.csv', Buffer.from(rows.join('\n')), 'test');
  });
}, 300_000);

afterAll(async () => app?.close());

describe('progress through Telegram', () => {
  it('binds an officer, answers within scope with the target, refuses another region and a reused code', async () => {
    const yk = await app.services.progress.officers.create({ name: '永康专员', region: '永康市' }, 'test');
    const { code } = await app.services.progress.officers.issueBindCode(yk.id, 'test');
    const officer = app.user(401);
    const join = (seen: { text: string }[]) => seen.map((r) => r.text).join('\n');

    const before = join(await officer.say('永康电动工具签约多少家'));
    expect(before).not.toContain('561');

    expect(join(await officer.say(`/bind ${code}`))).toContain('绑定成功');
    const figures = join(await officer.say('永康电动工具签约多少家'));
    expect(figures).toMatch(/561/);
    expect(figures).toMatch(/0\.2%/);
    expect(join(await officer.say('东阳磁性材料还有哪些企业没验收'))).toContain('不能查看东阳市的数据');

    const other = app.user(402);
    expect(join(await other.say(`/bind ${code}`))).toContain('已使用过');
  }, 180_000);
});
