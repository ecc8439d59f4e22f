// Guardian e-mail confirmation: loading the page sends nothing; the button confirms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, PHONE, DESKTOP,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_CONFIRM_TOKEN']);
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

function watchApi(page) {
  const calls = [];
  // Reading the ward's words (GET /api/v1/ward, public, changes nothing) is not counted.
  page.on('request', (r) => {
    const call = `${r.method()} ${new URL(r.url()).pathname}`;
    if (r.url().includes('/api/') && call !== 'GET /api/v1/ward') calls.push(call);
  });
  return calls;
}

test('confirm: opening the link sends nothing; the button confirms', { timeout: 120000 }, async () => {
  const page = await newPage(browser, PHONE);
  const calls = watchApi(page);
  await page.goto(`${env.URL}/confirm/?t=${encodeURIComponent(env.CONFIRM_TOKEN)}`, { waitUntil: 'networkidle' });
  const button = tid(page, 'confirm-button');
  await button.waitFor({ state: 'visible' });
  assert.equal((await button.innerText()).trim(), 'メールアドレスを確認する');
  await page.waitForTimeout(500);
  assert.deepEqual(calls, [], 'loading the page must not call the API');
  await shot(page, 'confirm-before');
  await checkA11y(page, 'confirm before the button');
  await page.setViewportSize(DESKTOP.viewport);
  await checkA11y(page, 'confirm before the button at 1280 px');
  await page.setViewportSize(PHONE.viewport);

  await button.click();
  await tid(page, 'confirm-message').filter({ hasText: '確認しました' }).waitFor({ state: 'visible' });
  assert.deepEqual(calls, ['POST /api/v1/confirmations']);
  assert.ok(await button.isHidden(), 'the button is gone after confirming');
  await shot(page, 'confirm-done');
  await checkA11y(page, 'confirm done');
  await page.setViewportSize(DESKTOP.viewport);
  await checkA11y(page, 'confirm done at 1280 px');
  assertNoProblems(page);
  await page.context().close();
});

test('confirm: an unknown token shows a plain error', { timeout: 120000 }, async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(`${env.URL}/confirm/?t=no-such-token-${Date.now()}`);
  await tid(page, 'confirm-button').click();
  const msg = tid(page, 'confirm-message');
  await msg.waitFor({ state: 'visible' });
  assert.ok(!(await msg.innerText()).includes('確認しました'));
  assert.match(await msg.getAttribute('class'), /alert-error/);
  await shot(page, 'confirm-error');
  await checkA11y(page, 'confirm with an unknown token');
  assertNoProblems(page);
  await page.context().close();
});

test('confirm: a link without a token says so and offers no button', { timeout: 120000 }, async () => {
  const page = await newPage(browser, PHONE);
  const calls = watchApi(page);
  await page.goto(`${env.URL}/confirm/`);
  await tid(page, 'confirm-message').waitFor({ state: 'visible' });
  assert.ok(await tid(page, 'confirm-button').isHidden());
  assert.deepEqual(calls, []);
  await checkA11y(page, 'confirm without a token');
  assertNoProblems(page);
  await page.context().close();
});
