// Landing page: links to every page a person may need — the guardians' page, the staff board,
// the reports, emergency mail, the ward admin's pages and the kiosk — in that order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, PHONE, DESKTOP,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL']);
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('landing: links to 保護者の方, 職員ログイン, 帳票, 緊急一斉メール, 区の管理, every service and キオスク', { timeout: 120000 }, async () => {
  for (const [name, opts] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const page = await newPage(browser, opts);
    const res = await page.goto(`${env.URL}/`);
    assert.equal(res.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    const staff = page.getByRole('link', { name: /職員ログイン/ });
    const kiosk = page.getByRole('link', { name: /キオスク/ });
    assert.equal(new URL(await staff.evaluate((a) => a.href)).pathname, '/staff/');
    assert.equal(new URL(await kiosk.evaluate((a) => a.href)).pathname, '/kiosk/');
    const parent = page.getByRole('link', { name: /^保護者の方/ });
    assert.equal(new URL(await parent.evaluate((a) => a.href)).pathname, '/parent/');
    const reports = page.getByRole('link', { name: /帳票/ });
    assert.equal(new URL(await reports.evaluate((a) => a.href)).pathname, '/staff/reports.html');
    const emergency = page.getByRole('link', { name: /緊急一斉メール/ });
    assert.equal(new URL(await emergency.evaluate((a) => a.href)).pathname, '/staff/emergency.html');
    const ward = page.getByRole('link', { name: /^区の管理/ });
    assert.equal(new URL(await ward.evaluate((a) => a.href)).pathname, '/ward/');
    // In the order people come: families, staff and their reports, the ward, the other services, the kiosk.
    const order = await page.locator('.landing-menu a').evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
    // Every page the README lists (a school's, the supervisor's, the centre's parents' pages
    // were not linked and their people could not find them).
    assert.deepEqual(order, ['/parent/', '/staff/', '/staff/reports.html', '/staff/emergency.html', '/ward/',
      '/school/send.html', '/school/ward.html', '/school/registrants.html', '/school/sender.html',
      '/bathpass/counter.html', '/bathpass/office.html', '/sitter/apply.html', '/sitter/office.html', '/homehelp/office.html',
      '/plaza/desk.html', '/plaza/admin.html', '/course/', '/course/staff.html', '/youth/', '/youth/supervisor.html',
      '/centre/', '/centre/manager.html', '/centre/parent.html',
      '/exchange/send.html', '/exchange/inbox.html', '/exchange/admin.html', '/kiosk/']);
    // Every link opens a page that is there.
    for (const p of order) {
      const r = await page.request.get(`${env.URL}${p}`);
      assert.equal(r.status(), 200, `${p} answered ${r.status()}`);
    }
    await shot(page, `landing-${name}`);
    await checkA11y(page, `the landing page (${name})`);
    assertNoProblems(page);
    await page.context().close();
  }
});
