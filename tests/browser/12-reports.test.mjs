// SPDX-License-Identifier: MIT
// The reports page (/staff/reports.html), reached from the staff board and the ward admin's
// menu: site staff download their site's daily list as PDF (read with pdftotext), XLSX (the
// workbook's XML unzipped) and CSV in UTF-8 and in CP932 (decoded as Shift_JIS, the lost 𠮷
// named on the page); the ward admin downloads the monthly usage as XLSX, CSV and PDF and sees
// every download in the handover ledger; a contractor is refused. axe-core on every state, at
// 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, userApi,
  DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_APPROVER_LOGIN',
  'MIMAMORI_STAFF_LOGIN', 'MIMAMORI_STAFF_PASSWORD', 'MIMAMORI_SITE_CODE', 'MIMAMORI_CHILD_NAME',
  'MIMAMORI_WARD_SITE_CODE']);

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

async function downloadBy(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const file = await dl.path();
  assert.ok(file, 'the download was saved');
  await tid(page, 'report-result').waitFor();
  await eventually(async () => /台帳/.test(await tid(page, 'report-result').innerText()), { message: 'the result line' });
  return { file, name: dl.suggestedFilename(), bytes: fs.readFileSync(file) };
}
const pdfText = (pdf) => execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', pdf, '-']).toString('utf8');
const unzip = (file, member) => execFileSync('unzip', ['-p', file, member]).toString('utf8');

/** Today in Japan: "YYYY-MM-DD" and its 和暦 "令和N年M月D日". */
function today() {
  const iso = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const [y, m, d] = iso.split('-').map(Number);
  return { iso, wareki: `令和${y - 2018 === 1 ? '元' : y - 2018}年${m}月${d}日` };
}

test('site staff: the daily list as PDF, XLSX and CSV (UTF-8 and CP932), reached from the board', { timeout: 240000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/staff/`, env.STAFF_LOGIN);
  // The board's header leads to the reports page.
  await tid(page, 'reports-link').waitFor();
  assert.ok(await tid(page, 'ward-link').isHidden(), 'site staff get no ward link');
  await tid(page, 'reports-link').click();
  await page.waitForURL(/\/staff\/reports\.html/);
  await tid(page, 'daily-form').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#daily-site option').length > 0);
  // Only their own site; no monthly usage, no ledger.
  const options = await page.locator('#daily-site option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, [env.SITE_CODE]);
  assert.ok(await tid(page, 'monthly-form').isHidden());
  assert.ok(await tid(page, 'ledger').isHidden());
  await checkA11y(page, 'reports for site staff');
  await shot(page, 'reports-staff-desktop');
  const t = today();
  assert.equal(await tid(page, 'daily-date').inputValue(), t.iso);

  const pdf = await downloadBy(page, tid(page, 'daily-pdf'));
  assert.equal(pdf.name, `daily-${env.SITE_CODE}-${t.iso}.pdf`);
  assert.ok(pdf.bytes.subarray(0, 5).toString() === '%PDF-');
  const text = pdfText(pdf.file);
  for (const want of [env.CHILD_NAME, t.wareki, t.iso, '出欠一覧']) assert.ok(text.includes(want), `${want} in the PDF`);
  await checkA11y(page, 'reports after a download');

  const xlsx = await downloadBy(page, tid(page, 'daily-xlsx'));
  assert.equal(xlsx.name, `daily-${env.SITE_CODE}-${t.iso}.xlsx`);
  const shared = unzip(xlsx.file, 'xl/sharedStrings.xml');
  for (const want of [env.CHILD_NAME, t.wareki, '出欠一覧（日次）']) assert.ok(shared.includes(want), `${want} in the workbook`);
  assert.match(unzip(xlsx.file, 'xl/workbook.xml'), new RegExp(`name="${env.SITE_CODE}"`));

  const utf8 = await downloadBy(page, tid(page, 'daily-csv'));
  assert.deepEqual([...utf8.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
  const rows = utf8.bytes.subarray(3).toString('utf8').split('\r\n');
  assert.equal(rows[0], '日付,施設コード,児童番号,児童氏名,児童氏名カナ,学年,入室,退室,状況,連絡');
  assert.ok(rows.some((r) => r.includes(env.CHILD_NAME)));

  // CP932: read as Shift_JIS; 𠮷 is not in it and the page says which row lost it.
  await tid(page, 'encoding-cp932').check();
  const sjis = await downloadBy(page, tid(page, 'daily-csv'));
  assert.equal(sjis.name, `daily-${env.SITE_CODE}-${t.iso}-cp932.csv`);
  const decoded = new TextDecoder('shift_jis').decode(sjis.bytes);
  assert.ok(decoded.startsWith('日付,施設コード'), decoded.slice(0, 40));
  const lossyName = env.CHILD_NAME.replace(/[^\u0000-\uffff]/gu, '〓');
  assert.ok(decoded.includes(lossyName), `${lossyName} in the CP932 file`);
  assert.match(await tid(page, 'report-result').innerText(), /〓/);
  await shot(page, 'reports-staff-cp932');
  await checkA11y(page, 'reports with the CP932 warning');

  // Every one of these downloads is in the ledger, under this user.
  const ledger = (await admin.get('/api/v1/ledger')).data.ledger.filter((e) => e.login === env.STAFF_LOGIN);
  const last4 = ledger.slice(-4).map((e) => e.content);
  assert.deepEqual(last4, [`daily ${env.SITE_CODE} ${t.iso} pdf`, `daily ${env.SITE_CODE} ${t.iso} xlsx`,
    `daily ${env.SITE_CODE} ${t.iso} csv`, `daily ${env.SITE_CODE} ${t.iso} csv cp932`]);

  // A bad date is refused on the page.
  await tid(page, 'daily-date').fill('');
  await tid(page, 'daily-pdf').click();
  await tid(page, 'report-message').waitFor();
  await page.setViewportSize(PHONE.viewport);
  await shot(page, 'reports-staff-phone');
  await checkA11y(page, 'reports on a phone');
  assertNoProblems(page);
  await page.context().close();
});

test('ward admin: the monthly usage as XLSX, CSV and PDF, and the ledger on the page', { timeout: 240000 }, async () => {
  const page = await newPage(browser, PHONE);
  await signIn(page, `${env.URL}/ward/`, env.ADMIN_LOGIN);
  // The ward admin's menu leads to the reports page.
  await page.locator('#ward-nav a[href="/staff/reports.html"]').click();
  await tid(page, 'monthly-form').waitFor();
  await tid(page, 'ledger-row').first().waitFor();
  await checkA11y(page, 'reports for the ward admin on a phone');
  await shot(page, 'reports-admin-phone');
  const month = today().iso.slice(0, 7);
  assert.equal(await tid(page, 'monthly-month').inputValue(), month);

  const xlsx = await downloadBy(page, tid(page, 'monthly-xlsx'));
  assert.equal(xlsx.name, `monthly-${month}.xlsx`);
  const wb = unzip(xlsx.file, 'xl/workbook.xml');
  for (const sheet of ['区集計', env.SITE_CODE, env.WARD_SITE_CODE]) assert.match(wb, new RegExp(`name="${sheet}"`));
  assert.ok(unzip(xlsx.file, 'xl/sharedStrings.xml').includes(env.CHILD_NAME));

  const csv = await downloadBy(page, tid(page, 'monthly-csv'));
  assert.ok(csv.bytes.subarray(3).toString('utf8').includes(env.CHILD_NAME));

  const pdf = await downloadBy(page, tid(page, 'monthly-pdf'));
  assert.equal(pdf.name, `monthly-${month}.pdf`);
  const text = pdfText(pdf.file);
  const [y, m] = month.split('-').map(Number);
  for (const want of [`月次利用実績 令和${y - 2018}年${m}月`, '区集計', '区合計', env.CHILD_NAME]) {
    assert.ok(text.includes(want), `${want} in the monthly PDF`);
  }
  assert.match(text, /\b1\s*\/\s*\d+\b/);

  // The ledger on the page is the API's, newest first, with the admin's three downloads on top.
  await eventually(async () => (await tid(page, 'ledger-row').first().getAttribute('data-ledger-id')) ===
    String((await admin.get('/api/v1/ledger')).data.ledger.slice(-1)[0].id), { message: 'the ledger refreshed' });
  const api = (await admin.get('/api/v1/ledger')).data.ledger;
  const shown = await tid(page, 'ledger-row').evaluateAll((rs) => rs.map((r) => r.dataset.ledgerId));
  assert.deepEqual(shown, api.slice(-200).reverse().map((e) => String(e.id)));
  const top = await tid(page, 'ledger-content').evaluateAll((cs) => cs.slice(0, 3).map((c) => c.textContent));
  assert.ok(/月次利用実績 .*PDF/.test(top[0]) && /月次利用実績 .*CSV/.test(top[1]) && /月次利用実績 .*XLSX/.test(top[2]), top.join(' / '));
  // Site staff's downloads are there too, with their login.
  assert.ok(await tid(page, 'ledger-row').filter({ hasText: env.STAFF_LOGIN }).count() >= 4);
  await page.setViewportSize(DESKTOP.viewport);
  await shot(page, 'reports-admin-desktop');
  await checkA11y(page, 'reports for the ward admin');
  assertNoProblems(page);
  await page.context().close();
});

test('a contractor is refused the reports page', { timeout: 120000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/staff/reports.html`, env.APPROVER_LOGIN);
  await tid(page, 'denied').waitFor();
  await checkA11y(page, 'reports refused to a contractor');
  assertNoProblems(page);
  await page.context().close();
});
