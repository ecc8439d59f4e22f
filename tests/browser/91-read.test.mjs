// SPDX-License-Identifier: MIT
// Read confirmation of bulk mail (「読みました」, issue 13) on a phone: an emergency mail sent
// with read confirmation carries a link to /read/; opening it changes nothing until the button
// is pressed; pressing it needs no sign-in and counts once (the send's view says 1 read); a
// second press says it was already done; a broken link says so. axe-core on each state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, eventually, mailsTo, userApi, checkA11y,
  focusOf, inView, PHONE, DESKTOP,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_SITE_CODE', 'MIMAMORI_MAILDIR', 'MIMAMORI_PARENT_EMAIL', 'MIMAMORI_CONFIRM_TOKEN']);

const TAG = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a guardian says 読みました through the link, once, without signing in', { timeout: 180000 }, async () => {
  await fetch(`${env.URL}/api/v1/confirmations`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: env.CONFIRM_TOKEN }) });
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const r = await admin.send('POST', '/api/v1/emergency-sends', {
    sites: [env.SITE_CODE], subject: `【緊急】確認のお願い（${TAG}）`,
    body: `明日は休所します（${TAG}）。`, read_confirm: true });
  assert.equal(r.status, 201, r.text);
  const mail = await eventually(() => mailsTo(env, env.PARENT_EMAIL).find((m) => m.body.includes(TAG)),
    { timeoutMs: 30000, message: 'the mail with the read link' });
  const link = mail.body.match(/(https?:\/\/\S+\/read\/\?t=[0-9]+-[0-9a-f]+)/)[1];
  for (const viewport of [PHONE, DESKTOP]) {
    const page = await newPage(browser, viewport);
    try {
      await page.goto(link.replace(/^https?:\/\/[^/]+/, env.URL));
      await tid(page, 'read-button').waitFor({ state: 'visible' });
      await checkA11y(page, `read page before the button (${viewport.viewport.width} px)`);
      if (viewport === PHONE) await shot(page, 'read-ask');
      await tid(page, 'read-button').press('Enter');
      const want = viewport === PHONE ? /伝えました/ : /すでに/;
      await eventually(async () => want.test(await tid(page, 'read-message').textContent()),
        { message: 'the answer' });
      assert.equal(await tid(page, 'read-button').isVisible(), false);
      // the pressed button is gone: the focus goes to the answer, not to <body>
      assert.equal((await focusOf(page)).testid, 'read-message', 'the focus on the answer after 読みました');
      assert.equal(await inView(tid(page, 'read-message')), true, 'the answer in view');
      assert.doesNotMatch(page.url(), /t=/, 'the token leaves the address bar');
      await checkA11y(page, `read page after the button (${viewport.viewport.width} px)`);
      if (viewport === PHONE) await shot(page, 'read-done');
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  }
  const view = await admin.send('GET', `/api/v1/emergency-sends/${r.data.id}`);
  assert.equal(view.data.reads, 1, view.text);
  const page = await newPage(browser, PHONE);
  try {
    await page.goto(`${env.URL}/read/?t=1-${'0'.repeat(32)}`);
    await tid(page, 'read-button').press('Enter');
    await eventually(async () => /このリンクは使えません/.test(await tid(page, 'read-message').textContent()),
      { message: 'the broken-link message' });
    assert.equal((await focusOf(page)).testid, 'read-message', 'the focus on the refusal');
    await checkA11y(page, 'read page with a broken link');
    await page.goto(`${env.URL}/read/`);
    assert.match(await tid(page, 'read-message').textContent(), /リンクが正しくありません/);
    await checkA11y(page, 'read page without a token');
  } finally {
    await page.context().close();
  }
});
