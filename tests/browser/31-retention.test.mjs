// SPDX-License-Identifier: MIT
// Retention and the audit report (/ward/retention.html, issue 19): the ward administrator sees
// every retention period with the last run's counts (the server's run at its start) and the
// audit log's months, and analyses a month of the audit log per staff user; a site's staff is
// refused the page. At 1280 and 390 px, axe-core on every state, no console errors with the CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, userApi, DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_STAFF_LOGIN',
  'MIMAMORI_STAFF_PASSWORD']);

let browser;
let admin;
before(async () => {
  browser = await launch();
  admin = await userApi(env, env.ADMIN_LOGIN);
});
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

async function signIn(page, url, login) {
  await page.goto(url);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
}

test('retention periods, the last run and the monthly audit report (1280 and 390 px)', { timeout: 180000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/ward/retention.html`, env.ADMIN_LOGIN);
  await tid(page, 'retention-row').first().waitFor();
  await checkA11y(page, 'retention');
  // the rows are the API's periods, with their days
  const api = await admin.get('/api/v1/retention');
  assert.equal(api.status, 200, api.text);
  const keys = await tid(page, 'retention-row').evaluateAll((rows) => rows.map((r) => r.dataset.key));
  assert.deepEqual(keys, api.data.periods.map((p) => p.key));
  const mail = page.locator('[data-testid="retention-row"][data-key="mail_content"]');
  assert.match(await mail.innerText(), /送信済みメールの宛先・件名・本文/);
  assert.match(await mail.innerText(), /30 日/);
  assert.match(await tid(page, 'retention-last-run').innerText(), /前回の処理/);
  assert.match(await tid(page, 'retention-audit').innerText(), /60 か月/);
  // the report of this month (filled in), twice: reading it is audited, so the second one
  // has the administrator's own row; the rows are the API's
  await tid(page, 'report-go').click();
  await tid(page, 'report-summary').filter({ hasText: '勤務時間' }).waitFor();
  await tid(page, 'report-go').click();
  await tid(page, `report-row`).filter({ hasText: env.ADMIN_LOGIN }).first().waitFor();
  const month = await tid(page, 'report-month').inputValue();
  const rep = await admin.get(`/api/v1/audit/report?month=${month}`);
  assert.equal(rep.status, 200, rep.text);
  const logins = await tid(page, 'report-row').evaluateAll((rows) => rows.map((r) => r.dataset.login));
  assert.deepEqual(logins, rep.data.users.map((u) => u.login));
  assert.ok(logins.includes(env.ADMIN_LOGIN), logins.join(','));
  assert.match(await tid(page, 'report-summary').innerText(), /勤務時間 08:00-19:00/);
  await checkA11y(page, 'retention with a report');
  await shot(page, 'retention-desktop');
  // a month with nothing: a clear row, by keyboard
  await tid(page, 'report-month').fill('2001-01');
  await tid(page, 'report-month').press('Enter');
  await page.getByText('この月の職員の記録はありません。').waitFor();
  await page.setViewportSize(PHONE.viewport);
  await checkA11y(page, 'retention on a phone');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scroll');
  await shot(page, 'retention-phone');
  assertNoProblems(page);
  await page.context().close();
});

test('a site\'s staff is refused the page', { timeout: 120000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/ward/retention.html`, env.STAFF_LOGIN);
  await tid(page, 'denied').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'denied').innerText(), /区の管理者/);
  await checkA11y(page, 'retention refused');
  assertNoProblems(page);
  await page.context().close();
});
