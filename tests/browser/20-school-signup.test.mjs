// SPDX-License-Identifier: MIT
// The schools' mass mail, as a guardian meets it on a phone (390 px): an empty mail handed to
// `mimamori mail-in` as Postfix's pipe would, the reply's one-time link, the registration form
// (学年, 組, 児童・生徒氏名, 保護者氏名; a sibling added; submitted from the keyboard), the
// used link refused, the confirmation's footer page (nothing personal; an edit link by mail) and
// the edit page (a change, a cancellation). axe-core on every state; the CSP kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, mailsTo, userApi,
  focusOf, inView, gapBetween, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_MAILDIR', 'MIMAMORI_BIN', 'MIMAMORI_DATA',
  'MIMAMORI_SCHOOL_CODE', 'MIMAMORI_SCHOOL_NAME', 'MIMAMORI_SCHOOL_SECURITY_CODE',
  'MIMAMORI_SCHOOL_SIGNUP', 'MIMAMORI_SCHOOL_ADMIN_LOGIN', 'MIMAMORI_STAFF_PASSWORD']);
const TAG = Date.now().toString(36);
const PARENT = `browser.signup.${TAG}@example.jp`;
const KIDS = [`画面 太郎${TAG.slice(-3)}`, `画面 花子${TAG.slice(-3)}`];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Hands an empty mail to `mimamori mail-in` as Postfix's pipe transport would. */
function emptyMail(from, subject) {
  const msg = `From: ${from}\r\nTo: ${env.SCHOOL_SIGNUP}\r\nSubject: ${subject}\r\n` +
    `Message-ID: <${Date.now()}.${Math.random()}@phone.example.jp>\r\n\r\n`;
  execFileSync(env.BIN, ['mail-in', '--data', env.DATA, '--recipient', env.SCHOOL_SIGNUP],
    { input: msg, stdio: ['pipe', 'ignore', 'ignore'] });
}

async function nextMail(address, before, what) {
  return eventually(() => {
    const all = mailsTo(env, address);
    return all.length > before && all[all.length - 1];
  }, { timeoutMs: 30000, message: what });
}

let signupUrl;
let manageUrl;

test('an empty mail is answered with a one-time link', async () => {
  emptyMail(PARENT, env.SCHOOL_SECURITY_CODE.toLowerCase());
  const mail = await nextMail(PARENT, 0, 'the reply with the sign-up link');
  assert.match(mail.headers.subject, /=\?UTF-8\?|登録/i);
  const m = mail.body.match(/https?:\/\/\S+\/school\/signup\/#t=[A-Za-z0-9_-]+/);
  assert.ok(m, `no sign-up link in: ${mail.body}`);
  signupUrl = m[0];
  assert.ok(mail.body.includes(env.SCHOOL_NAME));
});

test('the registration form on a phone, a sibling added, sent from the keyboard', async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(signupUrl);
  await page.getByTestId('signup-form').waitFor({ state: 'visible' });
  assert.equal(await page.getByTestId('signup-school').textContent(), `${env.SCHOOL_NAME}（小学校）`);
  // every field with a label of exactly the words the letter uses
  for (const label of ['学年', '組', '児童・生徒氏名', '保護者氏名']) {
    assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, label);
  }
  await checkA11y(page, 'the registration form (phone)');
  await shot(page, '20-school-signup-form');
  // nothing filled: the page says what is missing, the server is not asked
  await page.getByTestId('signup-submit').click();
  assert.match(await page.getByTestId('signup-message').textContent(), /学年/);
  await page.getByLabel('学年', { exact: true }).selectOption({ label: '3年' });
  await page.getByLabel('組', { exact: true }).selectOption({ label: '2組' });
  await page.getByLabel('児童・生徒氏名', { exact: true }).fill(KIDS[0]);
  await page.getByTestId('signup-add-child').click();
  const second = page.getByTestId('signup-child-set').nth(1);
  assert.equal(await second.locator('legend').textContent(), 'お子さま（2人目）');
  assert.equal(await second.locator('select').first().evaluate((e) => e === document.activeElement), true);
  await second.getByLabel('学年', { exact: true }).selectOption({ label: '1年' });
  await second.getByLabel('組', { exact: true }).selectOption({ label: '3組' });
  await second.getByLabel('児童・生徒氏名', { exact: true }).fill(KIDS[1]);
  await checkA11y(page, 'the registration form with a sibling (phone)');
  await page.getByLabel('保護者氏名', { exact: true }).fill('画面 保護者');
  await page.getByLabel('保護者氏名', { exact: true }).press('Enter');
  const done = page.getByTestId('signup-done');
  await done.waitFor({ state: 'visible' });
  assert.match(await done.textContent(), /お子さま2人を登録しました/);
  assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');
  await checkA11y(page, 'registered (phone)');
  await shot(page, '20-school-signup-done');
  assertNoProblems(page);
  await page.context().close();
  // the school administrator sees both children
  const admin = await userApi(env, env.SCHOOL_ADMIN_LOGIN);
  const r = await admin.get(`/api/v1/schools/${env.SCHOOL_CODE}/registrants?q=${encodeURIComponent(TAG.slice(-3))}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.data.registrants.map((x) => [x.child_name, x.grade, x.class, x.email]).sort(),
    [[KIDS[0], 3, 2, PARENT], [KIDS[1], 1, 3, PARENT]].sort());
  const mail = await nextMail(PARENT, 1, 'the confirmation');
  const m = mail.body.match(/https?:\/\/\S+\/school\/manage\/#t=[0-9a-f-]+/);
  assert.ok(m, mail.body);
  manageUrl = m[0];
  assert.ok(!mail.body.includes(KIDS[0]), 'no child name in the mail');
});

test('a used link is refused in Japanese', async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(signupUrl);
  const msg = page.getByTestId('signup-message');
  await msg.waitFor({ state: 'visible' });
  assert.match(await msg.textContent(), /使えません/);
  assert.equal(await page.getByTestId('signup-form').isHidden(), true);
  await checkA11y(page, 'a used sign-up link');
  await page.context().close();
});

test('the footer page shows nothing personal; the edit link changes and cancels', { timeout: 180000 }, async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(manageUrl);
  await page.getByTestId('manage-edit-link').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('manage-school').textContent(), new RegExp(env.SCHOOL_NAME));
  const text = await page.locator('main').textContent();
  assert.ok(!text.includes(KIDS[0]) && !text.includes('画面 保護者'), 'no names on the footer page');
  await checkA11y(page, 'the footer page (phone)');
  await shot(page, '20-school-manage');
  const before = mailsTo(env, PARENT).length;
  await page.getByTestId('manage-edit-link').press('Enter');
  await page.getByTestId('manage-message').waitFor({ state: 'visible' });
  assert.match(await page.getByTestId('manage-message').textContent(), /リンクを送りました/);
  // the answer has the focus (the pressed button was disabled while it asked), and the button
  // may be pressed again: the server sends at most 3 links an hour and answers the same.
  assert.equal((await focusOf(page)).testid, 'manage-message', 'the focus on the answer, not on <body>');
  assert.equal(await inView(page.getByTestId('manage-message')), true, 'the answer in view');
  assert.equal(await page.getByTestId('manage-edit-link').isEnabled(), true, 'the button is not left disabled');
  await checkA11y(page, 'the edit link sent (phone)');
  const mail = await nextMail(PARENT, before, 'the edit link');
  const editUrl = mail.body.match(/https?:\/\/\S+\/school\/edit\/#t=[A-Za-z0-9_-]+/)[0];
  const edit = await newPage(browser, PHONE);
  const cancels = [];
  edit.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/school/edit/cancel') cancels.push(r.url()); });
  await edit.goto(editUrl);
  const cards = edit.getByTestId('edit-registration');
  await cards.first().waitFor({ state: 'visible' });
  assert.equal(await cards.count(), 2);
  await checkA11y(edit, 'the edit page (phone)');
  await shot(edit, '20-school-edit');
  const first = cards.filter({ hasText: KIDS[0] });
  const second = cards.filter({ hasText: KIDS[1] });
  // 変更を保存する and この登録を解除する do not touch: stacked on the phone, side by side on a
  // tablet, with space between them either way.
  for (const size of [PHONE.viewport, { width: 768, height: 1024 }, PHONE.viewport]) {
    await edit.setViewportSize(size);
    const gap = await gapBetween(second.getByTestId('edit-save'), second.getByTestId('edit-cancel'));
    assert.ok(gap >= 8, `the buttons are ${gap} px apart at ${size.width} px`);
  }
  const admin = await userApi(env, env.SCHOOL_ADMIN_LOGIN);
  const registered = async () => {
    const r = await admin.get(`/api/v1/schools/${env.SCHOOL_CODE}/registrants?q=${encodeURIComponent(TAG.slice(-3))}`);
    assert.equal(r.status, 200, r.text);
    return r.data.registrants;
  };
  // A change to the second card, saved from the keyboard far down the page: its answer is seen
  // there (on a 390×844 phone), and the focus stays on the page.
  await second.getByLabel('組', { exact: true }).selectOption({ label: '1組' });
  await second.getByTestId('edit-save').press('Enter');
  const saved = edit.getByText(`${env.SCHOOL_NAME}の${KIDS[1]}さんの登録を変更しました。`);
  await saved.waitFor({ state: 'visible' });
  assert.equal(await inView(saved), true, 'the answer to 変更を保存する is in view on the phone');
  assert.notEqual((await focusOf(edit)).tag, 'BODY');
  assert.equal((await registered()).find((x) => x.child_name === KIDS[1])?.class, 1, 'the change stored');
  await checkA11y(edit, 'the edit page after a change (phone)');
  await shot(edit, '20-school-edit-saved');
  // この登録を解除する asks first; やめる keeps the registration.
  await second.getByTestId('edit-cancel').press('Enter');
  const confirm = second.getByTestId('edit-confirm');
  await confirm.waitFor({ state: 'visible' });
  assert.match(await confirm.textContent(), /本当に解除しますか。/);
  assert.equal(await inView(confirm), true, 'the question in view');
  assert.notEqual((await focusOf(edit)).tag, 'BODY');
  assert.ok((await gapBetween(second.getByTestId('edit-cancel-yes'), second.getByTestId('edit-cancel-no'))) >= 8,
    'the confirm buttons do not touch');
  await checkA11y(edit, 'the edit page asking before cancelling (phone)');
  await shot(edit, '20-school-edit-confirm');
  await second.getByTestId('edit-cancel-no').press('Enter');
  await confirm.waitFor({ state: 'hidden' });
  assert.equal((await focusOf(edit)).testid, 'edit-cancel', 'やめる gives the focus back to the button');
  assert.equal(await cards.count(), 2, 'the card stays');
  assert.deepEqual(cancels, [], 'nothing sent before 解除する');
  assert.ok((await registered()).some((x) => x.child_name === KIDS[1]), 'やめる keeps the registration');
  // asked again and confirmed: the card goes, its answer where the card was, with the focus
  await second.getByTestId('edit-cancel').press('Enter');
  await second.getByTestId('edit-cancel-yes').press('Enter');
  await eventually(async () => (await cards.count()) === 1, { message: 'the cancelled card gone' });
  const gone = edit.getByText(`${env.SCHOOL_NAME}の${KIDS[1]}さんの登録を解除しました。`);
  await gone.waitFor({ state: 'visible' });
  assert.equal(await inView(gone), true, 'the answer to 解除する is in view on the phone');
  assert.notEqual((await focusOf(edit)).tag, 'BODY', 'the focus not on <body> after the card went');
  assert.equal(cancels.length, 1);
  assert.ok(!(await registered()).some((x) => x.child_name === KIDS[1]), 'the registration cancelled');
  assert.equal(await first.count(), 1, 'the other child still registered');
  await checkA11y(edit, 'the edit page after a change and a cancellation');
  await shot(edit, '20-school-edit-cancelled');
  assertNoProblems(edit);
  await edit.context().close();
  // the footer's own cancel: confirmed, then nothing left at this school
  await page.getByTestId('manage-cancel').click();
  await page.getByTestId('manage-confirm').waitFor({ state: 'visible' });
  assert.ok((await gapBetween(page.getByTestId('manage-cancel-yes'), page.locator('#cancel-no'))) >= 8,
    'the confirm buttons do not touch');
  await checkA11y(page, 'the cancel confirmation (phone)');
  await page.getByTestId('manage-cancel-yes').press('Enter');
  await eventually(async () => /解除しました/.test(await page.getByTestId('manage-message').textContent()),
    { message: 'cancelled' });
  assert.equal((await focusOf(page)).testid, 'manage-message', 'the focus on the answer, not on <body>');
  await checkA11y(page, 'cancelled (phone)');
  assertNoProblems(page);
  await page.context().close();
  assert.deepEqual(await registered(), []);
});
