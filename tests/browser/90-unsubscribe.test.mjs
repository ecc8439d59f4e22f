// SPDX-License-Identifier: MIT
// Unsubscribing from bulk mail (the List-Unsubscribe link) on a phone: an emergency mail in
// the Maildir carries List-Unsubscribe (one-click URL and mailto) and a footer link; opening
// the link lands on /unsubscribe/ and changes nothing until the button is pressed; pressing it
// needs no sign-in; a second press says it was already done; a broken link says so; and the
// next emergency send reaches everyone else but not this guardian.
// Runs last (90-): the guardian stays unsubscribed from emergency mail afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, mailsTo, userApi, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_SITE_CODE', 'MIMAMORI_MAILDIR', 'MIMAMORI_PARENT_EMAIL', 'MIMAMORI_CONFIRM_TOKEN']);

const TAG = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Sends an emergency mail to the site as the ward admin; returns its recipient count. */
async function emergency(admin, subject) {
  const r = await admin.send('POST', '/api/v1/emergency-sends',
    { sites: [env.SITE_CODE], subject, body: `本日は15時で閉所します（${TAG}）。` });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.data.state, 'sent', r.text);
  return r.data.recipients;
}

/** The guardian's mails whose body holds the tag, newest last. */
const tagged = (tag) => mailsTo(env, env.PARENT_EMAIL).filter((m) => m.body.includes(tag));

test('a guardian unsubscribes from emergency mail through the link, without signing in', { timeout: 90000 }, async () => {
  // The site's main child's guardian too (3-confirm may have confirmed it already), so the
  // last send below still has someone to reach.
  const c = await fetch(`${env.URL}/api/v1/confirmations`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: env.CONFIRM_TOKEN }) });
  assert.ok([200, 404, 410].includes(c.status), `confirmation answered ${c.status}`);
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const first = await emergency(admin, `【緊急】閉所のお知らせ（${TAG}）`);
  assert.ok(first >= 2, `the site has more than one confirmed guardian (${first})`);
  // The body names the send, so the mail can be found without decoding the subject.
  const mail = await eventually(() => tagged(`閉所します（${TAG}）`).at(-1),
    { timeoutMs: 20000, message: 'the emergency mail in the Maildir' });
  const h = mail.headers['list-unsubscribe'] || '';
  const url = (h.match(/<(https?:\/\/[^>]+\/api\/v1\/unsubscribe\/[0-9]+-[0-9a-f]+)>/) || [])[1];
  assert.ok(url, `List-Unsubscribe has the one-click URL: ${h}`);
  assert.match(h, /<mailto:unsubscribe\+[0-9]+-[0-9a-f]+@[^?>]+\?subject=unsubscribe>/);
  assert.equal(mail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
  assert.ok(mail.body.includes(`このメールの配信停止: ${url}`), 'the footer names the link');

  const page = await newPage(browser, PHONE);
  try {
    // Opening the link only shows the page (a GET changes nothing).
    await page.goto(url);
    assert.match(page.url(), /\/unsubscribe\/\?t=[0-9]+-[0-9a-f]+$/);
    await tid(page, 'unsubscribe-button').waitFor({ state: 'visible' });
    await shot(page, 'unsubscribe-ask');
    await checkA11y(page, 'unsubscribe before the button');
    await tid(page, 'unsubscribe-button').click();
    await eventually(async () => /配信を停止しました/.test(await tid(page, 'unsubscribe-message').textContent()),
      { message: 'the done message' });
    assert.match(await tid(page, 'unsubscribe-message').textContent(), /緊急メール/);
    assert.equal(await tid(page, 'unsubscribe-button').isVisible(), false);
    assert.doesNotMatch(page.url(), /t=/, 'the token leaves the address bar');
    await shot(page, 'unsubscribe-done');
    await checkA11y(page, 'unsubscribe done');

    // The same link again: already done.
    await page.goto(url);
    await tid(page, 'unsubscribe-button').click();
    await eventually(async () => /すでに停止/.test(await tid(page, 'unsubscribe-message').textContent()),
      { message: 'the already-done message' });
    await checkA11y(page, 'unsubscribe already done');

    // A broken link: a clear message, and no button without a token.
    await page.goto(`${env.URL}/unsubscribe/?t=1-${'0'.repeat(32)}`);
    await tid(page, 'unsubscribe-button').click();
    await eventually(async () => /このリンクは使えません/.test(await tid(page, 'unsubscribe-message').textContent()),
      { message: 'the broken-link message' });
    await checkA11y(page, 'unsubscribe with a broken link');
    await page.goto(`${env.URL}/unsubscribe/`);
    assert.match(await tid(page, 'unsubscribe-message').textContent(), /リンクが正しくありません/);
    assert.equal(await tid(page, 'unsubscribe-button').isVisible(), false);
    await checkA11y(page, 'unsubscribe without a token');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }

  // The next send reaches the others but not this guardian.
  const marker = `台風${TAG}`;
  const r = await admin.send('POST', '/api/v1/emergency-sends',
    { sites: [env.SITE_CODE], subject: `【緊急】お知らせ（${TAG}）`, body: `${marker}のため閉所します。` });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.data.recipients, first - 1, r.text);
  await new Promise((res) => setTimeout(res, 2000));
  assert.equal(tagged(marker).length, 0, 'no mail to the unsubscribed guardian');
});
