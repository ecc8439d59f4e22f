// SPDX-License-Identifier: MIT
// The schools' mass mail as school staff and the ward use it: the school administrator's
// registrants (search, deletion with a reason, the registration letter whose QR code zbar reads),
// the ward's schools with counts and a new school account (its first password shown once), and
// a sender's device — refused before approval even with the right password, enrolled on a phone,
// approved by the ward admin after comparing the code, then the sender's home with counts and
// never a name. axe-core on every page and state at 1280 and 390 px; the CSP kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, userApi,
  DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_SCHOOL_CODE', 'MIMAMORI_SCHOOL_NAME', 'MIMAMORI_SCHOOL_SECURITY_CODE',
  'MIMAMORI_SCHOOL_SIGNUP', 'MIMAMORI_SCHOOL_ADMIN_LOGIN', 'MIMAMORI_SCHOOL_SENDER_LOGIN',
  'MIMAMORI_SCHOOL_REGISTRANTS']);
const REGS = JSON.parse(env.SCHOOL_REGISTRANTS); // [child, guardian, address, grade, class]

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

/** The data-testid of the element with the focus ('' for none, e.g. <body>). */
const focused = (page) => page.evaluate(() => document.activeElement?.dataset?.testid || document.activeElement?.tagName || '');

/** Whether the element of data-testid id is shown inside the window (not scrolled away). */
async function inView(page, id) {
  return page.evaluate((t) => {
    const e = document.querySelector(`[data-testid="${t}"]`);
    if (!e || e.hidden) return false;
    const r = e.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
  }, id);
}

async function signIn(page, url, login, password = env.STAFF_PASSWORD) {
  await page.goto(url);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(password);
  await tid(page, 'login-submit').click();
}

function qrCodes(pdf) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-qr-'));
  try {
    execFileSync('pdftoppm', ['-r', '200', '-png', pdf, path.join(dir, 'p')]);
    const codes = [];
    for (const png of fs.readdirSync(dir).sort()) {
      let out = '';
      try { out = execFileSync('zbarimg', ['--raw', '-q', path.join(dir, png)]).toString(); } catch (e) { out = e.stdout ? e.stdout.toString() : ''; }
      for (const l of out.split('\n')) if (l.trim()) codes.push(l.trim());
    }
    return codes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const [label, view] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`the school administrator's registrants (${label})`, async () => {
    const page = await newPage(browser, { ...view, acceptDownloads: true });
    await signIn(page, `${env.URL}/school/registrants.html`, env.SCHOOL_ADMIN_LOGIN);
    const rows = tid(page, 'registrant-row');
    await eventually(async () => (await rows.count()) >= REGS.length, { message: 'the registrants' });
    const text = await tid(page, 'registrants-table').textContent();
    for (const [child, guardian, addr] of REGS) {
      assert.ok(text.includes(child) && text.includes(guardian) && text.includes(addr), child);
    }
    await checkA11y(page, `registrants (${label})`);
    await shot(page, `21-school-registrants-${label}`);
    // search by the guardian's name
    await tid(page, 'registrants-q').fill(REGS[1][1]);
    await tid(page, 'registrants-q').press('Enter');
    await eventually(async () => (await rows.count()) === 1, { message: 'one found' });
    assert.match(await rows.first().textContent(), new RegExp(REGS[1][0]));
    await checkA11y(page, `registrants searched (${label})`);
    // the letter: the code as a mailto: QR code
    const [dl] = await Promise.all([page.waitForEvent('download'), tid(page, 'registrants-letter').click()]);
    assert.deepEqual(qrCodes(await dl.path()), [`mailto:${env.SCHOOL_SIGNUP}?subject=${env.SCHOOL_SECURITY_CODE}`]);
    assertNoProblems(page);
    await page.context().close();
  });
}

test('a registration deleted for a transfer, from the keyboard', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/school/registrants.html`, env.SCHOOL_ADMIN_LOGIN);
  const row = tid(page, 'registrant-row').filter({ hasText: REGS[0][0] });
  await row.waitFor({ state: 'visible' });
  await row.getByTestId('registrant-remove').focus();
  await page.keyboard.press('Enter');
  const dialog = tid(page, 'remove-dialog');
  await dialog.waitFor({ state: 'visible' });
  await checkA11y(page, 'the deletion dialog');
  await tid(page, 'remove-ok').click(); // no reason yet: told so
  assert.match(await dialog.getByRole('alert').textContent(), /理由/);
  await tid(page, 'remove-transfer').check();
  await tid(page, 'remove-ok').click();
  await dialog.waitFor({ state: 'hidden' });
  await eventually(async () => (await tid(page, 'registrant-row').filter({ hasText: REGS[0][0] }).count()) === 0,
    { message: 'the row gone' });
  // the row and its button are gone: the focus is on the result, not left on <body>
  await eventually(async () => (await focused(page)) === 'registrants-message', { message: () => 'the focus on the result' });
  assert.match(await tid(page, 'registrants-message').textContent(), new RegExp(`${REGS[0][0]}の登録を削除しました`));
  assert.ok(await inView(page, 'registrants-message'), 'the result is in view');
  await checkA11y(page, 'after a deletion');
  assertNoProblems(page);
  await page.context().close();
});

test('the ward: schools with counts, a new school account', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/school/ward.html`, env.ADMIN_LOGIN);
  const school = tid(page, 'ward-school').filter({ hasText: env.SCHOOL_NAME });
  await school.waitFor({ state: 'visible' });
  assert.match(await school.textContent(), new RegExp(env.SCHOOL_SECURITY_CODE));
  await checkA11y(page, 'the ward\'s schools');
  await shot(page, '21-school-ward');
  await school.getByRole('button', { name: `${env.SCHOOL_NAME}の利用者` }).click();
  await tid(page, 'ward-users').waitFor({ state: 'visible' });
  // a login already taken: said beside the form, in view and with the focus (not in the page's
  // message above the table of schools)
  await tid(page, 'ward-user-login').fill(env.SCHOOL_ADMIN_LOGIN);
  await tid(page, 'ward-user-add').click();
  await eventually(async () => /すでに使われています/.test(await tid(page, 'ward-user-error').textContent()),
    { message: 'the login taken, beside the form' });
  await eventually(async () => (await focused(page)) === 'ward-user-error', { message: 'the focus on the error' });
  assert.ok(await inView(page, 'ward-user-error'), 'the error is in view');
  assert.equal(await tid(page, 'ward-message').isHidden(), true, 'nothing in the message above the table');
  assert.equal(await tid(page, 'ward-user-login').getAttribute('aria-invalid'), 'true');
  await checkA11y(page, 'a login taken');
  await tid(page, 'ward-user-login').fill('school-admin-new');
  await tid(page, 'ward-user-add').click();
  await tid(page, 'ward-user-secret').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'ward-user-password').textContent(), /^[A-Za-z0-9]{16}$/);
  assert.match(await tid(page, 'ward-users').textContent(), /school-admin-new（学校管理者）/);
  // the earlier refusal is gone once an account is added
  assert.equal(await tid(page, 'ward-user-error').isHidden(), true, 'the old error cleared');
  assert.equal(await tid(page, 'ward-message').isHidden(), true);
  assert.equal(await tid(page, 'ward-user-login').getAttribute('aria-invalid'), null);
  assert.equal(await focused(page), 'ward-user-secret');
  await checkA11y(page, 'a new school account');
  assertNoProblems(page);
  await page.context().close();
  const phone = await newPage(browser, PHONE);
  await signIn(phone, `${env.URL}/school/ward.html`, env.ADMIN_LOGIN);
  await tid(phone, 'ward-school').first().waitFor({ state: 'visible' });
  await checkA11y(phone, 'the ward\'s schools (phone)');
  await shot(phone, '21-school-ward-phone');
  await phone.context().close();
});

test('a sender: refused before approval, enrolled on a phone, approved, counts only', async () => {
  const sender = await newPage(browser, PHONE);
  // the right password on a device the ward has not approved
  await signIn(sender, `${env.URL}/school/sender.html`, env.SCHOOL_SENDER_LOGIN);
  await eventually(async () => /承認/.test(await tid(sender, 'login-error').textContent()),
    { message: 'the refusal' });
  await checkA11y(sender, 'a sender refused (phone)');
  // the device asks to be enrolled
  await sender.goto(`${env.URL}/school/enrol.html`);
  await tid(sender, 'enrol-form').waitFor({ state: 'visible' });
  await checkA11y(sender, 'the enrolment form (phone)');
  await tid(sender, 'enrol-login').fill(env.SCHOOL_SENDER_LOGIN);
  await tid(sender, 'enrol-password').fill(env.STAFF_PASSWORD);
  await tid(sender, 'enrol-label').fill('校長のスマートフォン');
  await tid(sender, 'enrol-label').press('Enter');
  const code = await eventually(async () => (await tid(sender, 'enrol-code').count()) && tid(sender, 'enrol-code').textContent(),
    { message: 'the confirmation code' });
  assert.match(code, /^[0-9]{6}$/);
  await checkA11y(sender, 'waiting for approval (phone)');
  await shot(sender, '21-school-enrol');
  // still refused while it waits
  await signIn(sender, `${env.URL}/school/sender.html`, env.SCHOOL_SENDER_LOGIN);
  await eventually(async () => /承認/.test(await tid(sender, 'login-error').textContent()),
    { message: 'refused while pending' });
  // the ward admin compares the code and approves
  const ward = await newPage(browser, DESKTOP);
  await signIn(ward, `${env.URL}/school/devices.html`, env.ADMIN_LOGIN);
  const row = tid(ward, 'device-row').filter({ hasText: '校長のスマートフォン' });
  await row.waitFor({ state: 'visible' });
  assert.equal(await row.getAttribute('data-state'), 'pending');
  assert.equal(await row.getByTestId('device-code').textContent(), code);
  await checkA11y(ward, 'the devices waiting');
  await shot(ward, '21-school-devices');
  await row.getByTestId('device-approve').click();
  assert.match(await tid(ward, 'confirm-dialog').textContent(), new RegExp(code));
  await checkA11y(ward, 'the approval dialog');
  await tid(ward, 'confirm-ok').click();
  await eventually(async () => (await row.getAttribute('data-state')) === 'approved', { message: 'approved' });
  assertNoProblems(ward);
  await ward.context().close();
  // the sender's home: counts, never a name or an address
  await signIn(sender, `${env.URL}/school/sender.html`, env.SCHOOL_SENDER_LOGIN);
  await tid(sender, 'counts-table').waitFor({ state: 'visible' });
  await eventually(async () => /人/.test(await tid(sender, 'counts-total').textContent()), { message: 'the total' });
  const text = await sender.locator('body').textContent();
  for (const [child, guardian, addr] of REGS) {
    assert.ok(!text.includes(child) && !text.includes(guardian) && !text.includes(addr), `no ${child}`);
  }
  assert.match(await tid(sender, 'counts-school').textContent(), new RegExp(env.SCHOOL_NAME));
  await checkA11y(sender, 'the sender\'s home (phone)');
  await shot(sender, '21-school-sender');
  assertNoProblems(sender);
  await sender.context().close();
  // a second phone, same password, no approval: refused
  const other = await newPage(browser, PHONE);
  await signIn(other, `${env.URL}/school/sender.html`, env.SCHOOL_SENDER_LOGIN);
  await eventually(async () => /承認/.test(await tid(other, 'login-error').textContent()),
    { message: 'another device refused' });
  await other.context().close();
});
