// Staff page: sign-in, site selector, live board (polling), sign-out; the board follows the
// address (#site=…): Back and Forward over the sites chosen, a second alert link opened in the
// same tab, and an unknown site said in Japanese with the site list still usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, apiScan, checkA11y, eventually, userApi, DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_KIOSK_TOKEN', 'MIMAMORI_CARD_CODE', 'MIMAMORI_CHILD_NAME',
  'MIMAMORI_STAFF_LOGIN', 'MIMAMORI_STAFF_PASSWORD', 'MIMAMORI_SITE_CODE', 'MIMAMORI_SECOND_SITE_CODE',
  'MIMAMORI_ADMIN_LOGIN']);
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

/** Waits until the board shows site code (the select, the title, the address), named as the
 * API names it, and returns the page's URL then. */
async function boardShows(page, code, name) {
  await eventually(async () => (await tid(page, 'site-select').inputValue()) === code
    && await tid(page, 'board').isVisible()
    && (await page.locator('#board-title').innerText()).trim() === name
    && new URL(page.url()).hash === `#site=${code}`,
  { message: () => `the board of ${code} at #site=${code} (now ${page.url()})` });
}

/** Opens url in the page as a link would in the same tab (only the part after # changes). */
async function openInTab(page, url) {
  await page.evaluate((u) => { location.href = u; }, url);
}

test('staff: the board follows the address — Back/Forward, a second alert link, an unknown site', { timeout: 180000 }, async () => {
  const SITE = env.SITE_CODE;
  const SECOND = env.SECOND_SITE_CODE;
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const sites = (await admin.get('/api/v1/sites')).data.sites;
  const name = (code) => sites.find((s) => s.code === code).name;
  const page = await newPage(browser, DESKTOP);
  try {
    await page.goto(`${env.URL}/staff/#site=${SITE}`);
    await signIn(page, env.ADMIN_LOGIN, env.STAFF_PASSWORD);
    await boardShows(page, SITE, name(SITE));
    const child = page.locator('[data-testid="child"]', { hasText: env.CHILD_NAME });
    await child.first().waitFor({ state: 'attached' });
    await page.evaluate(() => { window.__noReload = true; });

    // Chosen on the page: a new address, so Back returns to the site before — board and all.
    await tid(page, 'site-select').selectOption(SECOND);
    await boardShows(page, SECOND, name(SECOND));
    await eventually(async () => (await child.count()) === 0, { message: `${env.CHILD_NAME} gone from the ${SECOND} board` });
    await page.goBack();
    await boardShows(page, SITE, name(SITE));
    await child.first().waitFor({ state: 'attached' });
    await page.goForward();
    await boardShows(page, SECOND, name(SECOND));
    await eventually(async () => (await child.count()) === 0, { message: `the ${SECOND} board after Forward` });

    // A second alert link in the same tab: that site's board with the alert opened (or the
    // note that it has been resolved); the address keeps the site only.
    await openInTab(page, `${env.URL}/staff/#site=${SITE}&alert=not_arrived`);
    await boardShows(page, SITE, name(SITE));
    await child.first().waitFor({ state: 'attached' });
    await eventually(async () => (await page.locator('[data-testid="alerts"][open]').isVisible())
      || /メールでお知らせした未到着/.test(await tid(page, 'board-notice').innerText()),
    { message: 'the linked alert opened or said resolved' });

    // A site that is not there: said in Japanese, in view; the list still works.
    await openInTab(page, `${env.URL}/staff/#site=ZZZ`);
    const message = tid(page, 'app-message');
    await message.waitFor({ state: 'visible' });
    assert.match(await message.innerText(), /その施設は見つかりません/);
    assert.match(await message.innerText(), /ZZZ/);
    assert.ok(await message.evaluate((e) => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }),
      'the message is in view');
    assert.equal(await tid(page, 'board').isVisible(), false, 'no other site\'s board under it');
    assert.equal(await tid(page, 'site-select').inputValue(), '');
    await checkA11y(page, 'staff board: unknown site');
    await shot(page, 'staff-board-unknown-site');
    await tid(page, 'site-select').selectOption(SECOND);
    await boardShows(page, SECOND, name(SECOND));
    assert.equal(await message.isVisible(), false, 'the message goes with a site chosen');
    // Back to the unknown address: said again.
    await page.goBack();
    await message.waitFor({ state: 'visible' });
    assert.equal(await tid(page, 'board').isVisible(), false);
    assert.equal(await page.evaluate(() => window.__noReload), true, 'all of it without a reload');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('staff: a link to an unknown site, opened before signing in, is said (one-site staff get their own)', { timeout: 120000 }, async () => {
  const page = await newPage(browser, PHONE);
  try {
    await page.goto(`${env.URL}/staff/#site=ZZZ`);
    await signIn(page, env.STAFF_LOGIN, env.STAFF_PASSWORD);
    const message = tid(page, 'app-message');
    await message.waitFor({ state: 'visible' });
    assert.match(await message.innerText(), /その施設は見つかりません/);
    // One site only: nothing to choose, so theirs is shown under the message.
    await tid(page, 'board').waitFor({ state: 'visible' });
    assert.equal(await tid(page, 'site-select').inputValue(), env.SITE_CODE);
    await page.locator('[data-testid="child"]', { hasText: env.CHILD_NAME }).first().waitFor({ state: 'attached' });
    assert.equal(await message.isVisible(), true, 'the message stays once the board is drawn');
    await checkA11y(page, 'staff board: unknown site, one-site staff (390 px)');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});
