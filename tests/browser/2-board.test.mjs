// Staff page: sign-in, site selector, live board (polling), sign-out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireEnv, launch, newPage, shot, assertNoProblems, apiScan, checkA11y, DESKTOP, PHONE } from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_KIOSK_TOKEN', 'MIMAMORI_CARD_CODE', 'MIMAMORI_CHILD_NAME',
  'MIMAMORI_STAFF_LOGIN', 'MIMAMORI_STAFF_PASSWORD', 'MIMAMORI_SITE_CODE']);
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

async function signIn(page, login, password) {
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(password);
  await tid(page, 'login-submit').click();
}

test('staff: a wrong password shows a plain message', { timeout: 120000 }, async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(`${env.URL}/staff/`);
  await shot(page, 'staff-login-phone');
  await signIn(page, env.STAFF_LOGIN, `${env.STAFF_PASSWORD}-wrong`);
  await tid(page, 'login-error').waitFor({ state: 'visible' });
  assert.ok((await tid(page, 'login-error').innerText()).trim().length > 0);
  assert.ok(await tid(page, 'board').isHidden());
  await shot(page, 'staff-login-error-phone');
  assertNoProblems(page);
  await page.context().close();
});

test('staff: sign in, choose the site, the board shows the scanned child as present', { timeout: 180000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  const csrfHeaders = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/') && r.method() !== 'GET') {
      csrfHeaders.push({ method: r.method(), url: r.url(), csrf: r.headers()['x-csrf-token'] || null });
    }
  });
  await page.goto(`${env.URL}/staff/`);
  await signIn(page, env.STAFF_LOGIN, env.STAFF_PASSWORD);

  const select = tid(page, 'site-select');
  await select.waitFor({ state: 'visible' });
  await page.waitForFunction((code) => [...document.querySelectorAll('[data-testid="site-select"] option')]
    .some((o) => o.value === code), env.SITE_CODE);
  await select.selectOption(env.SITE_CODE);
  await tid(page, 'board').waitFor({ state: 'visible' });

  const row = tid(page, 'child').filter({ hasText: env.CHILD_NAME });
  await row.first().waitFor({ state: 'attached' });
  const before = await row.first().getAttribute('data-status');
  // Without a plan for today and before the scan the child is "off" (予定なし).
  assert.ok(['not_arrived', 'expected', 'present', 'left', 'absent', 'off'].includes(before),
    `row status is known: ${before}`);
  assert.ok(await row.first().getAttribute('data-child-no'), 'row has data-child-no');

  // Mark the page: if it reloaded, the mark would be gone.
  await page.evaluate(() => { window.__noReload = true; });

  // The kiosk test (run first) normally scanned the card already, so the child
  // is present. If not, scan through the API (as a kiosk would) and watch the
  // board change by itself. A scan while already present is avoided on purpose:
  // more than 60 s after the first one it would record 退室.
  if (before !== 'present') {
    const scan = await apiScan(env, env.CARD_CODE);
    assert.equal(scan.status, 200, `scan answered ${scan.status}: ${scan.text}`);
    assert.equal(scan.data.child_name, env.CHILD_NAME);
    assert.equal(scan.data.direction, 'in', `direction: ${scan.text}`);
    assert.ok(scan.data.recorded === true || scan.data.reason === 'duplicate', scan.text);
  }

  // The board refreshes by itself (every 3 s) and shows the child as present.
  await page.locator(`[data-testid="child"][data-status="present"]`, { hasText: env.CHILD_NAME })
    .first().waitFor({ state: 'attached', timeout: 12000 });
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the board updated without a reload');
  const present = Number(await tid(page, 'count-present').innerText());
  assert.ok(present >= 1, `present count is at least 1 (got ${present})`);
  await shot(page, 'staff-board-desktop');
  await checkA11y(page, 'staff board (1280 px)');

  // Phone layout: the six counts are tabs (未到着 / 予定 / 在室 / 退室 / 欠席 / 予定なし).
  await page.setViewportSize(PHONE.viewport);
  await page.locator(`[data-testid="child"][data-status="present"]`, { hasText: env.CHILD_NAME }).first()
    .waitFor({ state: 'visible' });
  await shot(page, 'staff-board-phone');
  await checkA11y(page, 'staff board (390 px)');
  await page.locator('.count[data-tab="not_arrived"]').click();
  await shot(page, 'staff-board-phone-not-arrived');
  await page.setViewportSize(DESKTOP.viewport);

  // A reload keeps the session (cookie) and the chosen site.
  await page.reload();
  await page.locator(`[data-testid="child"][data-status="present"]`, { hasText: env.CHILD_NAME })
    .first().waitFor({ state: 'attached' });

  // Sign out (DELETE with the CSRF header) → back to the sign-in form.
  await tid(page, 'signout').click();
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  assert.ok(await tid(page, 'board').isHidden());
  const del = csrfHeaders.find((h) => h.method === 'DELETE');
  assert.ok(del, 'a DELETE /api/v1/session was sent');
  for (const h of csrfHeaders.filter((x) => x.url.endsWith('/api/v1/session') && x.method === 'DELETE')) {
    assert.ok(h.csrf, 'DELETE carries X-CSRF-Token');
  }
  // Signed out for real: a reload shows the sign-in form.
  await page.reload();
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  assertNoProblems(page);
  await page.context().close();
});
