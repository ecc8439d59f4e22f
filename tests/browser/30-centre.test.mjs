// SPDX-License-Identifier: MIT
// The child development support centre (児童発達支援センター) as its staff, its manager and a
// parent use it, on a demo ward (`mimamori demo`: a fictional centre with the manager
// centre-mgr, the staff centre-staff1 and centre-staff2, four children under contract on two
// bus routes and the parent centre-parent of the first child). The driver's server holds no
// centre, so this file makes a demo data directory of its own (the other services kept small) and
// runs its own `mimamori serve` on it, failing on a sanitizer report in its log. A staff member
// records a day: their children only on the day's list, attendance marked (the focus stays on
// the row's button), a child's file opened with the reason asked first, a daily record and its
// new version; a message to the parent and an assessment saved while a record and a plan are
// being written (kept), the message by its form in view and focused; an unknown number closes
// the file shown. The manager's application refused and registered and a break-glass open
// reviewed (the message in view and focused), the bus list of that day (each route's children
// and stops), the statements of the month made and listed; a parent's account added, whose
// password the parent chooses through the mailed one-time link on a phone. A parent on a phone
// reads the thread, answers it and downloads the statement (a PDF).
// The manager ends the fourth child's use (a day to come refused) and sees the day its records
// go. axe-core on each state of the pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, DESKTOP, PHONE,
  mailsTo, focusOf,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_BIN']);
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const SANITIZER = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:',
  'SUMMARY: UndefinedBehaviorSanitizer'];
const NOTE = '支援記録：ブランコで順番を待てた（架空の記録）';
const REPLY = '家でも順番を待つ練習をしています（架空）';

let browser;
let server;
let dir;
let url;
const pw = {};
let day; // a weekday of this fiscal year: the children are due
let firstChild; // the number of the first child of centre-staff1 (the day's list)

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

/** Whether the element of data-testid id shows whole inside the viewport and has the focus:
 * a message after a press must be where the person is. */
const seenAndFocused = (page, id) => tid(page, id).evaluate((e) => {
  const r = e.getBoundingClientRect();
  return !e.hidden && r.top >= 0 && r.bottom <= window.innerHeight && document.activeElement === e;
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-centre-'));
  const data = path.join(dir, 'data');
  execFileSync(env.BIN, ['demo', '--data', data, '--children', '59', '--bath-people', '0',
    '--school-registrations', '0', '--sitter-applications', '0', '--homehelp-households', '0',
    '--youth-cases', '0'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300000 });
  const creds = fs.readFileSync(path.join(data, 'demo-credentials.txt'), 'utf8');
  for (const login of ['centre-mgr', 'centre-staff1', 'centre-staff2', 'centre-parent']) {
    const m = creds.match(new RegExp(`login ${login}\\s+password (\\S+)`));
    assert.ok(m, `the demo's credentials name ${login}`);
    pw[login] = m[1];
  }
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  server = spawn(env.BIN, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`,
    '--mail', `maildir:${path.join(dir, 'mail')}`, '--web', path.join(REPO, 'web')],
  { stdio: ['ignore', log, log] });
  await eventually(async () => {
    if (server.exitCode !== null) throw new Error(`mimamori serve exited with ${server.exitCode}`);
    const r = await fetch(`${url}/healthz`).catch(() => null);
    return r && r.status === 200;
  }, { timeoutMs: 60000, message: 'the demo server up' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const gone = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  const log = dir ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  const hit = SANITIZER.find((m) => log.includes(m));
  assert.equal(hit, undefined, `sanitizer report in the demo server's log:\n${log.slice(Math.max(0, log.indexOf(hit) - 200), log.indexOf(hit) + 3000)}`);
});

async function signIn(page, login, where = '/centre/') {
  await page.goto(`${url}${where}`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(pw[login]);
  await tid(page, 'login-submit').click();
  await tid(page, 'who').waitFor({ state: 'visible' });
}


/** The most recent Monday up to today (Japan) — a contracted weekday of every demo child. */
function lastMonday() {
  const t = new Date(Date.now() + 9 * 3600 * 1000);
  const back = (t.getUTCDay() + 6) % 7;
  const m = new Date(t.getTime() - back * 86400000);
  return m.toISOString().slice(0, 10);
}

test('a staff member records a day: attendance, a file opened with a reason, a record and its new version', { timeout: 180000 }, async () => {
  day = lastMonday();
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'centre-staff1');
  await tid(page, 'day-date').fill(day);
  await tid(page, 'day-show').click();
  await eventually(async () => /通所予定 2人/.test(await tid(page, 'day-summary').textContent()), { message: 'the staff member\'s two children due' });
  const numbers = (await page.locator('#day-rows tr').evaluateAll((rows) => rows.map((r) => r.cells[0].textContent))).sort();
  assert.equal(numbers.length, 2);
  assert.match(numbers[0], /^C\d{4}-0001$/);
  assert.match(numbers[1], /^C\d{4}-0003$/);
  await eventually(async () => /2人/.test(await tid(page, 'mine-summary').textContent()), { message: 'the staff member\'s two children listed' });
  assert.equal(await page.locator('#mine-rows').getByText(/架空|公園/).count(), 0, 'the list names no one');
  await checkA11y(page, 'the staff member\'s day');
  await shot(page, 'centre-day');
  const [first] = numbers;
  firstChild = first;
  await tid(page, `present-${first}`).click();
  await eventually(async () => (await tid(page, `att-${first}`).textContent()) === '出席', { message: 'marked present' });
  // the rows are drawn again: the same button of the new row keeps the focus (not the body)
  await eventually(() => page.evaluate((id) => document.activeElement.dataset.testid === id, `present-${first}`),
    { message: 'the focus on the row\'s button' });
  await tid(page, `absent-${numbers[1]}`).click();
  await eventually(async () => (await tid(page, `att-${numbers[1]}`).textContent()) === '欠席', { message: 'marked absent' });
  await eventually(async () => /出席 1人、欠席 1人/.test(await tid(page, 'day-summary').textContent()), { message: 'the counts' });

  // the file: the reason first
  await page.locator('#day-rows').getByRole('button', { name: `${first}の記録` }).click();
  assert.equal(await tid(page, 'open-child').inputValue(), first);
  await tid(page, 'open-submit').click();
  await eventually(async () => /理由/.test(await tid(page, 'open-message').textContent()), { message: 'the reason asked' });
  assert.equal(await tid(page, 'child').isVisible(), false);
  await tid(page, 'open-reason').fill('本日の支援記録');
  await tid(page, 'open-submit').click();
  await tid(page, 'child').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'child-access').textContent(), /担当として/);
  assert.match(await tid(page, 'child-contract').textContent(), /支給量 月23日/);
  await checkA11y(page, 'an opened file');
  await tid(page, 'note-body').fill(NOTE);
  await tid(page, 'note-submit').click();
  await eventually(async () => (await tid(page, 'notes-list').textContent()).includes(NOTE), { message: 'the record listed' });
  await page.locator('#notes-list li', { hasText: NOTE }).getByRole('button', { name: '直す（新しい版）' }).click();
  await tid(page, 'note-body').fill(`${NOTE}。帰りのバスも落ち着いていた`);
  await tid(page, 'note-submit').click();
  await eventually(async () => /第2版/.test(await tid(page, 'notes-list').textContent()), { message: 'the second version' });
  await page.locator('#notes-list li', { hasText: '第2版' }).getByRole('button', { name: '履歴' }).click();
  await tid(page, 'history').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#history-list li').count(), 2);
  await checkA11y(page, 'a record\'s history');
  await shot(page, 'centre-child');

  // A message sent to the parent keeps what is typed and not saved in the other forms (the
  // record being written used to go), and its confirmation shows by the thread, in view and
  // focused (it was thousands of pixels above).
  const draft = '下書き：午後は感覚遊び（架空）';
  const policy = '方針の下書き：見通しを絵カードで示す（架空）';
  const letter = '明日は遠足の準備があります（架空の連絡）';
  await tid(page, 'note-body').fill(draft);
  await tid(page, 'plan-policy').fill(policy);
  await tid(page, 'thread-body').fill(letter);
  await tid(page, 'thread-submit').click();
  await eventually(async () => /連絡を送りました/.test(await tid(page, 'child-message').textContent()), { message: 'the message sent' });
  assert.match(await tid(page, 'thread-list').textContent(), /遠足の準備/);
  assert.equal(await tid(page, 'note-body').inputValue(), draft, 'the record being written kept');
  assert.equal(await tid(page, 'plan-policy').inputValue(), policy, 'the new policy kept');
  assert.equal(await tid(page, 'thread-body').inputValue(), '', 'the sent message\'s form emptied');
  await eventually(() => seenAndFocused(page, 'child-message'), { message: 'the confirmation in view and focused' });
  await checkA11y(page, 'a confirmation by the thread');
  await tid(page, 'assess-summary').fill('順番を待てる場面が増えた（架空）');
  await tid(page, 'assess-submit').click();
  await eventually(async () => /発達評価を記録しました/.test(await tid(page, 'child-message').textContent()), { message: 'the assessment saved' });
  assert.equal(await tid(page, 'note-body').inputValue(), draft);
  assert.equal(await tid(page, 'plan-policy').inputValue(), policy);
  await eventually(() => seenAndFocused(page, 'child-message'), { message: 'the assessment\'s confirmation in view and focused' });
  await tid(page, 'note-submit').click();
  await eventually(async () => (await tid(page, 'notes-list').textContent()).includes(draft), { message: 'the draft saved' });
  assert.equal(await tid(page, 'note-body').inputValue(), '');
  assert.equal(await tid(page, 'plan-policy').inputValue(), policy);

  // A number refused closes the file shown: it must not pass for the one asked for.
  await tid(page, 'open-child').fill('C2099-9999');
  await tid(page, 'open-reason').fill('番号の確認');
  await tid(page, 'open-submit').click();
  await eventually(async () => /見つかりません/.test(await tid(page, 'open-message').textContent()), { message: 'an unknown child refused' });
  assert.equal(await tid(page, 'child').isVisible(), false, 'the earlier file closed');
  assertNoProblems(page);
  await page.context().close();
});

test('the manager: the bus list of the day, the month\'s statements', { timeout: 180000 }, async () => {
  // centre-staff2 opens the first child of centre-staff1 by break-glass, for the manager to review
  const staff2 = await newPage(browser, DESKTOP);
  await signIn(staff2, 'centre-staff2');
  await tid(staff2, 'open-child').fill(firstChild);
  await tid(staff2, 'open-glass').check();
  await tid(staff2, 'open-reason').fill('担当者不在で保護者から緊急の問い合わせ');
  await tid(staff2, 'open-submit').click();
  await eventually(async () => /ブレークグラス/.test(await tid(staff2, 'child-access').textContent()), { message: 'opened by break-glass' });
  await staff2.context().close();

  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'centre-mgr', '/centre/manager.html');
  await eventually(async () => /児童 4人/.test(await tid(page, 'children-summary').textContent()), { message: 'the four children' });

  // 申請を登録 refused (nothing entered): the message at the top of the page in view and focused
  await tid(page, 'ap-submit').click();
  await eventually(async () => (await tid(page, 'message').textContent()).length > 0, { message: 'the application refused' });
  assert.match(await tid(page, 'message').getAttribute('class'), /alert-error/);
  await eventually(() => seenAndFocused(page, 'message'), { message: 'the refusal in view and focused' });
  // the break-glass open reviewed at the bottom of the page: the confirmation in view, focused
  const glass = page.locator('[data-testid^="glass-"] form').first();
  await glass.locator('input').fill('緊急性を確認した');
  await glass.getByRole('button', { name: '確認済みにする' }).click();
  await eventually(async () => /緊急閲覧を確認済みにしました/.test(await tid(page, 'message').textContent()), { message: 'the open reviewed' });
  await eventually(() => seenAndFocused(page, 'message'), { message: 'the review\'s confirmation in view and focused' });
  await eventually(async () => /確認を待つ緊急閲覧はありません/.test(await tid(page, 'glass-list').textContent()), { message: 'none left to review' });
  await tid(page, 'bus-date').fill(day);
  await tid(page, 'bus-show').click();
  await eventually(async () => /送迎 3人/.test(await tid(page, 'bus-summary').textContent()), { message: 'three riders (the absent child and the one without a route not)' });
  const east = await tid(page, 'route-east').textContent();
  assert.match(east, /東ルート（迎え 08:30・送り 16:30）1人/);
  assert.match(east, /〇〇公園前（架空）（出席）/);
  assert.match(await tid(page, 'route-west').textContent(), /西ルート/);
  await checkA11y(page, 'the manager\'s page with the bus list');
  await shot(page, 'centre-manager');
  await tid(page, 'fees-month').fill(day.slice(0, 7));
  await tid(page, 'fees-make').click();
  await eventually(async () => /請求を\d+件作りました/.test(await tid(page, 'message').textContent()), { message: 'the statements made' });
  assert.ok(await page.locator('#fees-rows tr').count() >= 1);
  await checkA11y(page, 'the statements');
  assertNoProblems(page);
  await page.context().close();
});

test('the manager adds a parent; the parent chooses the password through the mailed link on a phone', { timeout: 180000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'centre-mgr', '/centre/manager.html');
  await eventually(async () => /児童 4人/.test(await tid(page, 'children-summary').textContent()), { message: 'the children' });
  await tid(page, 'ct-reason').fill('保護者の登録');
  await tid(page, 'pa-login').fill('centre-parent2');
  await tid(page, 'pa-email').fill('second.parent@example.jp');
  await tid(page, 'pa-submit').click();
  await eventually(async () => /リンク/.test(await tid(page, 'parent-result').textContent()), { message: 'the account made, the link mailed' });
  assert.doesNotMatch(await tid(page, 'parent-result').textContent(), /パスワード：/);
  await checkA11y(page, 'the manager after adding a parent');
  await page.context().close();
  const mail = await eventually(() => {
    const m = mailsTo({ MAILDIR: path.join(dir, 'mail') }, 'second.parent@example.jp');
    return m.length ? m[m.length - 1] : null;
  }, { message: 'the one-time link mailed' });
  const token = /welcome\.html#t=(\S+)/.exec(mail.body)[1];
  const phone = await newPage(browser, PHONE);
  // Opened bare first, then the mail's link pasted into the same tab (only the fragment
  // changes): the page reads the link, it does not call it used.
  await phone.goto(`${url}/centre/welcome.html`);
  await eventually(async () => /リンクが正しくありません/.test(await tid(phone, 'welcome-message').textContent()), { message: 'no link yet' });
  await phone.goto(`${url}/centre/welcome.html#t=${token}`);
  await eventually(async () => await tid(phone, 'welcome-message').isHidden(), { message: 'the link read afresh' });
  await checkA11y(phone, 'the welcome page (phone)');
  await tid(phone, 'welcome-pw1').fill('Hoikuen-no-Sakura-77');
  await tid(phone, 'welcome-pw2').fill('Hoikuen-no-Sakura-78');
  await tid(phone, 'welcome-submit').click();
  await eventually(async () => /違います/.test(await tid(phone, 'welcome-message').textContent()), { message: 'the two passwords differ' });
  await tid(phone, 'welcome-pw2').fill('Hoikuen-no-Sakura-77');
  await tid(phone, 'welcome-submit').click();
  await tid(phone, 'welcome-done').waitFor({ state: 'visible' });
  await checkA11y(phone, 'the password chosen');
  await phone.getByRole('link', { name: '保護者のページ' }).click();
  await tid(phone, 'login-id').waitFor({ state: 'visible' });
  await tid(phone, 'login-id').fill('centre-parent2');
  await tid(phone, 'login-password').fill('Hoikuen-no-Sakura-77');
  await tid(phone, 'login-submit').click();
  await eventually(async () => /架空の連絡/.test(await phone.locator('[data-testid^="thread-"]').first().textContent()), { message: 'the second parent reads the thread' });
  assertNoProblems(phone);
  await phone.context().close();
});

test('a parent on a phone reads the thread, answers it and downloads the statement', { timeout: 180000 }, async () => {
  // The staff pages' sign-in keeps its heading; the parents' page says it is the parents'.
  const staffPage = await newPage(browser, PHONE);
  await staffPage.goto(`${url}/centre/`);
  await tid(staffPage, 'login-id').waitFor({ state: 'visible' });
  assert.equal((await staffPage.locator('#login-title').textContent()).trim(), '職員ログイン');
  await staffPage.context().close();
  const page = await newPage(browser, PHONE);
  await page.goto(`${url}/centre/parent.html`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  assert.equal((await page.locator('#login-title').textContent()).trim(), '保護者ログイン');
  assert.equal(await page.getByRole('region', { name: '保護者ログイン' }).count(), 1, 'the sign-in named for parents');
  assert.doesNotMatch(await page.locator('main').textContent(), /職員/);
  await checkA11y(page, 'the parents\' sign-in (phone)');
  await shot(page, 'centre-parent-login');
  await tid(page, 'login-id').fill('centre-parent');
  await tid(page, 'login-password').fill(pw['centre-parent']);
  await tid(page, 'login-password').press('Enter');
  await tid(page, 'who').waitFor({ state: 'visible' });
  const thread = page.locator('[data-testid^="thread-"]').first();
  await eventually(async () => /架空の連絡/.test(await thread.textContent()), { message: 'the centre\'s message' });
  // the sign-in form went away under the focus: the page's heading has it, not <body>
  await eventually(async () => (await focusOf(page)).id === 'page-title', { message: 'the focus on the page heading after signing in' });
  assert.equal(await page.locator('[data-testid^="child-"]').count(), 1, 'their own child only');
  await checkA11y(page, 'the parent\'s page (phone)');
  await shot(page, 'centre-parent');
  await page.locator('[data-testid^="reply-"]').first().fill(REPLY);
  await page.locator('[data-testid^="send-"]').first().click();
  await eventually(async () => (await thread.textContent()).includes(REPLY), { message: 'the answer in the thread' });
  const pdf = page.locator('[data-testid^="pdf-"]').first();
  await pdf.waitFor({ state: 'visible' });
  const [dl] = await Promise.all([page.waitForEvent('download'), pdf.click()]);
  assert.match(dl.suggestedFilename(), /^centre-statement-C\d{4}-0001-\d{4}-\d{2}\.pdf$/);
  assert.equal(fs.readFileSync(await dl.path()).subarray(0, 4).toString('latin1'), '%PDF');
  await checkA11y(page, 'the parent\'s page after the answer');
  assertNoProblems(page);
  await page.context().close();
});

test('the manager ends the fourth child\'s use: a day to come refused, the day the records go shown', { timeout: 180000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'centre-mgr', '/centre/manager.html');
  await eventually(async () => /児童 4人/.test(await tid(page, 'children-summary').textContent()), { message: 'the children' });
  assert.match(await tid(page, 'end-note').textContent(), /1826日/);
  const fourth = await page.locator('#ct-child option').nth(3).getAttribute('value');
  const number = (await page.locator('#ct-child option').nth(3).textContent()).replace(/（.*$/, '');
  await page.locator('#ct-child').selectOption(fourth);
  // The contract form starts from the chosen child's contract: a term changed and saved is
  // what the form shows for that child afterwards (it showed the defaults, so that saving one
  // change reset the other terms — a 0円 household's cap back to 4,600円).
  await tid(page, 'ct-days').fill('11');
  await tid(page, 'ct-fee').fill('900');
  await tid(page, 'ct-cap').selectOption('0');
  await tid(page, 'ct-reason').fill('契約の見直し');
  await tid(page, 'ct-submit').click();
  await eventually(async () => /契約を保存しました/.test(await tid(page, 'message').textContent()), { message: 'the contract saved' });
  await page.reload();
  await eventually(async () => /児童 4人/.test(await tid(page, 'children-summary').textContent()), { message: 'the children again' });
  await page.locator('#ct-child').selectOption(fourth);
  assert.deepEqual([await tid(page, 'ct-days').inputValue(), await tid(page, 'ct-fee').inputValue(),
    await tid(page, 'ct-cap').inputValue()], ['11', '900', '0']);
  const today = await tid(page, 'end-on').inputValue();
  await tid(page, 'end-on').fill('2999-01-01');
  await tid(page, 'end-submit').click();
  await eventually(async () => /今日より後/.test(await tid(page, 'message').textContent()), { message: 'a day to come refused' });
  await tid(page, 'end-on').fill(today);
  await tid(page, 'end-submit').click();
  await eventually(async () => /終了しました/.test(await tid(page, 'message').textContent()), { message: 'ended' });
  await eventually(async () => new RegExp(`終了（${today}）。.*以降に消去`).test(await tid(page, `child-${number}`).textContent()), { message: 'the row says ended and when it goes' });
  await eventually(async () => /契約中 3人/.test(await tid(page, 'children-summary').textContent()), { message: 'three under contract' });
  await checkA11y(page, 'the manager after ending a child\'s use');

  // 申請を登録 (after the counts above: a fifth child): the confirmation in view and focused
  await tid(page, 'ap-name').fill('架空 さくら');
  await tid(page, 'ap-kana').fill('かくう さくら');
  await tid(page, 'ap-birth').fill('2021-05-05');
  await tid(page, 'ap-parent').fill('架空 花子');
  await tid(page, 'ap-phone').fill('03-5550-0005');
  await tid(page, 'ap-email').fill('sakura.parent@example.jp');
  await tid(page, 'ap-submit').click();
  await eventually(async () => /利用申請を C\d{4}-\d{4} として登録しました/.test(await tid(page, 'message').textContent()), { message: 'the application registered' });
  await eventually(() => seenAndFocused(page, 'message'), { message: 'the confirmation in view and focused' });
  await eventually(async () => /児童 5人/.test(await tid(page, 'children-summary').textContent()), { message: 'five children' });
  assertNoProblems(page);
  await page.context().close();
});
