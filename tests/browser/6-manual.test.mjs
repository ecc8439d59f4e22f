// SPDX-License-Identifier: MIT
// Staff page: manual entry/exit for a forgotten card — the 手入力 button opens a dialog with a
// required reason; recording moves the child's row and marks it 手入力.
// Runs after 5-offline, which makes the offline children present; so the child here gets a
// manual 退室 if present (the usual case) or a manual 入室 otherwise (e.g. "off": no plan today).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requireEnv, launch, newPage, shot, assertNoProblems, DESKTOP } from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_STAFF_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_SITE_CODE', 'MIMAMORI_OFFLINE_NAMES']);
// The last offline child: no other test scans it after 5-offline.
const NAME = env.OFFLINE_NAMES.split(',').map((c) => c.trim()).at(-1);
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

test('staff: 手入力 with a reason records the entry/exit, the row moves and shows 手入力', { timeout: 180000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/manual-scans')) {
      posts.push({ csrf: r.headers()['x-csrf-token'] || null, body: JSON.parse(r.postData() || 'null') });
    }
  });
  try {
    await page.goto(`${env.URL}/staff/`);
    await tid(page, 'login-id').waitFor({ state: 'visible' });
    await tid(page, 'login-id').fill(env.STAFF_LOGIN);
    await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
    await tid(page, 'login-submit').click();
    await tid(page, 'board').waitFor({ state: 'visible' });

    const row = tid(page, 'child').filter({ hasText: NAME }).first();
    await row.waitFor({ state: 'attached' });
    const before = await row.getAttribute('data-status');
    assert.ok(['not_arrived', 'expected', 'present', 'left', 'absent', 'off'].includes(before),
      `row status is known: ${before}`);
    const direction = before === 'present' ? 'out' : 'in';
    const verb = direction === 'in' ? '入室' : '退室';
    const after = direction === 'in' ? 'present' : 'left';

    const button = row.locator('[data-testid="manual-button"]');
    assert.equal(await button.getAttribute('data-direction'), direction);
    assert.match(await button.innerText(), new RegExp(`手入力（${verb}）`));
    await button.click();
    const dialog = page.locator('dialog[data-testid="manual-dialog"]');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.innerText(), new RegExp(NAME.replace(/\s/g, '\\s')));
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'manual-reason',
      'the reason field has focus');
    await shot(page, 'staff-manual-dialog');

    // No reason: refused on the page, nothing sent.
    await tid(page, 'manual-submit').click();
    await tid(page, 'manual-error').waitFor({ state: 'visible' });
    assert.match(await tid(page, 'manual-error').innerText(), /理由/);
    assert.equal(posts.length, 0, 'nothing is sent without a reason');

    // やめる closes without recording.
    await tid(page, 'manual-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await row.getAttribute('data-status'), before);

    // Again, with a reason.
    await row.locator('[data-testid="manual-button"]').click();
    await dialog.waitFor({ state: 'visible' });
    await tid(page, 'manual-reason').fill('カードを家に忘れたため（保護者から連絡あり）');
    await tid(page, 'manual-submit').click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(posts.length, 1, 'one POST');
    assert.ok(posts[0].csrf, 'the POST carries X-CSRF-Token');
    assert.equal(posts[0].body.direction, direction);

    const moved = page.locator(`[data-testid="child"][data-status="${after}"]`, { hasText: NAME }).first();
    await moved.waitFor({ state: 'attached', timeout: 8000 });
    const mark = moved.locator('[data-testid="manual-mark"]');
    await mark.waitFor({ state: 'attached' });
    assert.equal((await mark.innerText()).trim(), '手入力');
    // The button now offers the other direction.
    assert.equal(await moved.locator('[data-testid="manual-button"]').getAttribute('data-direction'),
      direction === 'in' ? 'out' : 'in');
    await shot(page, 'staff-manual-recorded');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});
