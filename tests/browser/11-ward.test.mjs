// SPDX-License-Identifier: MIT
// The ward administrator's pages (/ward/): all sites at a glance, site settings, cards (one
// child's card without touching the others', a reissue, a printed sheet decoded with zbar),
// kiosks (the token shown once, then revoked), and staff accounts (a first password shown
// once that the person must change at the first sign-in, lock, reset, role). Each screen is
// used as a person would, at 1280 and 390 px, with the keyboard where it matters, and its
// result checked through the API; axe-core on every state; no console errors with the CSP.
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

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_STAFF_LOGIN',
  'MIMAMORI_STAFF_PASSWORD', 'MIMAMORI_WARD_SITE_CODE', 'MIMAMORI_WARD_SITE_NAME',
  'MIMAMORI_WARD_CHILDREN', 'MIMAMORI_WARD_CARD_CODE', 'MIMAMORI_WARD_KIOSK_TOKEN']);
const SITE = env.WARD_SITE_CODE;
const KIDS = Object.fromEntries(JSON.parse(env.WARD_CHILDREN)); // child_no → name
const TAG = Array.from({ length: 5 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');

let browser;
let admin; // the API as the ward admin, to check what the pages did
before(async () => {
  browser = await launch();
  admin = await userApi(env, env.ADMIN_LOGIN);
});
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

async function signIn(page, url, login, password = env.STAFF_PASSWORD) {
  await page.goto(url);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(password);
  await tid(page, 'login-submit').click();
}

/** Every QR code in a PDF (pdftoppm + zbarimg, two resolutions): enough for this test's sheet of two cards; the
 * e2e harness reads sheets of many cards in tiles, as zbar misses one code in ~80 on a full page. */
function qrCodes(pdf) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-qr-'));
  try {
    const codes = [];
    for (const dpi of ['300', '200']) {
      execFileSync('pdftoppm', ['-r', dpi, '-png', pdf, path.join(dir, `p${dpi}`)]);
      for (const png of fs.readdirSync(dir).filter((f) => f.startsWith(`p${dpi}`)).sort()) {
        let out = '';
        try {
          out = execFileSync('zbarimg', ['--raw', '-q', path.join(dir, png)]).toString();
        } catch (e) {
          out = e.stdout ? e.stdout.toString() : ''; // exit 4: no code on the page
        }
        for (const line of out.split('\n')) if (line.trim() && !codes.includes(line.trim())) codes.push(line.trim());
      }
    }
    return codes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const pdfText = (pdf) => execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', pdf, '-']).toString('utf8');

/** Clicks button and returns the saved download's {file, name}. */
async function downloadBy(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const file = await dl.path();
  assert.ok(file, 'the download was saved');
  return { file, name: dl.suggestedFilename() };
}

async function kioskScan(token, code) {
  const send = () => fetch(`${env.URL}/api/v1/scans`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  // A kiosk sends again when its connection drops before an answer (its queue does); here too,
  // once: with eight suites running, a kept-alive connection was once gone ('fetch failed').
  // Every assertion is on the answer, which a scan sent twice still gives.
  let r;
  try {
    r = await send();
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    await new Promise((done) => setTimeout(done, 500));
    r = await send();
  }
  return { status: r.status, data: await r.json().catch(() => null) };
}

test('home: every site at a glance, those needing attention first (1280 and 390 px)', { timeout: 180000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/ward/`, env.ADMIN_LOGIN);
  await tid(page, 'overview-row').first().waitFor();
  await checkA11y(page, 'ward home');
  const api = await admin.get('/api/v1/overview');
  assert.equal(api.status, 200, api.text);
  // The rows are the API's, in its order (attention first), with its counts.
  const codes = await tid(page, 'overview-row').evaluateAll((rows) => rows.map((r) => r.dataset.site));
  assert.deepEqual(codes, api.data.sites.map((s) => s.code));
  assert.ok(codes.includes(SITE));
  const row = page.locator(`[data-testid="overview-row"][data-site="${SITE}"]`);
  assert.equal(await row.locator('[data-count="enrolled"]').innerText(), String(Object.keys(KIDS).length));
  assert.match(await row.innerText(), new RegExp(env.WARD_SITE_NAME));
  assert.equal(await tid(page, 'total-present').innerText(), String(api.data.totals.present));
  await shot(page, 'ward-home-desktop');

  // Sorted by code on request, by keyboard: Tab to the button and press Enter.
  await tid(page, 'sort-code').focus();
  await page.keyboard.press('Enter');
  assert.equal(await tid(page, 'sort-code').getAttribute('aria-pressed'), 'true');
  const byCode = await tid(page, 'overview-row').evaluateAll((rows) => rows.map((r) => r.dataset.site));
  assert.deepEqual(byCode, [...byCode].sort());
  // The site's name leads to its board.
  assert.equal(await row.locator('a').getAttribute('href'), `/staff/#site=${SITE}`);

  await page.setViewportSize(PHONE.viewport);
  await row.scrollIntoViewIfNeeded();
  await shot(page, 'ward-home-phone');
  await checkA11y(page, 'ward home on a phone');
  // No horizontal scrolling on a phone.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scroll');
  assertNoProblems(page);
  await page.context().close();
});

test('site settings: hours, arrival, grace, deadline, phone, alert mail, guardians', { timeout: 120000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/ward/sites.html`, env.ADMIN_LOGIN);
  await tid(page, 'site-select').waitFor();
  await page.waitForFunction((c) => [...document.querySelectorAll('#site option')].some((o) => o.value === c), SITE);
  await tid(page, 'site-select').selectOption(SITE);
  await tid(page, 'site-form').waitFor();
  await checkA11y(page, 'site settings');
  // A bad grace is refused on the page, nothing sent.
  await tid(page, 'grace').fill('300');
  await tid(page, 'site-save').click();
  await tid(page, 'sites-message').waitFor();
  assert.match(await tid(page, 'sites-message').innerText(), /猶予/);
  await checkA11y(page, 'site settings with an error');

  await tid(page, 'opens').fill('13:30');
  await tid(page, 'closes').fill('18:30');
  await tid(page, 'arrival').fill('15:00');
  await tid(page, 'grace').fill('20');
  await tid(page, 'deadline').fill('11:30');
  await tid(page, 'phone').fill('03-5000-7777');
  await tid(page, 'alert-email').fill(`club-${TAG}@example.jp`);
  await tid(page, 'alert-guardians').check();
  await tid(page, 'site-save').click();
  await tid(page, 'sites-saved').waitFor();
  await shot(page, 'ward-sites-saved');
  const sites = await admin.get('/api/v1/sites');
  const s = sites.data.sites.find((x) => x.code === SITE);
  assert.deepEqual(
    [s.opens, s.closes, s.arrival, s.grace_min, s.deadline, s.phone, s.alert_email, s.alert_guardians],
    ['13:30', '18:30', '15:00', 20, '11:30', '03-5000-7777', `club-${TAG}@example.jp`, true]);
  // The server's own refusal (arrival outside the hours) is shown, nothing saved.
  await tid(page, 'arrival').fill('20:00');
  await tid(page, 'site-save').click();
  await tid(page, 'sites-message').waitFor();
  assert.ok((await tid(page, 'sites-message').innerText()).trim().length > 0);
  const again = (await admin.get('/api/v1/sites')).data.sites.find((x) => x.code === SITE);
  assert.equal(again.arrival, '15:00');

  await page.setViewportSize(PHONE.viewport);
  await shot(page, 'ward-sites-phone');
  await checkA11y(page, 'site settings on a phone');
  assertNoProblems(page);
  await page.context().close();
});

test('cards: one child\'s card, a reissue, and a printed sheet decoded with zbar', { timeout: 240000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/ward/cards.html#site=${SITE}`, env.ADMIN_LOGIN);
  await tid(page, 'card-row').first().waitFor();
  await checkA11y(page, 'cards');
  const rowOf = (no) => page.locator(`[data-testid="card-row"][data-child-no="${no}"]`);
  assert.equal(await rowOf('W001').getAttribute('data-has-card'), 'true');
  assert.equal(await rowOf('W002').getAttribute('data-has-card'), 'false');
  const before = (await admin.get(`/api/v1/sites/${SITE}/cards`)).data.children.find((c) => c.child_no === 'W001');

  // A first card for W002 alone: W001's card stays as it was.
  await rowOf('W002').locator('[data-testid="card-issue"]').click();
  await tid(page, 'cards-done').waitFor();
  assert.match(await tid(page, 'cards-done').innerText(), /W002/);
  await eventually(async () => (await rowOf('W002').getAttribute('data-has-card')) === 'true', { message: 'W002 has a card' });
  let cards = (await admin.get(`/api/v1/sites/${SITE}/cards`)).data.children;
  assert.ok(cards.find((c) => c.child_no === 'W002').card);
  assert.deepEqual(cards.find((c) => c.child_no === 'W001'), before);
  assert.equal(cards.find((c) => c.child_no === 'W003').card, null);
  const old = await kioskScan(env.WARD_KIOSK_TOKEN, env.WARD_CARD_CODE);
  assert.equal(old.status, 200, 'W001\'s card still works');
  assert.equal(old.data.child_name, KIDS.W001);
  await checkA11y(page, 'cards after an issue');

  // Reissue W001 through the confirm dialog, by keyboard (the dialog opens on やめる; Tab back).
  await rowOf('W001').locator('[data-testid="card-reissue"]').click();
  await tid(page, 'confirm-dialog').waitFor();
  await checkA11y(page, 'cards: confirm the reissue');
  await shot(page, 'ward-cards-confirm');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'confirm-ok');
  await page.keyboard.press('Enter');
  await eventually(async () => /再発行しました/.test(await tid(page, 'cards-done').innerText()), { message: 'the reissue' });
  cards = (await admin.get(`/api/v1/sites/${SITE}/cards`)).data.children;
  assert.equal(cards.find((c) => c.child_no === 'W001').revoked_cards, 1);
  assert.equal((await kioskScan(env.WARD_KIOSK_TOKEN, env.WARD_CARD_CODE)).status, 404, 'the old card is revoked');

  // Print the chosen children's cards: the sheet holds exactly W001's new and W002's codes.
  await rowOf('W001').locator('[data-testid="card-pick"]').check();
  await rowOf('W002').locator('[data-testid="card-pick"]').check();
  const { file, name } = await downloadBy(page, tid(page, 'print-chosen'));
  assert.equal(name, `cards-${SITE}.pdf`);
  const codes = qrCodes(file);
  assert.equal(codes.length, 2, `two codes on the sheet: ${codes}`);
  assert.ok(!codes.includes(env.WARD_CARD_CODE));
  const text = pdfText(file);
  assert.ok(text.includes(KIDS.W001) && text.includes(KIDS.W002), text);
  assert.ok(!text.includes(KIDS.W003));
  const scanned = [];
  for (const code of codes) {
    const r = await kioskScan(env.WARD_KIOSK_TOKEN, code);
    assert.equal(r.status, 200, `a printed card works at the kiosk: ${JSON.stringify(r.data)}`);
    scanned.push(r.data.child_name);
  }
  assert.deepEqual(scanned.sort(), [KIDS.W001, KIDS.W002].sort());
  // The download may be saved before the page has written its line (the reissue's is still up).
  await eventually(async () => /受け渡し台帳/.test(await tid(page, 'cards-done').innerText()),
    { message: 'the ledger line after the print' });
  const ledger = (await admin.get('/api/v1/ledger')).data.ledger;
  assert.equal(ledger[ledger.length - 1].content, `cards ${SITE} pdf (chosen children)`);
  assert.equal(ledger[ledger.length - 1].records, 2);

  // Choosing nobody says so.
  await rowOf('W001').locator('[data-testid="card-pick"]').uncheck();
  await rowOf('W002').locator('[data-testid="card-pick"]').uncheck();
  await tid(page, 'print-chosen').click();
  await tid(page, 'cards-message').waitFor();
  await checkA11y(page, 'cards with a message');

  await page.setViewportSize(PHONE.viewport);
  await shot(page, 'ward-cards-phone');
  await checkA11y(page, 'cards on a phone');
  assertNoProblems(page);
  await page.context().close();
});

test('kiosks: a new kiosk\'s token is shown once and works; revoked, it stops at once', { timeout: 120000 }, async () => {
  const page = await newPage(browser, PHONE);
  await signIn(page, `${env.URL}/ward/kiosks.html`, env.ADMIN_LOGIN);
  await tid(page, 'kiosk-add-site').waitFor();
  await page.waitForFunction((c) => [...document.querySelectorAll('#add-site option')].some((o) => o.value === c), SITE);
  await checkA11y(page, 'kiosks on a phone');
  // Without a site: a message.
  await tid(page, 'kiosk-add').click();
  await tid(page, 'kiosks-message').waitFor();
  await tid(page, 'kiosk-add-site').selectOption(SITE);
  await tid(page, 'kiosk-add-label').fill(`受付 ${TAG}`);
  await tid(page, 'kiosk-add').click();
  await tid(page, 'kiosk-token-box').waitFor();
  const token = (await tid(page, 'kiosk-token').innerText()).trim();
  assert.match(token, /^[A-Za-z0-9_-]{40,}$/);
  await shot(page, 'ward-kiosk-token-phone');
  await checkA11y(page, 'kiosks with a new token');
  const k = await fetch(`${env.URL}/api/v1/kiosk`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(k.status, 200, 'the new token works');
  // After a reload the token is gone from the page: shown once.
  await page.reload();
  await tid(page, 'kiosk-row').first().waitFor();
  assert.ok(await tid(page, 'kiosk-token-box').isHidden());
  assert.ok(!(await page.content()).includes(token));

  const row = tid(page, 'kiosk-row').filter({ hasText: `受付 ${TAG}` });
  assert.equal(await row.getAttribute('data-active'), 'true');
  await row.locator('[data-testid="kiosk-revoke"]').click();
  await tid(page, 'confirm-ok').click();
  await eventually(async () => (await row.getAttribute('data-active')) === 'false', { message: 'the kiosk revoked' });
  const r = await fetch(`${env.URL}/api/v1/kiosk`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 401, 'a revoked token is refused at once');
  const list = (await admin.get(`/api/v1/kiosks?site=${SITE}`)).data.kiosks;
  assert.ok(list.find((x) => x.label === `受付 ${TAG}`).revoked_at);
  assert.ok(list.some((x) => !x.revoked_at), 'the other kiosk of the site is untouched');

  await page.setViewportSize(DESKTOP.viewport);
  await shot(page, 'ward-kiosks-desktop');
  await checkA11y(page, 'kiosks on a desktop');
  assertNoProblems(page);
  await page.context().close();
});

test('users: a new account\'s first password must be changed; lock, reset, role and retirement', { timeout: 240000 }, async () => {
  const login = `browser.${TAG}`;
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/ward/users.html`, env.ADMIN_LOGIN);
  await tid(page, 'user-row').first().waitFor();
  await checkA11y(page, 'users');

  // Add a site staff member of the ward site, by keyboard.
  await tid(page, 'user-add-login').focus();
  await page.keyboard.type(login);
  await tid(page, 'user-add-role').selectOption('site_staff');
  await page.locator(`[data-testid="add-site-${SITE}"]`).focus();
  await page.keyboard.press('Space');
  await tid(page, 'user-add-login').focus();
  await page.keyboard.press('Enter');
  await tid(page, 'password-box').waitFor();
  const first = (await tid(page, 'new-password').innerText()).trim();
  assert.ok(first.length >= 16, first);
  await shot(page, 'ward-users-new-password');
  await checkA11y(page, 'users with a new password');
  let users = (await admin.get('/api/v1/users')).data.users;
  let u = users.find((x) => x.login === login);
  assert.deepEqual([u.role, u.sites, u.must_change_password], ['site_staff', [SITE], true]);

  // The person signs in with it at the staff board and is taken to the change screen.
  const person = await newPage(browser, PHONE);
  await signIn(person, `${env.URL}/staff/`, login, first);
  await person.waitForURL(/\/staff\/password\.html/);
  await tid(person, 'password-required').waitFor();
  await checkA11y(person, 'the password change on a phone');
  await shot(person, 'staff-password-required-phone');
  await tid(person, 'password-current').fill(first);
  await tid(person, 'password-new').fill('short');
  await tid(person, 'password-again').fill('short');
  await tid(person, 'password-save').click();
  await tid(person, 'password-message').waitFor();
  await checkA11y(person, 'the password change with an error');
  const chosen = `mine-${TAG}-password`;
  await tid(person, 'password-new').fill(chosen);
  await tid(person, 'password-again').fill(chosen);
  await tid(person, 'password-again').press('Enter');
  await tid(person, 'password-done').waitFor();
  // Back to the board, with the ward site's children.
  await person.waitForURL(/\/staff\/(#.*)?$/, { timeout: 20000 });
  // (On a phone only the chosen count's group shows: the row is there, maybe not visible.)
  await person.locator('[data-testid="child"]').filter({ hasText: KIDS.W003 }).first().waitFor({ state: 'attached', timeout: 15000 });
  assertNoProblems(person);
  u = (await admin.get('/api/v1/users')).data.users.find((x) => x.login === login);
  assert.equal(u.must_change_password, false);
  const mine = await userApi(env, login, chosen);
  assert.equal((await mine.get(`/api/v1/sites/${SITE}/board`)).status, 200);

  // Lock: the open session ends at once. Unlock: signs in again.
  await page.reload();
  const row = page.locator(`[data-testid="user-row"][data-login="${login}"]`);
  await row.waitFor();
  await row.locator('[data-testid="user-lock"]').click();
  await tid(page, 'confirm-ok').click();
  await eventually(async () => /ロック中/.test(await row.locator('[data-testid="user-state"]').innerText()), { message: 'locked' });
  assert.equal((await mine.get('/api/v1/session')).status, 401);
  await row.locator('[data-testid="user-unlock"]').click();
  await eventually(async () => /有効/.test(await row.locator('[data-testid="user-state"]').innerText()), { message: 'unlocked' });
  const again = await userApi(env, login, chosen);
  assert.equal((await again.get('/api/v1/session')).status, 200);

  // Role and sites through the dialog: ward staff see every site.
  await row.locator('[data-testid="user-edit"]').click();
  await tid(page, 'edit-dialog').waitFor();
  await checkA11y(page, 'users: the role dialog');
  await tid(page, 'edit-role').selectOption('ward_staff');
  await tid(page, 'edit-save').click();
  await eventually(async () => (await row.locator('[data-testid="user-role"]').innerText()) === '区職員', { message: 'the new role' });
  u = (await admin.get('/api/v1/users')).data.users.find((x) => x.login === login);
  assert.deepEqual([u.role, u.sites], ['ward_staff', []]);

  // Reset: a new password shown once; the old one is refused; it must be changed again.
  await row.locator('[data-testid="user-reset"]').click();
  await tid(page, 'confirm-ok').click();
  await tid(page, 'password-box').waitFor();
  const second = (await tid(page, 'new-password').innerText()).trim();
  assert.notEqual(second, first);
  const old = await fetch(`${env.URL}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login, password: chosen }) });
  assert.equal(old.status, 401);
  assert.equal((await again.get('/api/v1/session')).status, 401, 'the reset ended the sessions');
  const fresh = await userApi(env, login, second);
  const refused = await fresh.get('/api/v1/sites');
  assert.equal(refused.status, 403);
  assert.equal(refused.data.code, 'password_change_required');

  // Retire (廃止): for good, after a confirmation; the row goes last, marked, without actions.
  await row.locator('[data-testid="user-retire"]').click();
  await tid(page, 'confirm-dialog').waitFor();
  assert.match(await tid(page, 'confirm-dialog').innerText(), /元に戻せません/);
  await checkA11y(page, 'users: confirm the retirement');
  await tid(page, 'confirm-ok').click();
  const retired = page.locator(`[data-testid="user-row"][data-user-id="${u.id}"]`);
  await eventually(async () => /廃止/.test(await retired.locator('[data-testid="user-state"]').innerText()), { message: 'retired' });
  assert.equal(await retired.locator('button').count(), 0);
  assert.equal(await tid(page, 'user-row').last().getAttribute('data-user-id'), String(u.id));
  assert.equal((await fresh.get('/api/v1/session')).status, 401, 'the retirement ended the session');
  u = (await admin.get('/api/v1/users')).data.users.find((x) => x.id === u.id);
  assert.deepEqual([u.login, u.retired], [`retired:${u.id}`, true]);
  await checkA11y(page, 'users with a retired account');
  await page.setViewportSize(PHONE.viewport);
  await shot(page, 'ward-users-phone');
  await checkA11y(page, 'users on a phone');
  assertNoProblems(page);
  await page.context().close();
  await person.context().close();
});

test('site staff get a clear refusal of the ward pages', { timeout: 120000 }, async () => {
  const page = await newPage(browser, PHONE);
  await signIn(page, `${env.URL}/ward/`, env.STAFF_LOGIN);
  await tid(page, 'denied').waitFor();
  assert.match(await tid(page, 'denied').innerText(), /区の管理者/);
  await checkA11y(page, 'ward home refused to site staff');
  // Their menu offers only what they may use.
  const links = await page.locator('#ward-nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, ['/staff/reports.html', '/staff/']);
  assertNoProblems(page);
  await page.context().close();
});
