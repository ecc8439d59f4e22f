// SPDX-License-Identifier: MIT
// Youth support casework (ユースサポート) as the plazas' case workers and the ward's supervisor use
// it, on a demo ward (`mimamori demo --youth-cases 4`: fictional cases of 平井 and 葛西; the
// accounts youth-hirai, youth-hirai2, youth-kasai and youth-sv). The driver's server holds no
// casework, so this file makes a demo data directory of its own (the other services kept small)
// and runs its own `mimamori serve` on it, failing on a sanitizer report in its log. The 平井
// worker sees only their own cases; a case opened in Chromium asks the reason first (the page
// says so), then opens; a note is added and edited (a new version, the history shows both);
// the plan is saved; an assessment, a note and the referral are saved while other forms hold
// text not yet saved (kept), each message shown by its form in view and focused; the handover
// file is refused with a short passphrase and saved sealed with a good one; an unknown number
// closes the case shown. The 葛西 worker finds no 平井 case, then opens it by break-glass with a
// reason; the supervisor reviews that opening (the message takes the focus), marks the referral
// seen, sees the opening in the report and assigns the second 平井 worker.
// The supervisor ends the 平井 case (a day to come refused), the worker finds it closed and
// cannot add to it, and the supervisor opens it again. axe-core on each state of the pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, DESKTOP, PHONE,
  demoServer, signInAt,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_BIN']);
const NOTE = '学習サポート面談：数学の一次関数を30分（架空の記録）';

let browser;
let ward; // the file's own demo server (demoServer)
let url;
let pw;
let hiraiCase; // the number of the 平井 case the worker opens

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

before(async () => {
  ward = await demoServer(env.BIN, 'youth', ['--children', '59', '--bath-people', '0',
    '--school-registrations', '0', '--sitter-applications', '0', '--homehelp-households', '0',
    '--youth-cases', '4'], ['youth-sv', 'youth-hirai', 'youth-hirai2', 'youth-kasai']);
  ({ url, pw } = ward);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await ward?.stop();
});

const signIn = (page, login, where = '/youth/') => signInAt(page, `${url}${where}`, login, pw[login], { ready: 'who' });

/** Whether the element of data-testid id shows whole inside the viewport and has the focus:
 * a message after a press must be where the person is. */
const seenAndFocused = (page, id) => tid(page, id).evaluate((e) => {
  const r = e.getBoundingClientRect();
  return !e.hidden && r.top >= 0 && r.bottom <= window.innerHeight && document.activeElement === e;
});

const caseNumbers = async (page) => (await page.locator('#cases-rows tr').evaluateAll(
  (rows) => rows.map((r) => r.cells[0].textContent)));

test('a worker of 平井: a case opened with a reason, a note and its new version, the plan, the handover', { timeout: 180000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'youth-hirai');
  await eventually(async () => /2件/.test(await tid(page, 'cases-summary').textContent()), { message: 'two cases of 平井 listed' });
  const mine = await caseNumbers(page);
  assert.equal(mine.length, 2);
  [hiraiCase] = mine;
  assert.equal(await page.locator('#cases-rows').getByText('葛西').count(), 0, 'no case of 葛西');
  await checkA11y(page, 'the worker\'s cases');
  await shot(page, 'youth-cases');

  // the reason first
  await tid(page, `choose-${hiraiCase}`).click();
  assert.equal(await tid(page, 'open-case').inputValue(), hiraiCase);
  await tid(page, 'open-submit').click();
  await eventually(async () => /理由/.test(await tid(page, 'open-message').textContent()), { message: 'the reason asked' });
  assert.equal(await tid(page, 'case').isVisible(), false);
  await checkA11y(page, 'the reason asked');
  await tid(page, 'open-reason').fill('学習サポート面談の準備');
  await tid(page, 'open-submit').click();
  await tid(page, 'case').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'case-title').textContent(), new RegExp(hiraiCase));
  assert.match(await tid(page, 'case-access').textContent(), /担当として/);
  assert.match(await tid(page, 'pf-family').inputValue(), /架空/);
  await checkA11y(page, 'an opened case');
  await shot(page, 'youth-case');

  // a note, then its second version; the history keeps both
  await tid(page, 'note-body').fill(NOTE);
  await tid(page, 'note-submit').click();
  await eventually(async () => (await tid(page, 'notes-list').textContent()).includes(NOTE), { message: 'the note listed' });
  const edit = page.locator('#notes-list li', { hasText: NOTE }).getByRole('button', { name: '直す（新しい版）' });
  await edit.click();
  await tid(page, 'note-body').fill(`${NOTE}。次回は二次関数`);
  await tid(page, 'note-submit').click();
  await eventually(async () => /第2版/.test(await tid(page, 'notes-list').textContent()), { message: 'the second version' });
  await page.locator('#notes-list li', { hasText: '第2版' }).getByRole('button', { name: '履歴' }).click();
  await tid(page, 'history').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#history-list li').count(), 2);
  await checkA11y(page, 'a note\'s history');

  // the plan: a new version
  await tid(page, 'plan-policy').fill('本人のペースを尊重する（架空）');
  await tid(page, 'plan-submit').click();
  await eventually(async () => /第2版/.test(await tid(page, 'plan-current').textContent()), { message: 'the plan saved as version 2' });
  await eventually(() => seenAndFocused(page, 'case-message'), { message: 'the plan\'s confirmation in view and focused' });

  // Saving one part keeps what is typed and not saved in the others (an assessment saved used
  // to empty the note being written and put the saved 支援方針 back); its confirmation shows by
  // the form used, in view and focused (it was thousands of pixels above).
  const draft = '下書き：次回は英語の長文読解（架空）';
  const policy = '方針の下書き：週2回の来館を目指す（架空）';
  await tid(page, 'note-body').fill(draft);
  await tid(page, 'plan-policy').fill(policy);
  await tid(page, 'assess-summary').fill('見立て：登校の再開に前向き（架空）');
  await tid(page, 'assess-needs').fill('学習の遅れの補い（架空）');
  await tid(page, 'assess-strengths').fill('友人関係が良好（架空）');
  await tid(page, 'assess-submit').click();
  await eventually(async () => /アセスメントを記録しました/.test(await tid(page, 'case-message').textContent()), { message: 'the assessment saved' });
  assert.match(await tid(page, 'assess-list').textContent(), /登校の再開に前向き/);
  assert.equal(await tid(page, 'note-body').inputValue(), draft, 'the note being written kept');
  assert.equal(await tid(page, 'plan-policy').inputValue(), policy, 'the new 支援方針 kept');
  assert.equal(await tid(page, 'assess-summary').inputValue(), '', 'the saved assessment\'s form emptied');
  await eventually(() => seenAndFocused(page, 'case-message'), { message: 'the assessment\'s confirmation in view and focused' });
  await checkA11y(page, 'a confirmation by the assessment');
  // a plan refused (no 支援方針): the error by the plan, the note still kept
  await tid(page, 'plan-policy').fill('');
  await tid(page, 'plan-submit').click();
  await eventually(async () => /支援方針を入力してください/.test(await tid(page, 'case-message').textContent()), { message: 'the plan refused' });
  await eventually(() => seenAndFocused(page, 'case-message'), { message: 'the plan\'s error in view and focused' });
  assert.equal(await tid(page, 'note-body').inputValue(), draft);
  // the note saved: the plan's form keeps what is typed too (here nothing, as left)
  await tid(page, 'plan-policy').fill(policy);
  await tid(page, 'note-submit').click();
  await eventually(async () => (await tid(page, 'notes-list').textContent()).includes(draft), { message: 'the draft saved as a note' });
  assert.equal(await tid(page, 'note-body').inputValue(), '', 'the saved note\'s form emptied');
  assert.equal(await tid(page, 'plan-policy').inputValue(), policy);
  await eventually(() => seenAndFocused(page, 'case-message'), { message: 'the note\'s confirmation in view and focused' });
  // the referral to the ward (the supervisor marks it seen in the next test)
  await tid(page, 'referral-on').check();
  await tid(page, 'referral-note').fill('家庭の状況を区と共有したい（架空）');
  await tid(page, 'referral-submit').click();
  await eventually(async () => /区への連絡を記録しました/.test(await tid(page, 'case-message').textContent()), { message: 'the referral saved' });
  await eventually(() => seenAndFocused(page, 'case-message'), { message: 'the referral\'s confirmation in view and focused' });

  // the handover: a short passphrase is refused, a good one gives a sealed file
  await tid(page, 'handover-pass').fill('short');
  await tid(page, 'handover-submit').click();
  await eventually(async () => /パスフレーズ/.test(await tid(page, 'case-message').textContent()), { message: 'the short passphrase refused' });
  await tid(page, 'handover-pass').fill('correct horse battery staple');
  const [dl] = await Promise.all([page.waitForEvent('download'), tid(page, 'handover-submit').click()]);
  const file = await dl.path();
  assert.match(dl.suggestedFilename(), /^youth-handover-Y\d{4}-\d{4}\.mmbox$/);
  assert.equal(fs.readFileSync(file).subarray(0, 8).toString('latin1'), 'MMPASS1\n');
  await eventually(async () => /受け渡し台帳/.test(await tid(page, 'case-message').textContent()), { message: 'the ledger named' });
  await checkA11y(page, 'after the handover');

  // A case number refused closes the case shown: it must not pass for the one asked for.
  await tid(page, 'open-case').fill('Y2099-9999');
  await tid(page, 'open-reason').fill('番号の確認');
  await tid(page, 'open-submit').click();
  await eventually(async () => /見つかりません/.test(await tid(page, 'open-message').textContent()), { message: 'an unknown case refused' });
  assert.equal(await tid(page, 'case').isVisible(), false, 'the earlier case closed');
  await tid(page, 'open-case').fill(hiraiCase);
  await tid(page, 'open-submit').click();
  await tid(page, 'case').waitFor({ state: 'visible' });
  assert.equal(await tid(page, 'case-message').isVisible(), false, 'a case opened again starts without a message');
  assertNoProblems(page);
  await page.context().close();
});

test('a worker of 葛西 finds no 平井 case, then opens it by break-glass; the supervisor reviews it', { timeout: 180000 }, async () => {
  const page = await newPage(browser, PHONE);
  await signIn(page, 'youth-kasai');
  await eventually(async () => (await caseNumbers(page)).length === 2, { message: 'the 葛西 cases' });
  assert.ok(!(await caseNumbers(page)).includes(hiraiCase));
  await tid(page, 'open-case').fill(hiraiCase);
  await tid(page, 'open-reason').fill('確認したい');
  await tid(page, 'open-submit').click();
  await eventually(async () => /見つかりません/.test(await tid(page, 'open-message').textContent()), { message: 'not found' });
  await tid(page, 'open-glass').check();
  await tid(page, 'open-reason').fill('本人から緊急の電話、担当者不在');
  await tid(page, 'open-submit').click();
  await tid(page, 'case').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'case-access').textContent(), /ブレークグラス/);
  await checkA11y(page, 'a break-glass open (phone)');
  assertNoProblems(page);
  await page.context().close();

  const sv = await newPage(browser, DESKTOP);
  await signIn(sv, 'youth-sv', '/youth/supervisor.html');
  await eventually(async () => /未確認 1件/.test(await tid(sv, 'glass-summary').textContent()), { message: 'one break-glass to review' });
  assert.match(await tid(sv, 'glass-rows').textContent(), /youth-kasai/);
  assert.match(await tid(sv, 'glass-rows').textContent(), /緊急の電話/);
  await checkA11y(sv, 'the supervisor\'s page');
  await shot(sv, 'youth-supervisor');
  const row = sv.locator('#glass-rows tr').first();
  await row.locator('input').fill('緊急性を確認した');
  await row.getByRole('button', { name: '確認済みにする' }).click();
  await eventually(async () => /ありません/.test(await tid(sv, 'glass-summary').textContent()), { message: 'reviewed' });
  // the row goes: the message takes the focus (it dropped to the page's body)
  assert.match(await tid(sv, 'message').textContent(), /確認済みにしました/);
  await eventually(() => seenAndFocused(sv, 'message'), { message: 'the review\'s confirmation in view and focused' });
  // the worker's referral marked seen: the message, far above the list, in view and focused
  await tid(sv, `seen-${hiraiCase}`).click();
  await eventually(async () => new RegExp(`${hiraiCase}の区への連絡を対応済みにしました`).test(await tid(sv, 'message').textContent()), { message: 'the referral seen' });
  await eventually(() => seenAndFocused(sv, 'message'), { message: 'the referral\'s confirmation in view and focused' });
  await eventually(async () => /対応済み（youth-sv）/.test(await tid(sv, 'referral-rows').textContent()), { message: 'the referral listed as seen' });
  assert.match(await tid(sv, 'open-rows').textContent(), /youth-sv/);
  // assign the second 平井 worker to the case
  await tid(sv, `assign-submit-${hiraiCase}`).click();
  await eventually(async () => /youth-hirai2を外す/.test(await tid(sv, 'assign-rows').textContent()), { message: 'assigned' });
  assert.ok((await tid(sv, 'referral-rows').textContent()).length > 0);
  await checkA11y(sv, 'the supervisor\'s page after the review');
  assertNoProblems(sv);
  await sv.context().close();
});

test('the supervisor ends a case: a day to come refused, the worker reads it closed, then it is opened again', { timeout: 180000 }, async () => {
  const sv = await newPage(browser, DESKTOP);
  await signIn(sv, 'youth-sv', '/youth/supervisor.html');
  await tid(sv, `close-${hiraiCase}`).waitFor();
  assert.match(await tid(sv, 'close-note').textContent(), /1826日/);
  await checkA11y(sv, 'the end of a case');
  const day = await tid(sv, `close-on-${hiraiCase}`).inputValue();
  await tid(sv, `close-on-${hiraiCase}`).fill('2999-01-01');
  await tid(sv, `close-${hiraiCase}`).click();
  await eventually(async () => /今日より後/.test(await tid(sv, 'message').textContent()), { message: 'a day to come refused' });
  await tid(sv, `close-on-${hiraiCase}`).fill(day);
  await tid(sv, `close-${hiraiCase}`).click();
  await eventually(async () => /終了しました/.test(await tid(sv, 'message').textContent()), { message: 'closed' });
  await eventually(async () => new RegExp(`終了（${day}）。.*以降に消去`).test(await tid(sv, `closing-${hiraiCase}`).textContent()), { message: 'the row says closed and when it goes' });
  await checkA11y(sv, 'a closed case on the supervisor\'s page');
  await tid(sv, 'closing').scrollIntoViewIfNeeded();
  await shot(sv, 'youth-closing');

  const page = await newPage(browser, PHONE);
  await signIn(page, 'youth-hirai');
  await eventually(async () => /終了/.test(await tid(page, `case-${hiraiCase}`).textContent()), { message: 'listed as closed' });
  await tid(page, 'open-case').fill(hiraiCase);
  await tid(page, 'open-reason').fill('終了したケースの確認');
  await tid(page, 'open-submit').click();
  await tid(page, 'case-closed').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'case-closed').textContent(), new RegExp(`${day} に終了`));
  assert.ok(await page.locator('#note-form button[type="submit"]').isDisabled(), 'no new note');
  await checkA11y(page, 'a closed case (phone)');
  await shot(page, 'youth-closed-case');
  assertNoProblems(page);
  await page.context().close();

  await tid(sv, `reopen-${hiraiCase}`).click();
  await eventually(async () => /再開しました/.test(await tid(sv, 'message').textContent()), { message: 'reopened' });
  await eventually(async () => /進行中/.test(await tid(sv, `closing-${hiraiCase}`).textContent()), { message: 'the row says open again' });
  assertNoProblems(sv);
  await sv.context().close();
});
