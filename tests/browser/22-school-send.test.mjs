// SPDX-License-Identifier: MIT
// Composing the schools' mass mail on a 390-px phone as the school administrator: a template, a
// grade and a class chosen, the recipient count before sending, a text holding a registered
// child's name refused with the reason on the page, the send that reaches exactly that class's
// address (with its 「読みました」 link), and the record with counts; then the ward's view on a
// desktop with the delivery per school, and the ward keeping the templates (a new one, one
// refused for a child's name, changed, deleted). axe-core on every state; the CSP kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, mailsTo,
  DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_MAILDIR', 'MIMAMORI_SCHOOL_NAME', 'MIMAMORI_SCHOOL_ADMIN_LOGIN',
  'MIMAMORI_SCHOOL_REGISTRANTS']);
const REGS = JSON.parse(env.SCHOOL_REGISTRANTS); // [child, guardian, address, grade, class]

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

async function signIn(page, url, login, password = env.STAFF_PASSWORD) {
  await page.goto(url);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(password);
  await tid(page, 'login-submit').click();
}

test('the school administrator composes and sends on a phone', async () => {
  const page = await newPage(browser, PHONE);
  await signIn(page, `${env.URL}/school/send.html`, env.SCHOOL_ADMIN_LOGIN);
  await tid(page, 'compose').waitFor({ state: 'visible' });
  await eventually(async () => (await tid(page, 'send-template').locator('option').count()) > 1,
    { message: 'the templates' });
  assert.match(await tid(page, 'send-scope').textContent(), new RegExp(env.SCHOOL_NAME));
  await checkA11y(page, 'school send: empty (phone)');
  // The page fits the phone: nothing wider than the viewport.
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `page is ${wide}px wide`);

  // REGS[1]: 21-school-staff deletes REGS[0]'s registration (this file may run after it).
  const [child, , addr, grade, klass] = REGS[1];
  await tid(page, 'send-template').selectOption({ label: '休校のお知らせ' });
  assert.match(await tid(page, 'send-subject').inputValue(), /休校/);
  await tid(page, 'send-grade').selectOption(String(grade));
  await tid(page, 'send-class').selectOption(String(klass));
  // A registered child's name in the body is refused, with the reason on the page.
  await tid(page, 'send-body').fill(`${child}さんの忘れ物があります。`);
  await tid(page, 'send-preview').click();
  await tid(page, 'send-message').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'send-message').textContent(), /児童・生徒の名前/);
  assert.ok(!(await tid(page, 'send-message').textContent()).includes(child));
  await checkA11y(page, 'school send: refused (phone)');

  const before = mailsTo(env, addr).length;
  const others = REGS.slice(0, 1).map((r) => mailsTo(env, r[2]).length);
  await tid(page, 'send-body').fill('本日は台風のため臨時休校とします。');
  await tid(page, 'send-read-confirm').check();
  await tid(page, 'send-preview').click();
  await tid(page, 'send-confirm').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'send-count').textContent(), /1人に今すぐ送信します/);
  await checkA11y(page, 'school send: preview (phone)');
  await shot(page, 'school-send-preview-phone');
  await tid(page, 'send-go').click();
  await tid(page, 'send-done').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'send-done').textContent(), /1人に送信しました/);
  const mail = await eventually(() => mailsTo(env, addr).length > before && mailsTo(env, addr).at(-1),
    { message: 'the mail to the class' });
  assert.match(mail.body, /\/read\/\?t=/);
  // Exactly that class: no one else got it.
  REGS.slice(0, 1).forEach((r, i) => assert.equal(mailsTo(env, r[2]).length, others[i]));
  const item = tid(page, 'send-item').first();
  await eventually(async () => /読みました 0人/.test(await item.locator('[data-testid="send-counts"]').textContent()),
    { message: 'the record' });
  const text = await tid(page, 'send-history').textContent();
  assert.ok(!text.includes('@'), 'no address in the record');
  await checkA11y(page, 'school send: sent (phone)');
  await shot(page, 'school-send-sent-phone');
  assertNoProblems(page);
  await page.close();
});

test('the ward sees each send and its delivery per school', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/school/send.html`, env.ADMIN_LOGIN);
  await tid(page, 'send-schools').waitFor({ state: 'visible' });
  const item = tid(page, 'send-item').first();
  await item.waitFor({ state: 'visible' });
  await item.locator('summary').click();
  const table = item.locator('[data-testid="send-schools-table"]');
  await table.waitFor({ state: 'visible' });
  assert.match(await table.textContent(), new RegExp(env.SCHOOL_NAME));
  await checkA11y(page, 'school send: ward (desktop)');
  await shot(page, 'school-send-ward-desktop');
  assertNoProblems(page);
  await page.close();
});

test('the ward keeps the templates the schools start from', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/school/send.html`, env.ADMIN_LOGIN);
  await tid(page, 'templates').waitFor({ state: 'visible' });
  const options = async () => tid(page, 'send-template').locator('option').allTextContents();
  await eventually(async () => (await options()).length > 1, { message: 'the templates' });
  assert.equal(await tid(page, 'template-update').isDisabled(), true);
  // a new template from the compose form's subject and body
  await tid(page, 'template-name').fill('プール開放の中止');
  await tid(page, 'send-subject').fill('【お知らせ】本日のプール開放は中止します');
  await tid(page, 'send-body').fill('保護者の皆様\n\n天候のため、本日のプール開放は中止します。');
  await tid(page, 'template-new').click();
  await tid(page, 'template-done').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'template-done').textContent(), /プール開放の中止/);
  assert.ok((await options()).includes('プール開放の中止'));
  const chosen = await tid(page, 'send-template').inputValue();
  assert.notEqual(chosen, '');
  await checkA11y(page, 'school send: a template saved (desktop)');
  // a registered child's name is refused, with the reason on the page; nothing is stored
  // (REGS[1]: REGS[0]'s registration is deleted by 21-school-staff, which may run first)
  await tid(page, 'send-body').fill(`${REGS[1][0]}さんのお迎えについて`);
  await tid(page, 'template-update').click();
  await tid(page, 'send-message').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'send-message').textContent(), /名前|個人/);
  await checkA11y(page, 'school send: a template refused (desktop)');
  // changed under a new name, then deleted
  await page.reload();
  await tid(page, 'templates').waitFor({ state: 'visible' });
  await eventually(async () => (await options()).includes('プール開放の中止'), { message: 'the saved template' });
  await tid(page, 'send-template').selectOption(chosen);
  assert.match(await tid(page, 'send-body').inputValue(), /天候のため/); // the refused text was not stored
  await tid(page, 'template-name').fill('プール開放の中止（雷）');
  await tid(page, 'send-body').fill('保護者の皆様\n\n雷のため、本日のプール開放は中止します。');
  await tid(page, 'template-update').click();
  await eventually(async () => (await options()).includes('プール開放の中止（雷）'), { message: 'the renamed template' });
  assert.ok(!(await options()).includes('プール開放の中止'));
  await tid(page, 'template-delete').click();
  await eventually(async () => /削除しました/.test(await tid(page, 'template-done').textContent()),
    { message: 'the deletion' });
  assert.ok(!(await options()).includes('プール開放の中止（雷）'));
  await shot(page, 'school-send-templates-desktop');
  assertNoProblems(page);
  await page.close();
});
