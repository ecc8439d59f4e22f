// Kiosk: device-token setup, then scans typed by a "barcode reader" (keyboard only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, KIOSK_SCREEN, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_KIOSK_TOKEN', 'MIMAMORI_CARD_CODE', 'MIMAMORI_CHILD_NAME']);
const IDLE = 'カードをかざしてください';
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

test('kiosk: a wrong device token is refused and nothing is stored', { timeout: 120000 }, async () => {
  const page = await newPage(browser, KIOSK_SCREEN);
  await page.goto(`${env.URL}/kiosk/`);
  await tid(page, 'setup-token').waitFor({ state: 'visible' });
  await page.keyboard.type('not-a-valid-device-token-0000');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await tid(page, 'setup-error').waitFor({ state: 'visible' });
  const msg = await tid(page, 'setup-error').innerText();
  assert.ok(msg.length > 0, 'an error message is shown');
  assert.equal(await page.evaluate(() => localStorage.getItem('mimamori.kiosk.token')), null);
  assert.ok(await tid(page, 'kiosk-input').isHidden(), 'the scan screen is not shown');
  await shot(page, 'kiosk-setup-error');
  await checkA11y(page, 'kiosk setup with a refused token');
  assertNoProblems(page);
  await page.context().close();
});

test('kiosk: set up, then scan a card with the keyboard only', { timeout: 180000 }, async () => {
  const page = await newPage(browser, KIOSK_SCREEN);
  await page.goto(`${env.URL}/kiosk/`);

  // One-time setup, keyboard only: the token field has focus.
  await tid(page, 'setup-token').waitFor({ state: 'visible' });
  await shot(page, 'kiosk-setup');
  await checkA11y(page, 'kiosk setup');
  await page.keyboard.type(env.KIOSK_TOKEN);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');

  // Scan screen: site name, idle prompt, focused input.
  await tid(page, 'kiosk-message').filter({ hasText: IDLE }).waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => localStorage.getItem('mimamori.kiosk.token')), env.KIOSK_TOKEN);
  await page.waitForFunction(() => document.querySelector('[data-testid="kiosk-site"]').textContent.trim() !== '');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'kiosk-input', 'the input has focus');
  await shot(page, 'kiosk-idle');
  await checkA11y(page, 'kiosk ready');

  // Focus is kept: even if something steals it, typed keys go to the input.
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.type(env.CARD_CODE, { delay: 5 });
  await page.keyboard.press('Enter');

  await tid(page, 'kiosk-name').filter({ hasText: env.CHILD_NAME }).waitFor({ state: 'visible' });
  assert.equal((await tid(page, 'kiosk-name').innerText()).trim(), env.CHILD_NAME);
  assert.equal((await tid(page, 'kiosk-direction').innerText()).trim(), '入室');
  assert.match((await tid(page, 'kiosk-time').innerText()).trim(), /^\d{1,2}:\d{2}$/);
  // A fresh scan shows "in"; if another test scanned the same card within 60 s
  // the server answers "duplicate" (still the child's name and 入室).
  const state = await tid(page, 'kiosk-result').getAttribute('data-state');
  assert.ok(['in', 'duplicate'].includes(state), `result state is in/duplicate, got ${state}`);
  await shot(page, state === 'in' ? 'kiosk-in' : 'kiosk-duplicate');
  await checkA11y(page, `kiosk scan result (${state})`);

  // The same card again within 60 s: a calm duplicate notice, nothing recorded.
  await page.keyboard.type(env.CARD_CODE, { delay: 5 });
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="kiosk-result"]').dataset.state === 'duplicate');
  assert.equal((await tid(page, 'kiosk-name').innerText()).trim(), env.CHILD_NAME);
  assert.ok((await tid(page, 'kiosk-message').innerText()).trim().length > 0);
  await shot(page, 'kiosk-duplicate');
  await checkA11y(page, 'kiosk duplicate scan');

  // An unknown card: a plain error message.
  await page.keyboard.type('NO-SUCH-CARD-0000000', { delay: 5 });
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="kiosk-result"]').dataset.state === 'error');
  const err = (await tid(page, 'kiosk-message').innerText()).trim();
  assert.ok(err.length > 0 && err !== IDLE, 'an error message is shown');
  assert.ok(await tid(page, 'kiosk-name').isHidden());
  await shot(page, 'kiosk-error');
  await checkA11y(page, 'kiosk unknown card');

  // After about 5 s the screen returns to the prompt.
  await tid(page, 'kiosk-message').filter({ hasText: IDLE }).waitFor({ state: 'visible', timeout: 9000 });

  // The token is remembered across a reload.
  await page.reload();
  await tid(page, 'kiosk-message').filter({ hasText: IDLE }).waitFor({ state: 'visible' });
  assert.ok(await tid(page, 'setup-token').isHidden());
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'kiosk-input');

  // Phone-sized screen too (a tablet/phone used as kiosk).
  await page.setViewportSize(PHONE.viewport);
  await shot(page, 'kiosk-idle-phone');
  await checkA11y(page, 'kiosk ready at 390 px');

  // Reset asks first; cancelling keeps the token, accepting clears it.
  page.once('dialog', (d) => d.dismiss());
  await tid(page, 'kiosk-reset').click();
  assert.equal(await page.evaluate(() => localStorage.getItem('mimamori.kiosk.token')), env.KIOSK_TOKEN);
  page.once('dialog', (d) => d.accept());
  await tid(page, 'kiosk-reset').click();
  await tid(page, 'setup-token').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => localStorage.getItem('mimamori.kiosk.token')), null);

  assertNoProblems(page);
  await page.context().close();
});

test('kiosk: a stored token the server rejects sends the kiosk back to setup', { timeout: 120000 }, async () => {
  const page = await newPage(browser, KIOSK_SCREEN);
  await page.goto(`${env.URL}/kiosk/`);
  await page.evaluate(() => localStorage.setItem('mimamori.kiosk.token', 'revoked-token-0000'));
  await page.reload();
  await tid(page, 'setup-error').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'setup-error').innerText(), /設定/);
  await checkA11y(page, 'kiosk setup after a revoked token');
  assert.equal(await page.evaluate(() => localStorage.getItem('mimamori.kiosk.token')), null);
  assertNoProblems(page);
  await page.context().close();
});
