// SPDX-License-Identifier: MIT
// One send's delivery view (/staff/emergency.html#send=ID) with a relay that refuses one
// domain: the table per domain, the bounce rate and the failed mail with the server's reply
// (never an address); a contractor sees it on a phone without the retry; the ward admin's
// 「失敗分を再送」 asks first, and once the relay accepts, the failed mail arrives and the view
// says so. Needs the driver's control API (MIMAMORI_CONTROL_URL): the server is restarted with
// the driver's aiosmtpd relay as its transport and put back on the Maildir at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, eventually, control, userApi,
  DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_APPROVER_LOGIN',
  'MIMAMORI_STAFF_PASSWORD', 'MIMAMORI_SECOND_SITE_CODE', 'MIMAMORI_CONTROL_URL',
  'MIMAMORI_MAILVIEW_OK_EMAIL', 'MIMAMORI_MAILVIEW_REFUSED_EMAIL']);

const OK = env.MAILVIEW_OK_EMAIL.toLowerCase();
const NG = env.MAILVIEW_REFUSED_EMAIL.toLowerCase();
const domainOf = (a) => a.split('@')[1];
// Letters only: digits could look like a phone number to the server's check.
const TAG = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const SUBJECT = `【緊急】閉所のお知らせ（${TAG}）`;
const BODY = '本日は電気設備の点検のため、16時で閉所します。';
const PAGE = `${env.URL}/staff/emergency.html`;

let browser;
const shared = { id: null, recipients: null };

before(async () => {
  browser = await launch();
  const relay = await control(env, 'relay', { refuse: [domainOf(NG)] });
  await control(env, 'stop');
  const started = await control(env, 'start', { mail: relay.url });
  assert.equal(started.mail, relay.url);
});
after(async () => {
  await browser?.close();
  await control(env, 'stop');
  await control(env, 'start'); // back on the Maildir
});

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
const relayMails = async () => (await control(env, 'relay')).mails.filter((m) => m.subject === SUBJECT);

async function signIn(page, login, hash = '') {
  await page.goto(PAGE + hash);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
}

/** The cells of the domain table: {domain: {total, sent, failed, ...}} as numbers. */
async function domainTable(page) {
  return page.evaluate(() => {
    const out = {};
    for (const tr of document.querySelectorAll('[data-testid="domain-row"]')) {
      const row = {};
      for (const td of tr.querySelectorAll('td[data-col]')) row[td.dataset.col] = Number(td.textContent);
      out[tr.dataset.domain] = row;
    }
    return out;
  });
}

/** Records the answers to POST /api/v1/mail/sends/…/retry as {status, body}. */
function recordRetries(page) {
  const posts = [];
  page.on('response', async (r) => {
    if (r.request().method() !== 'POST' || !/\/api\/v1\/mail\/sends\/.+\/retry$/.test(r.url())) return;
    let body = null;
    try { body = await r.json(); } catch { /* keep null */ }
    posts.push({ url: r.url(), status: r.status(), body });
  });
  return posts;
}

test('(a) the delivery view shows the domains, the bounce rate and the refused mail', { timeout: 180000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  try {
    await signIn(page, env.ADMIN_LOGIN);
    await tid(page, 'compose').waitFor({ state: 'visible' });
    await page.locator(`[data-testid="compose-site"][value="${env.SECOND_SITE_CODE}"]`).check();
    await tid(page, 'compose-subject').fill(SUBJECT);
    await tid(page, 'compose-body').fill(BODY);
    await tid(page, 'compose-next').click();
    await tid(page, 'compose-send').click();
    await tid(page, 'send-detail').waitFor({ state: 'visible' });
    const m = /#send=(\d+)$/.exec(page.url());
    assert.ok(m, `the page shows the new send: ${page.url()}`);
    shared.id = Number(m[1]);

    await eventually(async () => (await tid(page, 'delivery-pending').innerText()).trim() === '0',
      { timeoutMs: 40000, message: 'pending 0 in the delivery view' });
    const num = async (id) => Number((await tid(page, id).innerText()).trim());
    shared.recipients = await num('delivery-recipients');
    assert.ok(shared.recipients >= 2, 'both families of the site are recipients');
    assert.equal(await num('delivery-failed'), 1, 'the refused domain failed');
    assert.equal(await num('delivery-sent'), shared.recipients - 1);
    // Everything tried, one refused: 一部失敗 (never 送信済み).
    await page.locator('[data-testid="detail-state-badge"][data-delivery="partly_failed"]').waitFor();
    assert.equal((await tid(page, 'detail-state-badge').innerText()).trim(), '一部失敗');

    // What the relay saw is what the page says, per domain.
    const relay = await control(env, 'relay');
    const got = relay.mails.filter((x) => x.subject === SUBJECT).map((x) => x.to.toLowerCase());
    assert.ok(got.includes(OK), 'the accepted family got the mail');
    assert.ok(!got.includes(NG) && relay.refused.map((a) => a.toLowerCase()).includes(NG),
      'the relay refused the other family');
    await tid(page, 'domain-table').waitFor({ state: 'visible' });
    const table = await domainTable(page);
    const expect = {};
    for (const a of got) {
      const dm = domainOf(a);
      expect[dm] = expect[dm] || { total: 0, sent: 0, failed: 0 };
      expect[dm].total++; expect[dm].sent++;
    }
    expect[domainOf(NG)] = { total: 1, sent: 0, failed: 1 };
    for (const [dm, want] of Object.entries(expect)) {
      assert.ok(table[dm], `a row for ${dm}`);
      for (const k of ['total', 'sent', 'failed']) assert.equal(table[dm][k], want[k], `${dm} ${k}`);
      assert.equal(table[dm].pending, 0);
    }
    assert.equal(Object.keys(table).length, Object.keys(expect).length, 'one row per domain');
    const cell = page.locator(`[data-testid="domain-row"][data-domain="${domainOf(NG)}"] td[data-col="failed"]`);
    assert.match(await cell.getAttribute('class'), /em-bad/, 'the failure stands out');

    assert.equal((await tid(page, 'delivery-bounce-rate').innerText()).trim(), '0.0%');
    assert.equal((await tid(page, 'delivery-bounced').innerText()).trim(), '0');
    const failure = page.locator(`[data-testid="failure"][data-domain="${domainOf(NG)}"]`);
    await failure.waitFor({ state: 'visible' });
    const ftext = await failure.innerText();
    assert.match(ftext, /550 5\.1\.1 <address> Recipient address rejected/);
    assert.ok(!(await tid(page, 'delivery').innerText()).includes('@'), 'no address on the page');
    assert.equal(await tid(page, 'retry').isVisible(), true, 'the ward admin may retry');
    await tid(page, 'delivery').scrollIntoViewIfNeeded();
    await shot(page, 'mailview-failed');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('(b) a contractor sees the same on a phone, without the retry', { timeout: 120000 }, async () => {
  assert.ok(shared.id, 'test (a) made a send');
  const page = await newPage(browser, PHONE);
  try {
    await signIn(page, env.APPROVER_LOGIN, `#send=${shared.id}`);
    await tid(page, 'send-detail').waitFor({ state: 'visible' });
    const row = page.locator(`[data-testid="domain-row"][data-domain="${domainOf(NG)}"]`);
    await row.waitFor({ state: 'visible' });
    assert.equal((await tid(page, 'delivery-failed').innerText()).trim(), '1');
    assert.equal(await tid(page, 'retry').isVisible(), false, 'only ward admins retry');
    // One card per domain on a phone: nothing wider than the screen.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(wide, false, 'no sideways scrolling');
    const cells = await row.locator('td[data-col]').count();
    assert.equal(cells, 6);
    await row.scrollIntoViewIfNeeded();
    await shot(page, 'mailview-phone-contractor');
    // The API agrees: the contractor may not retry.
    const api = await userApi(env, env.APPROVER_LOGIN);
    const r = await api.send('POST', `/api/v1/mail/sends/${encodeURIComponent(`emergency:${shared.id}`)}/retry`);
    assert.equal(r.status, 403, r.text);
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('(c) the ward admin retries on a phone: asked first, then the mail arrives', { timeout: 180000 }, async () => {
  assert.ok(shared.id, 'test (a) made a send');
  const page = await newPage(browser, PHONE);
  const posts = recordRetries(page);
  try {
    await signIn(page, env.ADMIN_LOGIN, `#send=${shared.id}`);
    await tid(page, 'retry').waitFor({ state: 'visible' });
    await tid(page, 'retry-start').click();
    const confirm = tid(page, 'retry-confirm');
    await confirm.waitFor({ state: 'visible' });
    assert.match(await confirm.innerText(), /送信に失敗した1通を、もう一度送信します/);
    // やめる: nothing is sent.
    await tid(page, 'retry-no').click();
    assert.equal(await confirm.isVisible(), false);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(posts.length, 0, 'nothing is retried before the confirm step');

    await control(env, 'relay', { refuse: [] }); // the relay accepts everybody now
    await tid(page, 'retry-start').click();
    await confirm.waitFor({ state: 'visible' });
    await shot(page, 'mailview-phone-retry-confirm');
    await tid(page, 'retry-yes').click();
    const result = tid(page, 'retry-result');
    await result.waitFor({ state: 'visible' });
    assert.match(await result.innerText(), /1通を再送しました/);
    await eventually(() => posts.length === 1, { message: 'the retry answer' });
    assert.equal(posts[0].status, 200, JSON.stringify(posts[0].body));
    assert.deepEqual(posts[0].body, {
      send_id: `emergency:${shared.id}`, retried: 1, skipped_bouncing: 0, skipped_unsubscribed: 0,
      skipped_expired: 0,
    });

    await eventually(async () => (await relayMails()).some((x) => x.to.toLowerCase() === NG),
      { timeoutMs: 30000, message: 'the retried mail at the relay' });
    await eventually(async () => (await tid(page, 'delivery-failed').innerText()).trim() === '0' &&
      (await tid(page, 'delivery-pending').innerText()).trim() === '0',
    { timeoutMs: 30000, message: 'failed 0 and pending 0 after the retry' });
    assert.equal((await tid(page, 'delivery-sent').innerText()).trim(), String(shared.recipients));
    const table = await domainTable(page);
    assert.deepEqual([table[domainOf(NG)].sent, table[domainOf(NG)].failed], [1, 0]);
    assert.equal(await tid(page, 'retry').isVisible(), false, 'nothing left to retry');
    assert.equal(await tid(page, 'failures').isVisible(), false);
    const mails = await relayMails();
    assert.equal(mails.length, shared.recipients, 'one mail per family, none twice');
    await shot(page, 'mailview-phone-retried');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});
