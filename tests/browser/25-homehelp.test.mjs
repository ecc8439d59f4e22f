// SPDX-License-Identifier: MIT
// Household support (家事・育児支援事業) as the contractor and the ward use it, on a demo ward
// (`mimamori demo`: 120 households with visits, 15 supporters, the four accounts homehelp-op,
// -sv, -ward and -approver). The driver's server holds no household support data, so this file
// makes a demo data directory of its own (the other services kept small) and runs its own
// `mimamori serve` on it — the binary the driver gives (MIMAMORI_BIN) — stopping it at the end
// and failing on a sanitizer report in its log. The contractor's operator registers a household
// and closes its eligibility check; opens a household in use, requests a visit (a too-short
// one is refused on the page), dispatches it, records it with a follow-up for the public health
// nurse and saves the household's statement; the ward's approver decides the new household and
// notifies it; the ward's staff sees the follow-up, marks it taken and saves the monthly CSV.
// axe-core on each state of the page; screenshots at desktop width; the CSP kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, DESKTOP, demoServer,
  signInAt, downloadBy, confirmDialog as confirm,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_BIN']);
// The household the operator registers (fictional).
const NEW = { guardian: '葛飾 千尋', address: '東京都桜台区若葉町4丁目5番6号', phone: '080-2468-1357',
  emergency: '祖母 090-1111-2222', family: '父・母・子1人', wanted: '食事の用意と掃除', child: '葛飾 湊' };
const CONCERN = '母親が夜ほとんど眠れていないと話していた';

let browser;
let ward; // the file's own demo server (demoServer)
let url;
let pw;

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
const pdfText = (pdf) => execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', pdf, '-']).toString('utf8');

before(async () => {
  ward = await demoServer(env.BIN, 'homehelp', ['--children', '59', '--bath-people', '0',
    '--school-registrations', '0', '--sitter-applications', '0'], ['homehelp-op', 'homehelp-sv', 'homehelp-ward', 'homehelp-approver']);
  ({ url, pw } = ward);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await ward?.stop();
});

async function signIn(page, login) {
  await signInAt(page, `${url}/homehelp/office.html`, login, pw[login], { a11y: 'the sign-in form' });
  await eventually(async () => (await tid(page, 'household-row').count()) > 0, { message: 'the households listed' });
}

const detailState = async (page) => tid(page, 'detail-state').textContent();

let used; // {number, guardian} of the household the operator visits
let registered; // the number of the household the operator registers

test('the contractor: register a household, check it; request, dispatch and record a visit', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'homehelp-op');
  assert.match(await tid(page, 'households-summary').textContent(), /全120世帯/);
  assert.equal(await tid(page, 'follow').isVisible(), false, 'the operator does not read follow-ups');
  assert.equal(await tid(page, 'supporter-row').count(), 15);
  await checkA11y(page, 'the households (contractor)');
  await shot(page, 'homehelp-households');

  // register a household: the form's problem shows, then it goes through
  await tid(page, 'register-open').click();
  await tid(page, 'register').waitFor({ state: 'visible' });
  await tid(page, 'reg-guardian').fill(NEW.guardian);
  await tid(page, 'register-submit').click();
  await eventually(async () => /住所/.test(await tid(page, 'register-message').textContent()), { message: 'the form refused, naming 住所' });
  assert.equal(await tid(page, 'register-message').getAttribute('role'), 'alert');
  await checkA11y(page, 'the registration form with a problem');
  await tid(page, 'reg-address').fill(NEW.address);
  await tid(page, 'reg-phone').fill(NEW.phone);
  await tid(page, 'reg-emergency').fill(NEW.emergency);
  await tid(page, 'reg-family').fill(NEW.family);
  await tid(page, 'reg-wanted').fill(NEW.wanted);
  await tid(page, 'reg-tax-0').check();
  const kid = tid(page, 'child').first();
  await kid.locator('[data-testid="child-name"]').fill(NEW.child);
  const birth = new Date(Date.now() - 60 * 86400000).toLocaleDateString('en-CA', { timeZone: 'Asia/Tokyo' });
  await kid.locator('[data-testid="child-birth"]').fill(birth);
  await tid(page, 'reg-add-child').click();
  assert.equal(await tid(page, 'child').count(), 2);
  await checkA11y(page, 'the registration form, two children');
  await tid(page, 'child-remove').nth(1).click();
  assert.equal(await tid(page, 'child').count(), 1);
  await shot(page, 'homehelp-register');
  await tid(page, 'register-submit').click();
  await eventually(async () => /世帯を登録しました/.test(await tid(page, 'detail-message').textContent()), { message: 'registered' });
  registered = (await tid(page, 'detail-title').textContent()).match(/利用者番号 (\d+)/)[1];
  assert.match(await detailState(page), /受付（資格確認中）/);
  assert.match(await tid(page, 'usage-row').textContent(), /別表1 0歳児・第1子/);
  assert.match(await tid(page, 'usage-cap').textContent(), /60時間（うち無償 14時間）/);
  // the checks, then closing them
  await tid(page, 'act-screen').click();
  await eventually(async () => /まだ確認済みではありません/.test(await tid(page, 'detail-message').textContent()), { message: 'screen refused before the checks' });
  await checkA11y(page, 'a household received, screen refused');
  for (const item of ['guardian', 'children', 'eligibility']) {
    const [res] = await Promise.all([
      page.waitForResponse((x) => x.url().endsWith('/checks') && x.request().method() === 'POST'),
      tid(page, `check-${item}`).check()]);
    assert.equal(res.status(), 200, `the check of ${item} kept`);
  }
  await tid(page, 'act-screen').click();
  await eventually(async () => /資格確認済（区の決定待ち）/.test(await detailState(page)), { message: 'screened' });
  assert.equal(await tid(page, 'act-approve').count(), 0, 'the contractor cannot decide');
  await checkA11y(page, 'a household screened (contractor)');

  // a household in use: the first one notified
  await tid(page, 'state-filter').selectOption('notified');
  await tid(page, 'household-open').first().click();
  await tid(page, 'detail').waitFor({ state: 'visible' });
  await eventually(async () => /利用中/.test(await detailState(page)), { message: 'a household in use opened' });
  const title = await tid(page, 'detail-title').textContent();
  used = { number: title.match(/利用者番号 (\d+)/)[1], guardian: title.replace(/ さんの世帯.*$/, '') };
  const before = await tid(page, 'visit-row').count();
  await tid(page, 'visit-form').waitFor({ state: 'visible' });
  await checkA11y(page, 'a household in use (contractor)');
  // too short: refused on the page
  await tid(page, 'visit-start').fill('10:00');
  await tid(page, 'visit-end').fill('11:00');
  await tid(page, 'visit-kind-meal').check();
  await tid(page, 'visit-submit').click();
  await eventually(async () => /2時間以上/.test(await tid(page, 'visit-message').textContent()), { message: 'too short refused' });
  assert.equal(await tid(page, 'visit-message').getAttribute('role'), 'alert');
  await checkA11y(page, 'a visit refused');
  // two hours, meal and laundry
  await tid(page, 'visit-end').fill('12:00');
  await tid(page, 'visit-kind-laundry').check();
  await tid(page, 'visit-submit').click();
  await eventually(async () => /申込を受け付けました/.test(await tid(page, 'visit-message').textContent()), { message: 'the visit requested' });
  assert.equal(await tid(page, 'visit-row').count(), before + 1);
  const row = page.locator('[data-testid="visit-row"][data-state="requested"]').first();
  assert.match(await row.textContent(), /10:00〜12:00/);
  assert.match(await row.textContent(), /食事提供・洗濯/);
  await checkA11y(page, 'a visit requested');
  // dispatched to the first active supporter
  const id = await row.getAttribute('data-id');
  const r = () => page.locator(`[data-testid="visit-row"][data-id="${id}"]`);
  await r().locator('[data-testid="visit-supporter"]').selectOption({ index: 1 });
  await r().locator('[data-testid="visit-dispatch"]').click();
  await eventually(async () => (await r().getAttribute('data-state')) === 'dispatched', { message: 'dispatched' });
  assert.match(await r().textContent(), /S0001/);
  // recorded with a follow-up for the public health nurse
  await r().locator('[data-testid="visit-record"]').click();
  await tid(page, 'record-form').waitFor({ state: 'visible' });
  assert.equal(await tid(page, 'record-start').inputValue(), '10:00');
  assert.equal(await tid(page, 'record-kind-laundry').isChecked(), true);
  await checkA11y(page, 'the visit record form');
  await tid(page, 'record-end').fill('12:30');
  await tid(page, 'record-observations').fill('母親は落ち着いた様子。子どもは機嫌よく過ごした');
  await tid(page, 'record-concerns').fill(CONCERN);
  await tid(page, 'record-follow').check();
  await shot(page, 'homehelp-record');
  await tid(page, 'record-submit').click();
  await eventually(async () => (await r().getAttribute('data-state')) === 'done', { message: 'recorded' });
  assert.match(await tid(page, 'visit-message').textContent(), /記録しました（2時間30分.*利用料金 [\d,]+円）。保健師への情報提供として区に知らせました/);
  assert.equal(await r().locator('[data-testid="visit-follow"]').count(), 1);
  assert.equal(await tid(page, 'record-form').isVisible(), false);
  await checkA11y(page, 'a visit recorded');
  await r().scrollIntoViewIfNeeded();
  await shot(page, 'homehelp-visit-recorded');
  // the household's statement for this month
  const st = await downloadBy(page, tid(page, 'statement-pdf'));
  assert.match(st.name, /^homehelp-statement-\d{4}-\d{2}\.pdf$/);
  const text = pdfText(st.file);
  assert.match(text, /利用明細/);
  assert.ok(text.includes(used.number), 'the statement names the household');
  await eventually(async () => /利用明細（homehelp-statement-.*）を保存しました/.test(await tid(page, 'statement-message').textContent()), { message: 'saved' });
  assertNoProblems(page);
  await page.close();
});

test('the ward approver: decides the new household and notifies it', async () => {
  assert.ok(registered, 'the contractor registered a household');
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'homehelp-approver');
  assert.equal(await tid(page, 'register-open').isVisible(), false);
  assert.equal(await tid(page, 'supporters').isVisible(), false);
  await tid(page, 'state-filter').selectOption('screened');
  await tid(page, 'hh-q').fill(registered);
  assert.equal(await tid(page, 'household-row').count(), 1);
  await tid(page, 'household-open').click();
  await eventually(async () => /資格確認済/.test(await detailState(page)), { message: 'opened' });
  assert.equal(await tid(page, 'edit-form').isVisible(), false, 'the ward reads the form only');
  await tid(page, 'form-fold').locator('summary').click();
  assert.match(await tid(page, 'form-view').textContent(), new RegExp(NEW.child));
  await checkA11y(page, 'a household to decide (approver)');
  await shot(page, 'homehelp-decide');
  await tid(page, 'act-approve').click();
  await checkA11y(page, 'the decision confirmed');
  await confirm(page);
  await eventually(async () => /利用決定（通知前）/.test(await detailState(page)), { message: 'approved' });
  await tid(page, 'act-notify').click();
  await confirm(page);
  await eventually(async () => /利用中（利用決定・通知済）/.test(await detailState(page)), { message: 'notified' });
  assert.equal(await tid(page, 'visit-form').isVisible(), false, 'the ward does not request visits');
  await checkA11y(page, 'a household notified (approver)');
  assertNoProblems(page);
  await page.close();
});

test('the ward: the follow-up seen and taken, the monthly CSV', async () => {
  assert.ok(used, 'the contractor recorded a visit');
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'homehelp-ward');
  await tid(page, 'follow').waitFor({ state: 'visible' });
  const mine = page.locator('[data-testid="follow-row"]', { hasText: CONCERN });
  await eventually(async () => (await mine.count()) === 1, { message: 'the follow-up listed' });
  assert.match(await mine.textContent(), new RegExp(used.number));
  assert.match(await mine.textContent(), new RegExp(used.guardian));
  await mine.scrollIntoViewIfNeeded();
  await checkA11y(page, 'the follow-ups (ward)');
  await shot(page, 'homehelp-follow-ups');
  // its household, as the ward sees it
  await mine.locator('[data-testid="follow-open"]').click();
  await eventually(async () => (await tid(page, 'detail-title').textContent()).includes(used.number), { message: 'the household opened' });
  assert.equal(await tid(page, 'visit-form').isVisible(), false);
  assert.equal(await tid(page, 'visit-supporter').count(), 0);
  await checkA11y(page, 'a household in use (ward)');
  const n = await tid(page, 'follow-row').count();
  await mine.locator('[data-testid="follow-seen"]').click();
  await eventually(async () => /対応したと記録しました/.test(await tid(page, 'follow-message').textContent()), { message: 'taken' });
  assert.equal(await mine.count(), 0);
  assert.equal(await tid(page, 'follow-row').count(), n - 1);
  await checkA11y(page, 'a follow-up taken');
  // the monthly report: a bad month is refused on the page, this month's CSV saved
  await tid(page, 'monthly-month').fill('');
  await tid(page, 'monthly-csv').click();
  await eventually(async () => /月を年-月/.test(await tid(page, 'monthly-message').textContent()), { message: 'a month asked for' });
  assert.equal(await tid(page, 'monthly-message').getAttribute('role'), 'alert');
  const month = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Tokyo' }).slice(0, 7);
  await tid(page, 'monthly-month').fill(month);
  const csv = await downloadBy(page, tid(page, 'monthly-csv'));
  assert.equal(csv.name, `homehelp-monthly-${month}.csv`);
  const bytes = fs.readFileSync(csv.file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
  const lines = bytes.subarray(3).toString('utf8').split(/\r?\n/).filter(Boolean);
  assert.match(lines[0], /^区分,利用者番号・サポーター番号,氏名,支援の回数/);
  assert.ok(lines.some((l) => l.startsWith(`世帯,${used.number},`)), 'the household visited this month');
  assert.ok(lines.some((l) => l.startsWith('合計,')));
  assert.ok(lines.some((l) => l.startsWith('サポーター,S0001,')));
  await eventually(async () => /月次の実績報告（homehelp-monthly-.*）を保存しました。受け渡し台帳 \d+/.test(await tid(page, 'monthly-message').textContent()), { message: 'saved' });
  await checkA11y(page, 'the monthly report saved');
  await tid(page, 'monthly').scrollIntoViewIfNeeded();
  await shot(page, 'homehelp-monthly');
  assertNoProblems(page);
  await page.close();
});
