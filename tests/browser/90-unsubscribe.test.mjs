// SPDX-License-Identifier: MIT
// Unsubscribing from bulk mail (the List-Unsubscribe link) on a phone. Whether a list may be
// left is the list's own property: a school notice (queued through the mail layer by the
// driver's POST /bulk) in the Maildir carries List-Unsubscribe (one-click URL and mailto) and a
// footer link; opening the link lands on /unsubscribe/ and changes nothing until the button is
// pressed; pressing it needs no sign-in; a second press says it was already done; a broken link
// says so; the next school notice skips this guardian. Emergency mail carries no link, its
// footer says it cannot be stopped, an old emergency link is refused in Japanese, and the
// guardian who left the school list still gets the next emergency mail. Joining again: the
// page's button mails a confirmation link to the address itself, and that link's page puts
// the guardian back on the list (issue 13).
// Runs last (90-).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, eventually, mailsTo, userApi, control,
  checkA11y, focusOf, inView, PHONE, DESKTOP,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_SITE_CODE', 'MIMAMORI_MAILDIR', 'MIMAMORI_PARENT_EMAIL', 'MIMAMORI_CONFIRM_TOKEN',
  'MIMAMORI_CONTROL_URL']);

const TAG = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Sends an emergency mail to the site as the ward admin; returns its recipient count. */
async function emergency(admin, subject, body) {
  const r = await admin.send('POST', '/api/v1/emergency-sends', { sites: [env.SITE_CODE], subject, body });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.data.state, 'sent', r.text);
  return r.data.recipients;
}

/** Queues a school notice (a list that may be left) to the guardian through the mail layer. */
async function school(n, body) {
  return control(env, 'bulk', {
    send_id: `school:${TAG}${n}`, subject: `学校からのお知らせ（${TAG}${n}）`, body, to: [env.PARENT_EMAIL],
  });
}

/** The answer to a press has the focus and is in view: the pressed button was disabled, then
 * hidden, and the focus must not fall to <body>. */
async function answerFocused(page, what) {
  assert.equal((await focusOf(page)).testid, 'unsubscribe-message', `the focus on the answer after ${what}`);
  assert.equal(await inView(tid(page, 'unsubscribe-message')), true, `the answer to ${what} in view`);
}

/** The guardian's mails whose body holds the tag, newest last. */
const tagged = (tag) => mailsTo(env, env.PARENT_EMAIL).filter((m) => m.body.includes(tag));

test('emergency mail carries no unsubscribe link, and an old link to it is refused in Japanese', { timeout: 180000 }, async () => {
  const c = await fetch(`${env.URL}/api/v1/confirmations`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: env.CONFIRM_TOKEN }) });
  assert.ok([200, 404, 410].includes(c.status), `confirmation answered ${c.status}`);
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const n = await emergency(admin, `【緊急】閉所のお知らせ（${TAG}）`, `本日は15時で閉所します（${TAG}）。`);
  assert.ok(n >= 2, `the site has more than one confirmed guardian (${n})`);
  const mail = await eventually(() => tagged(`閉所します（${TAG}）`).at(-1),
    { timeoutMs: 30000, message: 'the emergency mail in the Maildir' });
  assert.equal(mail.headers['list-unsubscribe'], undefined, 'no List-Unsubscribe on emergency mail');
  assert.equal(mail.headers['list-unsubscribe-post'], undefined);
  assert.ok(mail.body.includes('このメールは緊急連絡のため、配信停止はできません。'), mail.body);
  assert.ok(!mail.body.includes('/api/v1/unsubscribe/'), 'no link in the footer');

  // An emergency mail of before carried a link: the page refuses it, saying why.
  const old = await control(env, 'bulk', {
    send_id: `emergency:9${Date.now() % 100000}`, subject: `【緊急】以前のお知らせ（${TAG}）`,
    body: `以前の緊急メール（${TAG}）`, to: [env.PARENT_EMAIL],
  });
  assert.equal(old.tokens.length, 1);
  for (const viewport of [PHONE, DESKTOP]) {
    const page = await newPage(browser, viewport);
    try {
      await page.goto(`${env.URL}/api/v1/unsubscribe/${old.tokens[0]}`);
      await tid(page, 'unsubscribe-button').press('Enter');
      await eventually(async () => /配信を停止できません/.test(await tid(page, 'unsubscribe-message').textContent()),
        { message: 'the refusal' });
      await answerFocused(page, 'the refused 配信を停止する');
      const text = await tid(page, 'unsubscribe-message').textContent();
      assert.match(text, /緊急連絡のメールは、お子さまの安全を守るため/);
      assert.equal(await tid(page, 'unsubscribe-button').isVisible(), false, 'no button to press again');
      await checkA11y(page, `the unsubscribe page refusing emergency mail (${viewport.viewport.width} px)`);
      if (viewport === PHONE) await shot(page, 'unsubscribe-emergency-refused');
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  }
});

test('a guardian unsubscribes from school mail through the link, without signing in', { timeout: 180000 }, async () => {
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const queued = await school(1, `遠足は晴天なら実施します（${TAG}1）。`);
  assert.equal(queued.tokens.length, 1, JSON.stringify(queued));
  const mail = await eventually(() => tagged(`実施します（${TAG}1）`).at(-1),
    { timeoutMs: 30000, message: 'the school mail in the Maildir' });
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
    await tid(page, 'unsubscribe-button').press('Enter');
    await eventually(async () => /配信を停止しました/.test(await tid(page, 'unsubscribe-message').textContent()),
      { message: 'the done message' });
    await answerFocused(page, '配信を停止する');
    assert.match(await tid(page, 'unsubscribe-message').textContent(), /学校/);
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

  // The next school notice skips this guardian; the next emergency mail still reaches them.
  const again = await school(2, `運動会のお知らせ（${TAG}2）。`);
  assert.deepEqual([again.tokens.length, again.skipped], [0, 1]);
  const marker = `台風${TAG}`;
  const n = await emergency(admin, `【緊急】お知らせ（${TAG}）`, `${marker}のため閉所します。`);
  await eventually(() => tagged(marker).length === 1,
    { timeoutMs: 30000, message: 'the emergency mail reaches the guardian who left school mail' });
  assert.ok(n >= 2, `every confirmed guardian of the site (${n})`);
  assert.equal(tagged(`${TAG}2`).length, 0, 'no school mail to the unsubscribed guardian');
});

test('a guardian who left school mail joins it again through a new confirmation', { timeout: 180000 }, async () => {
  // The guardian left in the test above: the notice is skipped; an earlier one's link serves.
  const off = await school(5, `遠足のお知らせ（${TAG}5）。`);
  assert.deepEqual([off.tokens.length, off.skipped], [0, 1], 'still off the school list');
  const first = tagged(`${TAG}1`)[0];
  assert.ok(first, 'the first school notice');
  const url = (first.headers['list-unsubscribe'].match(/<(https?:\/\/[^>]+\/api\/v1\/unsubscribe\/[0-9]+-[0-9a-f]+)>/) || [])[1];
  const page = await newPage(browser, PHONE);
  try {
    await page.goto(url);
    await tid(page, 'unsubscribe-button').click();
    await eventually(async () => /すでに停止/.test(await tid(page, 'unsubscribe-message').textContent()),
      { message: 'already unsubscribed' });
    await tid(page, 'resubscribe-button').waitFor({ state: 'visible' });
    await checkA11y(page, 'unsubscribed, with the button to join again');
    const before = mailsTo(env, env.PARENT_EMAIL).length;
    await tid(page, 'resubscribe-button').press('Enter');
    await eventually(async () => /確認メールを送りました/.test(await tid(page, 'unsubscribe-message').textContent()),
      { message: 'the confirmation was sent' });
    await answerFocused(page, '配信の再開を申し込む');
    await checkA11y(page, 'join again asked');
    const confirm = await eventually(() => mailsTo(env, env.PARENT_EMAIL).slice(before)
      .find((m) => /\/unsubscribe\/\?r=/.test(m.body)), { timeoutMs: 30000, message: 'the confirmation mail' });
    assert.match(confirm.body, /配信を再開するには/);
    const link = confirm.body.match(/(https?:\/\/\S+\/unsubscribe\/\?r=[A-Za-z0-9_-]+)/)[1];
    // Still off the list until the mailed link is used.
    assert.deepEqual((await school(6, `（${TAG}6）`)).tokens.length, 0);
    await page.goto(link.replace(/^https?:\/\/[^/]+/, env.URL));
    await tid(page, 'rejoin-button').waitFor({ state: 'visible' });
    await shot(page, 'resubscribe-confirm');
    await checkA11y(page, 'join again: the mailed link');
    await tid(page, 'rejoin-button').press('Enter');
    await eventually(async () => /配信を再開しました/.test(await tid(page, 'unsubscribe-message').textContent()),
      { message: 'joined again' });
    await answerFocused(page, '配信を再開する');
    await checkA11y(page, 'joined again');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
  const back = await school(7, `（${TAG}7）`);
  assert.deepEqual([back.tokens.length, back.skipped], [1, 0], 'school mail reaches the guardian again');
});
