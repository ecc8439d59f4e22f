// SPDX-License-Identifier: MIT
// The ward administrator's backups and erasure pages (issue 19): the backups page shows the
// settings and the last success, makes a backup now (a new successful run and file), and the
// erasure page asks to erase a service, shows it waiting for another administrator (no confirm
// button for the one who asked; the API refuses it with 403 same_person), and cancels it.
// Nothing is erased here: the driver's ward is shared with the other test files (a second
// administrator's confirmation is tests/e2e/test_backup.py's). axe-core on every state, at 390
// and 1280 px; no console errors with the CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, userApi,
  DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_STAFF_LOGIN']);

let browser;
let admin;
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

test('backups: the settings, a backup now, its run and file listed', { timeout: 180000 }, async () => {
  const page = await newPage(browser, PHONE);
  await signIn(page, `${env.URL}/ward/backups.html`, env.ADMIN_LOGIN);
  await tid(page, 'backup-dir').waitFor();
  await eventually(async () => (await tid(page, 'backup-dir').innerText()).includes('backups'), { message: 'the settings shown' });
  await checkA11y(page, 'backups on a phone');
  const runsBefore = (await admin.get('/api/v1/backups')).data.runs.length;
  await tid(page, 'backup-now').click();
  await eventually(async () => (await tid(page, 'backups-message').innerText()).includes('バックアップしました'),
    { message: 'the backup made', timeoutMs: 120000 });
  const d = (await admin.get('/api/v1/backups')).data;
  assert.equal(d.runs.length, runsBefore + 1);
  assert.equal(d.runs[0].ok, true);
  assert.equal(d.runs[0].how, 'screen');
  assert.ok(d.last_success);
  assert.equal(await tid(page, 'backup-run').first().getAttribute('data-ok'), 'true');
  assert.ok((await tid(page, 'backup-last').innerText()).includes('この画面'));
  assert.ok(await tid(page, 'backup-file').count() >= 1);
  await shot(page, 'ward-backups-phone');
  await checkA11y(page, 'backups after a backup');
  await page.setViewportSize(DESKTOP.viewport);
  await checkA11y(page, 'backups on a desktop');
  assertNoProblems(page);
  await page.context().close();
});

test('erasure: asked, waiting for another administrator, cancelled', { timeout: 120000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, `${env.URL}/ward/erasure.html`, env.ADMIN_LOGIN);
  await tid(page, 'erasure-service').waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('#service option')].some((o) => o.value === 'course'));
  await checkA11y(page, 'erasure');
  // Without a service: a message.
  await tid(page, 'erasure-ask').click();
  await eventually(async () => (await tid(page, 'erasure-message').innerText()).includes('選んでください'), { message: 'asked to choose' });
  await tid(page, 'erasure-service').selectOption('course');
  assert.ok((await tid(page, 'erasure-items').innerText()).includes('記録項目'));
  await tid(page, 'erasure-ask').click();
  await tid(page, 'confirm-ok').click();
  const row = tid(page, 'erasure-row').first();
  await eventually(async () => (await row.getAttribute('data-state')) === 'pending', { message: 'the request listed' });
  assert.equal(await row.locator('[data-testid="erasure-confirm"]').count(), 0, 'the asker has no confirm button');
  assert.ok((await row.innerText()).includes('別の区の管理者の確認を待っています'));
  await shot(page, 'ward-erasure-pending');
  await checkA11y(page, 'erasure pending');
  const id = Number(await row.getAttribute('data-id'));
  const r = await admin.send('POST', `/api/v1/erasures/${id}/confirm`, {});
  assert.equal(r.status, 403);
  assert.equal(r.data.code, 'same_person');
  const staff = await userApi(env, env.STAFF_LOGIN);
  assert.equal((await staff.get('/api/v1/erasures')).status, 403);
  await row.locator('[data-testid="erasure-cancel"]').click();
  await eventually(async () => (await row.getAttribute('data-state')) === 'cancelled', { message: 'the request cancelled' });
  const list = (await admin.get('/api/v1/erasures')).data.erasures;
  assert.equal(list.find((x) => x.id === id).state, 'cancelled');
  await page.setViewportSize(PHONE.viewport);
  await checkA11y(page, 'erasure on a phone');
  assertNoProblems(page);
  await page.context().close();
});
