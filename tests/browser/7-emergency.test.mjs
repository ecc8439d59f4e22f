// SPDX-License-Identifier: MIT
// Emergency mail page (/staff/emergency.html, 緊急時の一斉メール配信): a message holding a
// registered child's name is refused and nothing is sent; a send to two sites waits for a
// second person (the author cannot approve it, not even by forcing the button); the contractor
// approves it on a phone, the delivery view polls until nothing is pending; and the Maildir
// holds the mail once per guardian. A send's badge says where its mail stands — 送信待ち while
// nothing has gone (the relay is down), 送信中 n/N, 完了 — never 送信済み while mail waits. The
// author withdraws a send awaiting approval with 取り消す (POST …/cancel, never …/reject); a
// scheduled send shows its time, and every state reads in Japanese (予約, 取り消し …) with the
// statement and the approver line right for it. Site staff use the page as the API lets them:
// a staff member of several sites approves a send to those sites; one of a single site sees that
// site's sends only, read-only. Other roles get a clear refusal. Every state checked is run
// through axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, eventually, parseMail, userApi, control,
  checkA11y, DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_APPROVER_LOGIN',
  'MIMAMORI_STAFF_LOGIN', 'MIMAMORI_STAFF_PASSWORD', 'MIMAMORI_SITE_CODE',
  'MIMAMORI_SECOND_SITE_CODE', 'MIMAMORI_MAILDIR', 'MIMAMORI_CHILD_NAME', 'MIMAMORI_PARENT_EMAIL',
  'MIMAMORI_CONTROL_URL']);

// Letters only: digits could look like a phone number to the server's check.
const TAG = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const REFUSED_SUBJECT = `お迎えについて（${TAG}）`;
const SUBJECT = `【緊急】台風接近に伴う閉所のお知らせ（${TAG}）`;
const BODY = '本日は台風接近のため、15時で閉所します。\nお迎えをお願いします。';
const PAGE = `${env.URL}/staff/emergency.html`;

let browser;
const shared = { id: null, recipients: null }; // the two-site send, from (b) to (c) and (d)

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

/** RFC 2047 words (=?UTF-8?B?...?=) decoded; adjacent words joined before UTF-8 decoding, as
 * the server may split a subject into several words. */
function decodeHeader(v) {
  const re = /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g;
  let out = '';
  let bytes = [];
  let last = 0;
  let m;
  const flush = () => {
    if (bytes.length) out += Buffer.concat(bytes).toString('utf8');
    bytes = [];
  };
  while ((m = re.exec(v))) {
    const between = v.slice(last, m.index);
    if (!(bytes.length && /^\s*$/.test(between))) { flush(); out += between; }
    bytes.push(/b/i.test(m[2]) ? Buffer.from(m[3], 'base64')
      : Buffer.from(m[3].replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1'));
    last = re.lastIndex;
  }
  flush();
  return out + v.slice(last);
}

/** Every mail in the Maildir whose decoded subject is subject: [{to, body}]. */
function mailsWithSubject(subject) {
  const out = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(env.MAILDIR, sub);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      const m = parseMail(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (decodeHeader(m.headers.subject || '') !== subject) continue;
      const to = /<([^>]+)>/.exec(m.headers.to || '');
      out.push({ to: to ? to[1].toLowerCase() : (m.headers.to || ''), body: m.body, file: f });
    }
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function signIn(page, login) {
  await page.goto(PAGE);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
}

/** Records the answers to POST /api/v1/emergency-sends[/...] as {url, status, body}. */
function recordPosts(page) {
  const posts = [];
  page.on('response', async (r) => {
    const req = r.request();
    if (req.method() !== 'POST' || !/\/api\/v1\/emergency-sends/.test(r.url())) return;
    let body = null;
    try { body = await r.json(); } catch { /* keep null */ }
    posts.push({ url: r.url(), status: r.status(), body, csrf: req.headers()['x-csrf-token'] || null });
  });
  return posts;
}

async function compose(page, codes, subject, body) {
  await tid(page, 'compose').waitFor({ state: 'visible' });
  for (const c of codes) await page.locator(`[data-testid="compose-site"][value="${c}"]`).check();
  await tid(page, 'compose-subject').fill(subject);
  await tid(page, 'compose-body').fill(body);
  await tid(page, 'compose-next').click();
  await tid(page, 'compose-confirm').waitFor({ state: 'visible' });
}

test('(a) a message naming a registered child is refused on the page and nothing is sent', { timeout: 120000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  const posts = recordPosts(page);
  try {
    await signIn(page, env.ADMIN_LOGIN);
    await compose(page, [env.SITE_CODE], REFUSED_SUBJECT,
      `${env.CHILD_NAME}さんのお迎えについて、保護者の方はご連絡ください。`);
    assert.equal((await tid(page, 'confirm-title').innerText()).trim(), '1施設の保護者に送信します');
    await tid(page, 'compose-send').click();

    const alert = tid(page, 'compose-error');
    await alert.waitFor({ state: 'visible' });
    assert.equal(await alert.getAttribute('role'), 'alert');
    const text = await alert.innerText();
    assert.match(text, /個人情報が含まれているため、送信できませんでした/);
    assert.match(text, /登録されている子どもの名前/);
    assert.ok(!/[a-z]{4,} [a-z]{4,}/i.test(text), `no English in the refusal: ${text}`);
    assert.ok(!text.includes(env.CHILD_NAME.split(/\s/)[0]), 'the refusal does not repeat the name');
    await eventually(() => posts.length === 1, { message: 'the POST answer' });
    assert.equal(posts[0].status, 400);
    assert.equal(posts[0].body.code, 'personal_data', 'the page knows the refusal by its code');
    assert.ok(posts[0].csrf, 'the POST carries X-CSRF-Token');
    // Back on the form with the text kept, so it can be corrected.
    await tid(page, 'compose-body').waitFor({ state: 'visible' });
    assert.match(await tid(page, 'compose-body').inputValue(), /お迎えについて/);
    assert.equal(await tid(page, 'compose-confirm').isVisible(), false);
    await shot(page, 'emergency-refused');

    // Nothing was stored or sent.
    const api = await userApi(env, env.ADMIN_LOGIN);
    const list = await api.get('/api/v1/emergency-sends');
    assert.equal(list.status, 200, list.text);
    assert.ok(!list.data.sends.some((s) => s.subject === REFUSED_SUBJECT), 'no send was stored');
    assert.ok(!(await tid(page, 'send-list').innerText()).includes(REFUSED_SUBJECT));
    await sleep(1000);
    assert.deepEqual(mailsWithSubject(REFUSED_SUBJECT), [], 'no mail went out');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('(b) a send to two sites waits for approval; the author cannot approve it', { timeout: 120000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  const posts = recordPosts(page);
  try {
    await signIn(page, env.ADMIN_LOGIN);
    await tid(page, 'compose').waitFor({ state: 'visible' });

    // 全施設 checks and locks every site; unchecking gives the choice back.
    await tid(page, 'compose-all').check();
    const boxes = page.locator('[data-testid="compose-site"]');
    assert.ok(await boxes.count() >= 2, 'the sites are listed');
    for (const b of await boxes.all()) {
      assert.equal(await b.isChecked(), true);
      assert.equal(await b.isDisabled(), true);
    }
    await tid(page, 'compose-all').uncheck();
    for (const b of await boxes.all()) assert.equal(await b.isChecked(), false);

    await compose(page, [env.SITE_CODE, env.SECOND_SITE_CODE], SUBJECT, BODY);
    assert.equal((await tid(page, 'confirm-title').innerText()).trim(), '2施設の保護者に送信します');
    assert.match(await tid(page, 'compose-confirm').innerText(), /承認してから配信/);
    await shot(page, 'emergency-confirm');
    // 戻って直す keeps the text; then confirm again.
    await tid(page, 'compose-back').click();
    assert.equal(await tid(page, 'compose-subject').inputValue(), SUBJECT);
    await tid(page, 'compose-next').click();
    await tid(page, 'compose-send').click();

    const detail = tid(page, 'send-detail');
    await detail.waitFor({ state: 'visible' });
    await eventually(() => posts.length === 1, { message: 'the POST answer' });
    assert.equal(posts[0].status, 201, JSON.stringify(posts[0].body));
    assert.equal(posts[0].body.state, 'awaiting_approval');
    shared.id = posts[0].body.id;
    assert.ok(Number.isInteger(shared.id), 'the send has an id');
    assert.match(page.url(), new RegExp(`#send=${shared.id}$`));
    await page.locator('[data-testid="detail-state-badge"][data-state="awaiting_approval"]').waitFor();
    assert.equal((await tid(page, 'detail-state-badge').innerText()).trim(), '承認待ち');
    assert.match(await tid(page, 'detail-result').innerText(), /承認待ち/);
    assert.equal(await tid(page, 'detail-subject').innerText(), SUBJECT);

    // The author's approve button is not usable, with a reason.
    await tid(page, 'decide').waitFor({ state: 'visible' });
    assert.equal(await tid(page, 'approve').isDisabled(), true, 'the author cannot approve');
    assert.match(await tid(page, 'decide-note').innerText(), /承認できません/);
    // …nor reject (the server refuses it): they withdraw it with 取り消す.
    assert.equal(await tid(page, 'reject').isVisible(), false, 'no reject button for the author');
    assert.equal(await tid(page, 'cancel').isVisible(), true, 'the author may withdraw the send');
    assert.match(await tid(page, 'decide-note').innerText(), /「取り消す」/);
    assert.doesNotMatch(await tid(page, 'decide').innerText(), /取りやめる（却下）/);
    await shot(page, 'emergency-awaiting');

    // Forcing the button: the server answers 403 and the page says so.
    await page.evaluate(() => { document.querySelector('[data-testid="approve"]').disabled = false; });
    await tid(page, 'approve').click();
    await tid(page, 'decide-yes').click();
    const err = tid(page, 'detail-error');
    await err.waitFor({ state: 'visible' });
    assert.match(await err.innerText(), /承認できませんでした/);
    assert.match(await err.innerText(), /別の担当者/, 'the server\'s reason, in Japanese');
    await eventually(() => posts.length === 2, { message: 'the approve answer' });
    assert.equal(posts[1].status, 403);
    assert.equal(posts[1].body.code, 'second_approver_required');
    await page.locator('[data-testid="detail-state-badge"][data-state="awaiting_approval"]').waitFor();

    // Nothing goes out before the second person approves.
    await sleep(1500);
    assert.deepEqual(mailsWithSubject(SUBJECT), [], 'no mail before approval');

    // The list shows it first, as 承認待ち.
    await tid(page, 'detail-back').click();
    await page.locator(`[data-testid="send-row"][data-id="${shared.id}"]`).waitFor({ state: 'visible' });
    const first = tid(page, 'send-row').first();
    assert.equal(await first.getAttribute('data-id'), String(shared.id), 'newest first');
    assert.equal(await first.getAttribute('data-state'), 'awaiting_approval');
    assert.match(await first.innerText(), /承認待ち/);
    assert.match(await first.innerText(), new RegExp(TAG));
    assert.equal(await tid(page, 'awaiting-banner').isVisible(), false,
      'the author is not asked to approve their own send');
    await shot(page, 'emergency-list');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('(c) the contractor approves on a phone; the delivery view reaches pending 0', { timeout: 180000 }, async () => {
  assert.ok(shared.id, 'test (b) made a send');
  const page = await newPage(browser, PHONE);
  const posts = recordPosts(page);
  try {
    await signIn(page, env.APPROVER_LOGIN);
    const row = page.locator(`[data-testid="send-row"][data-id="${shared.id}"]`);
    await row.waitFor({ state: 'visible' });
    assert.equal(await row.getAttribute('data-state'), 'awaiting_approval');
    // The send waiting for this person is announced above the compose form.
    const link = page.locator(`[data-testid="awaiting-link"][data-id="${shared.id}"]`);
    await link.waitFor({ state: 'visible' });
    assert.equal(await link.innerText(), SUBJECT);
    assert.ok(await link.evaluate((e) => e.getBoundingClientRect().bottom <= window.innerHeight),
      'the waiting send is on the first screen of a phone');
    await shot(page, 'emergency-phone-compose');
    await link.click();
    await tid(page, 'send-detail').waitFor({ state: 'visible' });
    await page.locator('[data-testid="detail-state-badge"][data-state="awaiting_approval"]').waitFor();
    assert.equal(await tid(page, 'approve').isDisabled(), false, 'a second person may approve');
    assert.equal(await tid(page, 'reject').isVisible(), true, 'and reject');
    assert.equal(await tid(page, 'cancel').isVisible(), false, 'withdrawing is the author\'s or a ward admin\'s');
    assert.equal(await tid(page, 'decide-note').isVisible(), false);

    await tid(page, 'approve').click();
    await tid(page, 'decide-confirm').waitFor({ state: 'visible' });
    assert.match(await tid(page, 'decide-confirm').innerText(), /2施設の保護者/);
    await shot(page, 'emergency-phone-approve');
    assert.equal(posts.length, 0, 'nothing is sent before the confirm step');
    await tid(page, 'decide-yes').click();

    await page.locator('[data-testid="detail-state-badge"][data-state="sent"]').waitFor({ timeout: 20000 });
    // Where the mail stands, never 送信済み: just queued, on its way, or all gone.
    assert.match((await tid(page, 'detail-state-badge').innerText()).trim(), /^(送信待ち|送信中 \d+\/\d+|完了)$/);
    await eventually(() => posts.length === 1, { message: 'the approve answer' });
    assert.equal(posts[0].status, 200, JSON.stringify(posts[0].body));
    assert.match(posts[0].url, new RegExp(`/emergency-sends/${shared.id}/approve$`));
    assert.equal(posts[0].body.state, 'sent');
    assert.ok(posts[0].body.recipients >= 1, 'at least the confirmed guardian is a recipient');

    // The page polls the delivery every 3 s while mails are pending.
    await eventually(async () => (await tid(page, 'delivery-pending').innerText()).trim() === '0',
      { timeoutMs: 40000, message: 'pending 0 in the delivery view' });
    const num = async (id) => Number((await tid(page, id).innerText()).trim());
    const recipients = await num('delivery-recipients');
    assert.equal(recipients, posts[0].body.recipients);
    assert.equal(await num('delivery-sent'), recipients, 'sent == recipients');
    assert.equal(await num('delivery-failed'), 0);
    assert.match(await tid(page, 'delivery-status').innerText(), /配信が終わりました/);
    await page.locator('[data-testid="detail-state-badge"][data-delivery="done"]').waitFor();
    assert.equal((await tid(page, 'detail-state-badge').innerText()).trim(), '完了');
    await checkA11y(page, 'emergency send delivered (390 px)');
    assert.match(await tid(page, 'detail-approved').innerText(), new RegExp(env.APPROVER_LOGIN));
    shared.recipients = recipients;
    await tid(page, 'delivery').scrollIntoViewIfNeeded();
    await shot(page, 'emergency-phone-delivered');

    // The list says 完了 with the counts.
    // (The list shown again is reloaded: wait for the new answer, not the one from before.)
    await tid(page, 'detail-back').click();
    await page.locator(`[data-testid="send-row"][data-id="${shared.id}"][data-state="sent"]`)
      .waitFor({ state: 'visible' });
    assert.match(await row.innerText(), /完了/);
    assert.doesNotMatch(await row.innerText(), /送信済み/);
    assert.match(await row.innerText(), new RegExp(`送信 ${recipients} / 対象 ${recipients}人`));
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('(d) the Maildir holds the message once per guardian', { timeout: 60000 }, async () => {
  assert.ok(shared.recipients >= 1, 'test (c) delivered the send');
  const mails = await eventually(() => {
    const m = mailsWithSubject(SUBJECT);
    return m.length >= shared.recipients && m;
  }, { timeoutMs: 30000, message: `${shared.recipients} mails with the subject` });
  await sleep(500); // a duplicate would land right after
  const again = mailsWithSubject(SUBJECT);
  assert.equal(again.length, mails.length, 'no more mails arrived');
  assert.equal(again.length, shared.recipients, 'one mail per recipient');
  const to = again.map((m) => m.to).sort();
  assert.deepEqual(to, [...new Set(to)], 'no address got it twice');
  assert.equal(to.filter((a) => a === env.PARENT_EMAIL.toLowerCase()).length, 1,
    'the confirmed guardian got it once');
  for (const m of again) {
    assert.ok(m.body.replace(/\r\n/g, '\n').includes(BODY), `the body is in the mail to ${m.to}`);
    assert.match(m.body, /返信はできません/);
  }
  assert.deepEqual(mailsWithSubject(REFUSED_SUBJECT), [], 'the refused message never went out');
});

test('(e) while the relay is down a send is 送信待ち (0 of N), then 完了 once it is back', { timeout: 240000 }, async () => {
  // The server with a relay nobody listens on: every mail stays queued.
  await control(env, 'stop');
  await control(env, 'start', { mail: 'smtp://127.0.0.1:9' });
  let id;
  try {
    const admin = await userApi(env, env.ADMIN_LOGIN);
    const subject = `【緊急】送信待ちの確認（${TAG}）`;
    const r = await admin.send('POST', '/api/v1/emergency-sends', { sites: [env.SITE_CODE], subject, body: BODY });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.delivery, 'queued', r.text);
    id = r.data.id;
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await newPage(browser, viewport);
      try {
        await page.goto(`${PAGE}#send=${id}`);
        await tid(page, 'login-id').waitFor({ state: 'visible' });
        await tid(page, 'login-id').fill(env.ADMIN_LOGIN);
        await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
        await tid(page, 'login-submit').click();
        const badge = page.locator('[data-testid="detail-state-badge"][data-delivery="queued"]');
        await badge.waitFor({ timeout: 30000 });
        assert.equal((await badge.innerText()).trim(), '送信待ち');
        assert.equal((await tid(page, 'delivery-sent').innerText()).trim(), '0');
        assert.match(await tid(page, 'delivery-status').innerText(), /配信中：あと\d+通/);
        await checkA11y(page, `emergency send queued (${viewport.viewport.width} px)`);
        if (viewport === PHONE) await shot(page, 'emergency-queued-phone');
        await tid(page, 'detail-back').click();
        const row = page.locator(`[data-testid="send-row"][data-id="${id}"]`);
        await row.waitFor({ state: 'visible' });
        assert.match(await row.innerText(), /送信待ち/);
        assert.doesNotMatch(await row.innerText(), /送信済み/);
        assertNoProblems(page);
      } finally {
        await page.context().close();
      }
    }
  } finally {
    await control(env, 'stop');
    await control(env, 'start'); // back on the Maildir: the queued mail goes
  }
  const admin = await userApi(env, env.ADMIN_LOGIN);
  await eventually(async () => (await admin.get(`/api/v1/emergency-sends/${id}`)).data.delivery === 'done',
    { timeoutMs: 40000, message: 'the queued send done once the mail can go' });
});

test('(f) a send on its way says 送信中 sent/recipients (made-up answer)', { timeout: 120000 }, async () => {
  const page = await newPage(browser, PHONE);
  const fake = {
    id: 777001, state: 'sent', delivery: 'sending', sites: [env.SITE_CODE], created: '2026-11-24T15:00:00+09:00',
    author: env.ADMIN_LOGIN, approver: null, approved: null, subject: `送信中の確認（${TAG}）`, body: BODY,
    recipients: 5608, sent: 1200, failed: 3, pending: 4405, failures: [],
  };
  await page.route('**/api/v1/emergency-sends/777001', (route) => route.fulfill({
    status: 200, contentType: 'application/json', body: JSON.stringify(fake) }));
  await page.route('**/api/v1/mail/sends/**', (route) => route.fulfill({ status: 404, contentType: 'application/json',
    body: JSON.stringify({ code: 'not_found', message: 'この送信のメールは見つかりません。' }) }));
  try {
    await page.goto(`${PAGE}#send=777001`);
    await tid(page, 'login-id').waitFor({ state: 'visible' });
    await tid(page, 'login-id').fill(env.ADMIN_LOGIN);
    await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
    await tid(page, 'login-submit').click();
    const badge = page.locator('[data-testid="detail-state-badge"][data-delivery="sending"]');
    await badge.waitFor({ timeout: 30000 });
    assert.equal((await badge.innerText()).trim(), '送信中 1200/5608');
    await checkA11y(page, 'emergency send on its way (390 px)');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

/** "2026-12-01T07:30" two days from now (Japan time), and how the page writes its day. */
function twoDaysAhead() {
  const jst = new Date(Date.now() + 2 * 86400000 + 9 * 3600000);
  const day = jst.toISOString().slice(0, 10);
  const [, m, d] = day.split('-').map(Number);
  return { at: `${day}T07:30`, shown: `${m}月${d}日` };
}

const inView = (loc) => loc.evaluate((e) => {
  const r = e.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight;
});
const focusedTestid = (page) => page.evaluate(() => document.activeElement && document.activeElement.dataset.testid);

async function openSend(page, login, id) {
  await page.goto(`${PAGE}#send=${id}`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
  await tid(page, 'send-detail').waitFor({ state: 'visible' });
}

test('(g) the author withdraws a send awaiting approval with 取り消す; it reads 取り消し everywhere', { timeout: 120000 }, async () => {
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const subject = `【緊急】取り消しの確認（${TAG}）`;
  const r = await admin.send('POST', '/api/v1/emergency-sends', { sites: [env.SITE_CODE, env.SECOND_SITE_CODE], subject, body: BODY });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.data.state, 'awaiting_approval');
  const id = r.data.id;
  const page = await newPage(browser, DESKTOP);
  const posts = recordPosts(page);
  try {
    await openSend(page, env.ADMIN_LOGIN, id);
    await page.locator('[data-testid="detail-state-badge"][data-state="awaiting_approval"]').waitFor();
    assert.equal(await tid(page, 'cancel').isVisible(), true);
    assert.equal(await tid(page, 'reject').isVisible(), false);

    // A confirm step first; やめる goes back to the button.
    await tid(page, 'cancel').click();
    await tid(page, 'decide-confirm').waitFor({ state: 'visible' });
    assert.match(await tid(page, 'decide-confirm').innerText(), /取り消します。メールは配信されず/);
    assert.equal((await tid(page, 'decide-yes').innerText()).trim(), '取り消す');
    await tid(page, 'decide-no').click();
    assert.equal(await focusedTestid(page), 'cancel', 'やめる gives the focus back to 取り消す');
    assert.equal(posts.length, 0, 'nothing is posted before the confirm step');
    await tid(page, 'cancel').click();
    await tid(page, 'decide-yes').click();

    await eventually(() => posts.length === 1, { message: 'the cancel answer' });
    assert.match(posts[0].url, new RegExp(`/emergency-sends/${id}/cancel$`), 'withdrawn by …/cancel, not …/reject');
    assert.equal(posts[0].status, 200, JSON.stringify(posts[0].body));
    assert.equal(posts[0].body.state, 'cancelled');
    const result = tid(page, 'detail-result');
    await result.waitFor({ state: 'visible' });
    assert.match(await result.innerText(), /取り消しました/);
    assert.equal(await focusedTestid(page), 'detail-result', 'the answer takes the focus');
    assert.ok(await inView(result), 'the answer is in view');

    const badge = page.locator('[data-testid="detail-state-badge"][data-state="cancelled"]');
    await badge.waitFor();
    assert.equal((await badge.innerText()).trim(), '取り消し');
    assert.equal(await tid(page, 'decide').isVisible(), false);
    assert.match(await tid(page, 'delivery-status').innerText(), /^取り消されたため、配信されていません/);
    assert.doesNotMatch(await tid(page, 'delivery-status').innerText(), /却下/);
    assert.equal((await tid(page, 'detail-approved').innerText()).trim(), '（承認される前に取り消されました）');
    await checkA11y(page, 'emergency send withdrawn');
    await shot(page, 'emergency-cancelled');

    // Read back through the API.
    const back = await admin.get(`/api/v1/emergency-sends/${id}`);
    assert.equal(back.data.state, 'cancelled', back.text);

    // The list: Japanese badge and statement, no counts of a send that never went.
    await tid(page, 'detail-back').click();
    const row = page.locator(`[data-testid="send-row"][data-id="${id}"][data-state="cancelled"]`);
    await row.waitFor({ state: 'visible' });
    assert.equal((await row.locator('[data-testid="send-state"]').innerText()).trim(), '取り消し');
    assert.equal((await row.locator('[data-testid="send-counts"]').innerText()).trim(), '取り消されたため配信されません');
    assert.doesNotMatch(await row.innerText(), /cancelled|送信 0/);
    await sleep(1000);
    assert.deepEqual(mailsWithSubject(subject), [], 'no mail went out');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('(h) a scheduled send shows its time (予約); withdrawn, it reads 取り消し', { timeout: 120000 }, async () => {
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const { at, shown } = twoDaysAhead();
  const subject = `【予約】お知らせ（${TAG}）`;
  const r = await admin.send('POST', '/api/v1/emergency-sends', { sites: [env.SITE_CODE], subject, body: BODY, at });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.data.state, 'scheduled', r.text);
  const id = r.data.id;
  const when = new RegExp(`${shown}\\(.\\) 07:30`);
  const page = await newPage(browser, PHONE);
  const posts = recordPosts(page);
  try {
    await openSend(page, env.ADMIN_LOGIN, id);
    const badge = page.locator('[data-testid="detail-state-badge"][data-state="scheduled"]');
    await badge.waitFor();
    assert.equal((await badge.innerText()).trim(), '予約');
    assert.match(await tid(page, 'detail-at').innerText(), when);
    assert.match(await tid(page, 'delivery-status').innerText(), new RegExp(`^予約：${when.source}に配信します`));
    assert.equal((await tid(page, 'detail-approved').innerText()).trim(), '不要（1施設への送信）');
    assert.match(await tid(page, 'decide').innerText(), when);
    assert.equal(await tid(page, 'approve').isVisible(), false, 'nothing to approve');
    assert.equal(await tid(page, 'cancel').isVisible(), true, 'the author may withdraw it');
    await checkA11y(page, 'emergency send scheduled (390 px)');
    await shot(page, 'emergency-scheduled-phone');

    await tid(page, 'detail-back').click();
    const row = page.locator(`[data-testid="send-row"][data-id="${id}"][data-state="scheduled"]`);
    await row.waitFor({ state: 'visible' });
    assert.equal((await row.locator('[data-testid="send-state"]').innerText()).trim(), '予約');
    assert.match(await row.locator('[data-testid="send-counts"]').innerText(), new RegExp(`^予約：${when.source}に配信します`));
    assert.doesNotMatch(await row.innerText(), /scheduled|送信 0/);

    await row.locator('[data-testid="send-link"]').click();
    await badge.waitFor();
    await tid(page, 'cancel').click();
    await tid(page, 'decide-yes').click();
    await page.locator('[data-testid="detail-state-badge"][data-state="cancelled"]').waitFor();
    await eventually(() => posts.length === 1, { message: 'the cancel answer' });
    assert.match(posts[0].url, new RegExp(`/emergency-sends/${id}/cancel$`));
    assert.equal(posts[0].status, 200, JSON.stringify(posts[0].body));
    assert.match(await tid(page, 'delivery-status').innerText(), /^取り消されたため、配信されていません/);
    assert.equal((await tid(page, 'detail-approved').innerText()).trim(), '不要（1施設への送信）');
    assert.equal((await admin.get(`/api/v1/emergency-sends/${id}`)).data.state, 'cancelled');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

/** A site staff account for sites, made by the ward admin, its first password changed: login and
 * password. */
async function siteStaff(sites) {
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const login = `em-staff-${TAG}`;
  const made = await admin.send('POST', '/api/v1/users', { login, role: 'site_staff', sites });
  assert.equal(made.status, 201, made.text);
  const password = `Tsubame-${TAG}-kumo-2026`;
  const first = await userApi(env, login, made.data.password);
  const changed = await first.send('POST', '/api/v1/session/password', { current: made.data.password, new: password });
  assert.equal(changed.status, 200, changed.text);
  return { login, password };
}

test('(i) site staff of both sites approve a send to them on the page', { timeout: 180000 }, async () => {
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const staff = await siteStaff([env.SITE_CODE, env.SECOND_SITE_CODE]);
  const subject = `【緊急】施設職員の承認（${TAG}）`;
  const r = await admin.send('POST', '/api/v1/emergency-sends', { sites: [env.SITE_CODE, env.SECOND_SITE_CODE], subject, body: BODY });
  assert.equal(r.status, 201, r.text);
  const id = r.data.id;
  const page = await newPage(browser, PHONE);
  const posts = recordPosts(page);
  const reports = [];
  page.on('request', (q) => { if (q.url().includes('/api/v1/mail/sends')) reports.push(q.url()); });
  try {
    await page.goto(PAGE);
    await tid(page, 'login-id').waitFor({ state: 'visible' });
    await tid(page, 'login-id').fill(staff.login);
    await tid(page, 'login-password').fill(staff.password);
    await tid(page, 'login-submit').click();
    await tid(page, 'history').waitFor({ state: 'visible' });
    assert.equal(await tid(page, 'denied').isVisible(), false, 'the page is theirs too');
    assert.equal(await tid(page, 'compose').isVisible(), false, 'site staff do not compose');
    assert.match(await tid(page, 'readonly-note').innerText(), /承認・却下できます/);
    const link = page.locator(`[data-testid="awaiting-link"][data-id="${id}"]`);
    await link.waitFor({ state: 'visible' });
    await checkA11y(page, 'emergency list, site staff of two sites (390 px)');
    await link.click();
    await page.locator('[data-testid="detail-state-badge"][data-state="awaiting_approval"]').waitFor();
    assert.equal(await tid(page, 'approve').isDisabled(), false);
    assert.equal(await tid(page, 'reject').isVisible(), true);
    assert.equal(await tid(page, 'cancel').isVisible(), false, 'not theirs to withdraw');
    await tid(page, 'approve').click();
    await tid(page, 'decide-yes').click();
    await eventually(() => posts.length === 1, { message: 'the approve answer' });
    assert.equal(posts[0].status, 200, JSON.stringify(posts[0].body));
    assert.equal(posts[0].body.state, 'sent');
    await page.locator('[data-testid="detail-state-badge"][data-state="sent"]').waitFor({ timeout: 20000 });
    assert.match(await tid(page, 'detail-result').innerText(), /承認しました/);
    await eventually(async () => new RegExp(staff.login).test(await tid(page, 'detail-approved').innerText()),
      { message: 'the approver shown' });
    await checkA11y(page, 'emergency send approved by site staff (390 px)');
    // The outbox's report is not theirs (the API refuses it): the page does not ask for it.
    assert.deepEqual(reports, []);
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
  // Its mail has gone before the next file's tests count theirs.
  await eventually(async () => (await admin.get(`/api/v1/emergency-sends/${id}`)).data.delivery === 'done',
    { timeoutMs: 40000, message: 'the approved send done' });
});

test('(j) site staff of one site see that site\'s sends only, read-only', { timeout: 120000 }, async () => {
  assert.ok(shared.id, 'test (b) made a send to two sites');
  const mine = await userApi(env, env.STAFF_LOGIN);
  const list = await mine.get('/api/v1/emergency-sends');
  assert.equal(list.status, 200, list.text);
  assert.ok(list.data.sends.length >= 1, 'the sends to their site (e, h)');
  const page = await newPage(browser, DESKTOP);
  const calls = [];
  page.on('request', (q) => { if (/\/api\/v1\/(emergency-sends\/\d+\/|mail\/sends)/.test(q.url()) && q.method() === 'POST') calls.push(q.url()); });
  try {
    await signIn(page, env.STAFF_LOGIN);
    await tid(page, 'history').waitFor({ state: 'visible' });
    assert.equal(await tid(page, 'denied').isVisible(), false);
    assert.equal(await tid(page, 'compose').isVisible(), false);
    assert.match(await tid(page, 'readonly-note').innerText(), /担当の施設あての送信だけ/);
    await eventually(async () => (await tid(page, 'send-row').count()) === list.data.sends.length,
      { message: 'the rows the API lists for them' });
    assert.equal(await page.locator(`[data-testid="send-row"][data-id="${shared.id}"]`).count(), 0,
      'a send to two sites is not theirs');
    assert.equal(await tid(page, 'awaiting-banner').isVisible(), false);
    for (const badge of await tid(page, 'send-state').all()) assert.doesNotMatch(await badge.innerText(), /[a-z]/);
    await checkA11y(page, 'emergency list, site staff of one site');
    await shot(page, 'emergency-site-staff');
    // A send of another scope, by its address: the server's refusal, in Japanese.
    await page.evaluate((id) => { location.hash = `send=${id}`; }, shared.id);
    const err = tid(page, 'detail-error');
    await err.waitFor({ state: 'visible' });
    assert.match(await err.innerText(), /この送信を表示できません/);
    assert.match(await err.innerText(), /担当の範囲の外/);
    assert.deepEqual(calls, []);
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('other roles are told who may use the page (made-up session)', { timeout: 60000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  const calls = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/emergency-sends')) calls.push(r.url()); });
  await page.route('**/api/v1/session', (route) => (route.request().method() === 'GET'
    ? route.fulfill({ status: 200, contentType: 'application/json',
      body: JSON.stringify({ user: { login: 'school-x', role: 'school_admin' }, csrf: 'x' }) })
    : route.continue()));
  try {
    await page.goto(PAGE);
    const denied = tid(page, 'denied');
    await denied.waitFor({ state: 'visible' });
    assert.match(await denied.innerText(), /区の職員・委託事業者・施設職員のみ/);
    assert.equal(await tid(page, 'history').isVisible(), false);
    assert.deepEqual(calls, [], 'the page does not ask for the sends');
    await checkA11y(page, 'emergency page denied');
    await shot(page, 'emergency-denied');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});
