/**
 * Applications in the console over real HTTP, on applications that came in through real chat: one
 * submitted by the whole 申报诊断 through Telegram (telegram-test-api), others stored through the intake
 * repository for a web-chat user and another district. Covers the list and its filters, the detail view,
 * a status change with a note that reaches the enterprise on its own channel (Telegram chat, web chat),
 * the CSV export (BOM, Chinese headers, the filtered rows, formula-safe cells) and an officer's district
 * scope (list, detail, export and status change).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../console/admin/index.ts';
import { createHttpApp, startHttpServer, type RunningServer } from '../../console/http/index.ts';
import { IntakeRepo, type ApplicationRow } from '../../db/index.ts';
import { storeApplication } from '../helpers/applications.ts';
import { until } from '../channels/telegram-harness.ts';
import { runIntakeScript, telegramDriver } from '../eligibility/intake-script.ts';
import { AdminClient } from '../helpers/admin-client.ts';
import { startTelegramApp, type TelegramApp } from '../helpers/telegram-app.ts';

const ADMIN_PASSWORD = 'applications-admin-pass';
const OFFICER_PASSWORD = 'applications-officer-pass';
const CHAT = 4401;

let app: TelegramApp;
let server: RunningServer;
let admin: AdminClient;
let officer: AdminClient;
/** The application submitted through Telegram (永康市, 电动工具). */
let tg: ApplicationRow;
/** Stored for a web-chat user in 东阳市 (磁性材料). */
let web: ApplicationRow;
/** 义乌市 (服装), with a company name that looks like a spreadsheet formula. */
let formula: ApplicationRow;

async function webChat(user: string, text: string): Promise<{ conversation: string }> {
  const r = await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }) });
  expect(r.status).toBe(200);
  return (await r.json()) as { conversation: string };
}

beforeAll(async () => {
  app = await startTelegramApp(async (services) => {
    await services.db.query("insert into admin_users (username, password_hash, role) values ('chief', $1, 'admin')", [await hashPassword(ADMIN_PASSWORD)]);
    await services.db.query("insert into admin_users (username, display_name, password_hash, role, region) values ('yk', '永康专员', $1, 'officer', '永康市')", [await hashPassword(OFFICER_PASSWORD)]);
  });
  server = await startHttpServer(createHttpApp(app.services), 0, '127.0.0.1');
  const reference = await runIntakeScript(telegramDriver(app, CHAT));
  tg = (await new IntakeRepo(app.services.db).getByReference(reference))!;
  // The other applications are stored for web-chat users, in their own districts and industries.
  const w = await webChat('ent-web-1', '你好');
  web = await storeApplication(app.services, { conversationId: w.conversation, uscc: '91330783MA2E00001X', companyName: '东阳横店磁业有限公司', answers: { region: '东阳市', industry: 'magnetic-materials' } });
  const f = await webChat('ent-web-2', '你好');
  formula = await storeApplication(app.services, {
    conversationId: f.conversation,
    uscc: '91330782MA2E00002Y',
    companyName: '=HYPERLINK("http://x")服饰',
    answers: { region: '义乌市', industry: 'apparel', contactName: '<script>alert(1)</script>' },
  });
  admin = new AdminClient(server.url);
  expect((await admin.login('chief', ADMIN_PASSWORD)).status).toBe(303);
  officer = new AdminClient(server.url);
  expect((await officer.login('yk', OFFICER_PASSWORD)).status).toBe(303);
}, 400_000);

afterAll(async () => {
  await server?.close();
  await app?.close();
});

/** References listed in the applications table of a page. */
function listed(page: string): string[] {
  return [...page.matchAll(/<a href="\/admin\/applications\/([^"?]+)">/g)].map((m) => decodeURIComponent(m[1]));
}

describe('console applications', () => {
  it('lists every application and filters by status, region, industry and search text', async () => {
    expect(tg.channel).toBe('telegram');
    const all = await admin.get('/admin/applications');
    expect(all.status).toBe(200);
    expect(listed(all.text).sort()).toEqual([tg.reference, web.reference, formula.reference].sort());
    expect(all.text).toContain('金华永康星辰工具有限公司');
    expect(all.text).toContain('电动工具');

    const byRegion = await admin.get(`/admin/applications?region=${encodeURIComponent('东阳市')}`);
    expect(listed(byRegion.text)).toEqual([web.reference]);
    expect(listed((await admin.get('/admin/applications?industry=apparel')).text)).toEqual([formula.reference]);
    expect(listed((await admin.get(`/admin/applications?q=${encodeURIComponent('星辰')}`)).text)).toEqual([tg.reference]);
    expect(listed((await admin.get(`/admin/applications?q=${tg.uscc.toLowerCase()}`)).text)).toEqual([tg.reference]);
    expect(listed((await admin.get('/admin/applications?status=accepted')).text)).toEqual([]);
    // Unknown filter values are ignored or match nothing; never an error.
    expect((await admin.get('/admin/applications?status=bogus&region=%3Cscript%3E')).status).toBe(200);
  });

  it('shows the detail with every answer and the status history; a name that looks like markup stays text', async () => {
    const r = await admin.get(`/admin/applications/${tg.reference}`);
    expect(r.status).toBe(200);
    const rows = Object.fromEntries(
      [...r.text.matchAll(/<tr><th class="nowrap">([^<]+)<\/th><td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]]),
    );
    expect(rows).toMatchObject({
      企业名称: '金华永康星辰工具有限公司',
      统一社会信用代码: tg.uscc,
      联系人: '张伟',
      联系电话: '13900001111',
      所在区县: '永康市',
      所属行业: '电动工具',
      企业规模: '规上',
      上年主营业务收入: '8000万元',
      已有系统: 'ERP（企业资源计划）、MES（生产执行）、金蝶云星空',
      计划投入: '120万元',
      目标等级: '三级',
      数据使用授权: '已同意',
    });
    expect(rows['主要痛点/需求']).toMatch(/^N·/);
    expect(rows['数字化水平自评']).toContain('预评估：二级');
    expect(r.text).toContain('已提交，待受理');
    const markup = await admin.get(`/admin/applications/${formula.reference}`);
    expect(markup.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(markup.text).not.toContain('<script>alert(1)');
    expect(r.text).toContain(`/admin/conversations/${encodeURIComponent(tg.conversationId!)}`);
    expect((await admin.get('/admin/applications/JH-1999-999999')).status).toBe(404);
  });

  it('changes the status with a note and tells the enterprise in its Telegram chat', async () => {
    await admin.get(`/admin/applications/${tg.reference}`);
    const before = app.bench.botMessages(CHAT).length;
    const bad = await admin.post(`/admin/applications/${tg.reference}/status`, { status: 'approved-ish', note: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('请选择有效的状态');
    const NOTE = '请补充上年度审计报告<附件>。';
    const r = await admin.post(`/admin/applications/${tg.reference}/status`, { status: 'needs_info', note: NOTE });
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/admin/applications/${tg.reference}?done=status`);
    await until(() => app.bench.botMessages(CHAT).length > before, 15_000, 'the status notice in the Telegram chat');
    const notice = app.bench.botMessages(CHAT).slice(before).map((m) => m.text).join('\n');
    expect(notice).toContain(tg.reference);
    expect(notice).toContain('需补充信息');
    expect(notice).toContain('请补充上年度审计报告&lt;附件&gt;');

    const detail = await admin.get(`/admin/applications/${tg.reference}`);
    expect(detail.text).toContain('当前状态：<strong>需补充信息</strong>');
    expect(detail.text).toContain('请补充上年度审计报告&lt;附件&gt;。');
    const audit = await app.services.db.query<{ actor_name: string; before: unknown; after: unknown; details: { delivery: string } }>(
      "select actor_name, before, after, details from audit_log where action = 'application.status'",
    );
    expect(audit.rows).toEqual([{ actor_name: 'chief', before: { status: 'submitted' }, after: { status: 'needs_info', note: NOTE }, details: { delivery: 'sent' } }]);
    // The enterprise sees the same status when it asks in chat.
    const status = await app.user(CHAT).say('/status');
    expect(status.map((s) => s.text).join('\n')).toContain('需补充信息');
  });

  it('notifies a web-chat enterprise in its web chat, not on Telegram', async () => {
    const before = app.bench.server.storage.botMessages.length;
    await admin.get(`/admin/applications/${web.reference}`);
    expect((await admin.post(`/admin/applications/${web.reference}/status`, { status: 'accepted', note: '已列入第二批试点名单。' })).status).toBe(303);
    const r = await fetch(`${server.url}/api/chat/updates?user=ent-web-1&after=0`);
    const updates = (await r.json()) as { messages: { text: string }[] };
    expect(updates.messages.map((m) => m.text).join('\n')).toMatch(new RegExp(`${web.reference}[\\s\\S]*已通过[\\s\\S]*已列入第二批试点名单`));
    expect(app.bench.server.storage.botMessages.length).toBe(before);
  });

  it('exports the filtered list as CSV with a BOM, Chinese headers and formula-safe cells', async () => {
    const res = await fetch(`${server.url}/admin/applications/export.csv`, { headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n');
    const header = lines[0].split(',').map((c) => c.replace(/^"|"$/g, ''));
    expect(header.slice(0, 6)).toEqual(['编号', '企业名称', '统一社会信用代码', '状态', '提交时间', '更新时间']);
    expect(header).toContain('所在区县');
    expect(header).toContain('计划投入');
    const col = (name: string) => header.indexOf(name);
    expect(lines.length).toBe(4);
    const row = (ref: string) => lines.find((l) => l.startsWith(`"${ref}"`))!;
    expect(row(tg.reference)).toContain('"金华永康星辰工具有限公司","91330784MA2E12345C","需补充信息"');
    const cells = (line: string) => line.slice(1, -1).split('","');
    expect(cells(row(tg.reference))[col('所在区县')]).toBe('永康市');
    expect(cells(row(tg.reference))[col('已有系统')]).toBe('ERP（企业资源计划）、MES（生产执行）、金蝶云星空');
    expect(cells(row(web.reference))[col('所属行业')]).toBe('磁性材料');
    expect(row(web.reference)).toContain('"已通过（列入试点）"');
    expect(row(formula.reference)).toContain(`"'=HYPERLINK(""http://x"")服饰"`);

    const filtered = await admin.get(`/admin/applications/export.csv?region=${encodeURIComponent('东阳市')}`);
    const rows = filtered.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(rows.length).toBe(2);
    expect(rows[1]).toContain(web.reference);
    const audit = await app.services.db.query<{ details: { rows: number } }>("select details from audit_log where action = 'application.export' order by id");
    expect(audit.rows.map((a) => a.details.rows)).toEqual([3, 1]);
  });

  it('limits an officer to the district in their scope: list, detail, export and status changes', async () => {
    const list = await officer.get('/admin/applications');
    expect(list.status).toBe(200);
    expect(listed(list.text)).toEqual([tg.reference]);
    expect(list.text).toContain('本辖区全部');
    expect(list.text).not.toContain('<option>东阳市</option>');
    // Asking for another district by filter gives nothing, not its rows.
    expect(listed((await officer.get(`/admin/applications?region=${encodeURIComponent('东阳市')}`)).text)).toEqual([]);
    expect((await officer.get(`/admin/applications/${tg.reference}`)).status).toBe(200);
    const other = await officer.get(`/admin/applications/${web.reference}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain('东阳横店磁业');
    const csv = await officer.get('/admin/applications/export.csv');
    expect(csv.text).toContain(tg.reference);
    expect(csv.text).not.toContain(web.reference);
    expect(csv.text).not.toContain(formula.reference);

    await officer.get(`/admin/applications/${tg.reference}`);
    const refused = await officer.post(`/admin/applications/${web.reference}/status`, { status: 'rejected', note: '越权' });
    expect(refused.status).toBe(404);
    expect((await new IntakeRepo(app.services.db).getByReference(web.reference))?.status).toBe('accepted');
    expect((await officer.post(`/admin/applications/${tg.reference}/status`, { status: 'under_review', note: '' })).status).toBe(303);
    const history = await new IntakeRepo(app.services.db).history(tg.id);
    expect(history.map((h) => [h.status, h.actor])).toEqual([
      ['submitted', `user:${tg.userId}`],
      ['needs_info', 'chief'],
      ['under_review', '永康专员'],
    ]);
  });

  it('applies a change of the officer’s scope made on the users page from their next sign-in', async () => {
    const id = (await app.services.db.query<{ id: string }>("select id::text from admin_users where username = 'yk'")).rows[0].id;
    await admin.get(`/admin/users/${id}`);
    expect((await admin.post(`/admin/users/${id}`, { displayName: '永康专员', role: 'officer', region: '东阳市' })).status).toBe(303);
    // A change of role or scope ends the officer's open sessions; the next sign-in has the new scope.
    expect((await officer.get('/admin/applications')).status).toBe(302);
    expect((await officer.login('yk', OFFICER_PASSWORD)).status).toBe(303);
    expect(listed((await officer.get('/admin/applications')).text)).toEqual([web.reference]);
    expect((await officer.get(`/admin/applications/${tg.reference}`)).status).toBe(404);
    const audit = await app.services.db.query<{ before: { region: string }; after: { region: string } }>("select before, after from audit_log where action = 'user.update'");
    expect(audit.rows.map((r) => [r.before.region, r.after.region])).toEqual([['永康市', '东阳市']]);
    expect(JSON.stringify(audit.rows)).not.toContain('argon2');
  });
});
