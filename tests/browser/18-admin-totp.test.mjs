// SPDX-License-Identifier: MIT
// The administrators' second factor (issue 19) in the browser: a new ward administrator (made
// through the API, its first password changed) opens /staff/totp.html, starts enrolment, and
// the QR code on the page — read by zbar from a screenshot of the image — is the otpauth URI of
// the secret shown beside it; a wrong first code is refused on the page, the right one (computed
// here with node's HMAC-SHA1, RFC 6238) shows ten recovery codes. Signing in again on /ward/
// asks for the code after the password: a wrong code is refused, the right one signs in; a
// recovery code signs in once. Another administrator (admin01) sees the factor on
// /ward/users.html and resets it (a lost phone); the password alone signs in again. axe-core
// on every state, at 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, userApi, confirmDialog,
  DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_STAFF_PASSWORD']);
const LOGIN = `totp-${Date.now().toString(36)}`;
const PASSWORD = 'totp-admin-passphrase-2026';

let browser;
before(async () => {
  browser = await launch();
  // A ward administrator of this test's own (the shared admin01 stays without a factor).
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const r = await admin.send('POST', '/api/v1/users', { login: LOGIN, role: 'ward_admin' });
  assert.equal(r.status, 201, r.text);
  const first = await userApi(env, LOGIN, r.data.password);
  const p = await first.send('POST', '/api/v1/session/password', { current: r.data.password, new: PASSWORD });
  assert.equal(p.status, 200, p.text);
});
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

/** RFC 6238 (HMAC-SHA1, 30 s, 6 digits) of a base32 secret at unix time t. */
function totp(secretB32, t = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretB32.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const n = mac.readUInt32BE(off) & 0x7fffffff;
  return String(n % 1000000).padStart(6, '0');
}

/** The QR codes zbar reads in a PNG (a screenshot). */
function zbar(png) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-totp-'));
  try {
    const file = path.join(dir, 'qr.png');
    fs.writeFileSync(file, png);
    return execFileSync('zbarimg', ['--raw', '-q', file]).toString().split('\n').filter(Boolean);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function signIn(page, login, password) {
  await page.goto(`${env.URL}/ward/`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(password);
  await tid(page, 'login-submit').click();
}

let secret;
let step;
let recovery;

test('enrolment: the QR code on the page, a wrong code, the recovery codes', async () => {
  const page = await newPage(browser, DESKTOP);
  await page.goto(`${env.URL}/staff/totp.html`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(LOGIN);
  await tid(page, 'login-password').fill(PASSWORD);
  await tid(page, 'login-submit').click();
  await tid(page, 'totp-start').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'totp-state').textContent(), /まだ登録していません/);
  await checkA11y(page, 'totp: not enrolled');
  await tid(page, 'totp-start').click();
  await tid(page, 'totp-form').waitFor({ state: 'visible' });
  const img = tid(page, 'totp-qr');
  await page.waitForFunction(() => {
    const i = document.querySelector('[data-testid="totp-qr"]');
    return i && i.complete && i.naturalWidth > 0;
  });
  secret = (await tid(page, 'totp-secret').textContent()).replace(/\s/g, '');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  const uris = zbar(await img.screenshot());
  assert.equal(uris.length, 1, `zbar read ${uris.length} codes`);
  const uri = new URL(uris[0]);
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), secret);
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname), `/mimamori:${LOGIN}`);
  await checkA11y(page, 'totp: scan and confirm');
  await shot(page, '18-totp-enrol');
  // a wrong code: refused on the page
  const now = Date.now() / 1000;
  const good = totp(secret, now);
  await tid(page, 'totp-code').fill(String((Number(good) + 1) % 1000000).padStart(6, '0'));
  await tid(page, 'totp-confirm').click();
  await tid(page, 'totp-message').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'totp-message').textContent(), /確認コードが違います/);
  await tid(page, 'totp-code').fill(good);
  step = Math.floor(now / 30);
  await tid(page, 'totp-confirm').click();
  await tid(page, 'totp-recovery').waitFor({ state: 'visible' });
  recovery = (await tid(page, 'totp-codes').locator('li').allTextContents()).map((s) => s.trim());
  assert.equal(recovery.length, 10);
  for (const c of recovery) assert.match(c, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
  assert.match(await tid(page, 'totp-done').textContent(), /登録しました/);
  await checkA11y(page, 'totp: recovery codes');
  assertNoProblems(page);
  await page.close();
});

test('sign-in asks for the code: a wrong one refused, the right one signs in', async () => {
  assert.ok(secret, 'enrolment ran first');
  const page = await newPage(browser, PHONE);
  await signIn(page, LOGIN, PASSWORD);
  await tid(page, 'login-code').waitFor({ state: 'visible' });
  assert.equal(await tid(page, 'login-password').isVisible(), false);
  await checkA11y(page, 'sign-in: code step');
  const good = totp(secret, (step + 1) * 30); // the next step: the enrolment's was used
  await tid(page, 'login-code').fill(String((Number(good) + 1) % 1000000).padStart(6, '0'));
  await tid(page, 'login-submit').click();
  await page.getByText('確認コードが違うか、すでに使われています。').waitFor({ state: 'visible' });
  await tid(page, 'login-code').fill(good);
  await tid(page, 'login-submit').click();
  await tid(page, 'signout').waitFor({ state: 'visible' });
  await tid(page, 'login-code').waitFor({ state: 'detached' });
  await shot(page, '18-totp-signed-in');
  // The menu leads back to the factor's page (new recovery codes, another phone).
  await page.locator('#ward-nav a[href="/staff/totp.html"]').click();
  await page.waitForURL('**/staff/totp.html');
  await page.locator('#app').waitFor({ state: 'visible' });
  await checkA11y(page, 'the second factor page from the menu');
  await tid(page, 'signout').click();
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  assertNoProblems(page);
  await page.close();
});

test('a recovery code signs in once', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, LOGIN, PASSWORD);
  await tid(page, 'login-code').waitFor({ state: 'visible' });
  await tid(page, 'login-code').fill(recovery[0]);
  await tid(page, 'login-submit').click();
  await tid(page, 'signout').waitFor({ state: 'visible' });
  await page.goto(`${env.URL}/staff/totp.html`);
  await tid(page, 'totp-state').waitFor({ state: 'visible' });
  await page.waitForFunction(() => /残り：9個/.test(document.querySelector('[data-testid="totp-state"]').textContent));
  await checkA11y(page, 'totp: enrolled');
  await tid(page, 'signout').click();
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await page.close();
  const again = await newPage(browser, DESKTOP);
  await signIn(again, LOGIN, PASSWORD);
  await tid(again, 'login-code').waitFor({ state: 'visible' });
  await tid(again, 'login-code').fill(recovery[0]);
  await tid(again, 'login-submit').click();
  await again.getByText('確認コードが違うか、すでに使われています。').waitFor({ state: 'visible' });
  assertNoProblems(again);
  await again.close();
});

test('another administrator resets the factor on the users page', async () => {
  const page = await newPage(browser, DESKTOP);
  await page.goto(`${env.URL}/ward/users.html`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(env.ADMIN_LOGIN);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
  const row = page.locator(`[data-testid="user-row"][data-login="${LOGIN}"]`);
  await row.waitFor({ state: 'visible' });
  await row.locator('[data-testid="user-2fa"]').waitFor({ state: 'visible' });
  await checkA11y(page, 'users: second factor');
  await row.locator('[data-testid="user-totp-reset"]').click();
  await confirmDialog(page);
  await row.locator('[data-testid="user-2fa"]').waitFor({ state: 'detached' });
  assert.equal(await row.locator('[data-testid="user-totp-reset"]').count(), 0);
  assertNoProblems(page);
  await page.close();
  // the password alone signs in again (this ward asks for the factor only once enrolled)
  const again = await userApi(env, LOGIN, PASSWORD);
  const st = await again.get('/api/v1/session/totp');
  assert.equal(st.status, 200, st.text);
  assert.equal(st.data.enrolled, false);
});
