// SPDX-License-Identifier: MIT
// Guardian portal (/parent/) on a phone: sign-in by a mailed link (asked for in the page, the
// button pressed — opening the link sends nothing), the child's month calendar, the pickup list,
// the weekly pattern, an absence notice, errors shown with the club's phone, IDOR through the
// API, a bad link, sign-out.
// One page (one sign-in) runs through the tests in order, and one API session checks what was
// stored: the server sends at most 3 sign-in links per address per 15 minutes.
// Days are chosen relative to the `today` the API answers, never hard-coded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, eventually, mailsTo, parentApi, userApi, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_MAILDIR', 'MIMAMORI_PARENT_EMAIL',
  'MIMAMORI_PARENT_CHILD_NO', 'MIMAMORI_PARENT_CHILD_NAME', 'MIMAMORI_OTHER_CHILD_NO',
  'MIMAMORI_STAFF_PASSWORD', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_SITE_CODE', 'MIMAMORI_SECOND_SITE_CODE']);
const CHILD = env.PARENT_CHILD_NO;
const OTHER = env.OTHER_CHILD_NO;
const SENT = '登録されたアドレスなら、15分有効のログイン用リンクを送りました';
const LINK_RE = /https?:\/\/\S+\/parent\/#login=[A-Za-z0-9_-]+/;
const PICKUP = { name: '小林 花子', relation: '祖母' };
const PATTERN_DAYS = ['mon', 'wed', 'fri'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const REASON = '発熱のため（ブラウザテスト）';
const CLUB_PHONE = '03-1234-5678';

let browser;
let page;          // the signed-in phone page shared by the tests in order
let api;           // the guardian's own API session (parentApi), made once
let sends = [];    // changing requests the page sent: {method, path, csrf, body}

before(async () => { browser = await launch(); });
after(async () => {
  await page?.context().close();
  await browser?.close();
});

const tid = (p, id) => p.locator(`[data-testid="${id}"]`);
const card = () => page.locator(`[data-testid="child"][data-child-no="${CHILD}"]`);
const dayCell = (day) => card().locator(`[data-testid="day"][data-day="${day}"]`);
const childPath = (no, rest) => `/api/v1/parent/children/${encodeURIComponent(no)}${rest}`;

async function guardianApi() {
  if (!api) api = await parentApi(env);
  return api;
}
async function planOf(month) {
  const a = await guardianApi();
  const r = await a.get(childPath(CHILD, `/plan${month ? `?month=${month}` : ''}`));
  assert.equal(r.status, 200, `plan answered ${r.status}: ${r.text}`);
  return r.data;
}
function nextMonth(ym) {
  const [y, m] = ym.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
function monthTitle(ym) {
  const [y, m] = ym.split('-').map(Number);
  return `${y}年${m}月`;
}
async function noHorizontalScroll(p) {
  const w = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 390, `the page scrolls sideways: scrollWidth ${w} > 390`);
}
/** Shows `month` in the calendar (stepping forward from the month shown). */
async function showMonth(month) {
  for (let i = 0; i < 3; i++) {
    const title = (await card().locator('[data-testid="cal-month"]').innerText()).trim();
    if (title === monthTitle(month)) return;
    await card().locator('[data-testid="cal-next"]').click();
    await eventually(async () => (await card().locator('[data-testid="cal-month"]').innerText()).trim() !== title,
      { message: 'the next month' });
  }
  assert.fail(`could not show ${month}`);
}
/** The future days (after today) of this month and the next, from the API. */
async function futureDays() {
  const now = await planOf();
  const next = await planOf(nextMonth(now.month));
  return {
    today: now.today,
    days: [...now.days.map((d) => ({ ...d, month: now.month })), ...next.days.map((d) => ({ ...d, month: next.month }))]
      .filter((d) => d.day > now.today),
  };
}

test('parent (a): ask for the link in the page, open it, press ログインする; the child and this month', { timeout: 90000 }, async () => {
  // The fixture's club has no phone yet: the ward admin sets one, so that the page must show it.
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const sites = await admin.get('/api/v1/sites');
  assert.equal(sites.status, 200, sites.text);
  if (!sites.data.sites.find((x) => x.code === env.SITE_CODE)?.phone) {
    const r = await admin.send('PATCH', `/api/v1/sites/${env.SITE_CODE}`, { phone: CLUB_PHONE });
    assert.equal(r.status, 200, `PATCH site phone answered ${r.status}: ${r.text}`);
  }

  page = await newPage(browser, PHONE);
  const calls = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!u.pathname.startsWith('/api/')) return;
    calls.push(`${r.method()} ${u.pathname}`);
    if (r.method() !== 'GET') {
      let body = null;
      try { body = JSON.parse(r.postData() || 'null'); } catch { /* not JSON */ }
      sends.push({ method: r.method(), path: u.pathname, csrf: r.headers()['x-csrf-token'] || null, body });
    }
  });

  await page.goto(`${env.URL}/parent/`);
  const email = tid(page, 'signin-email');
  await email.waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  await noHorizontalScroll(page);
  await shot(page, 'parent-signin');

  // Not an address: refused in the page, nothing sent.
  await email.fill('not-an-address');
  await tid(page, 'signin-submit').click();
  await tid(page, 'signin-error').waitFor({ state: 'visible' });
  assert.ok(!calls.some((c) => c.includes('login-links')), 'nothing sent for a bad address');

  // An unknown address gets the same answer as a known one.
  await email.fill(`nobody.${Date.now()}@example.jp`);
  await tid(page, 'signin-submit').click();
  const sent = tid(page, 'signin-message');
  await sent.waitFor({ state: 'visible' });
  const unknownText = (await sent.innerText()).trim();
  assert.ok(unknownText.includes(SENT), `the sent message: ${unknownText}`);

  const before = mailsTo(env, env.PARENT_EMAIL).length;
  await email.fill(env.PARENT_EMAIL);
  await tid(page, 'signin-submit').click();
  await eventually(() => calls.filter((c) => c === 'POST /api/v1/parent/login-links').length === 2,
    { message: 'the second POST login-links' });
  await eventually(async () => (await sent.innerText()).trim() === unknownText, { message: 'the same message' });
  await shot(page, 'parent-link-sent');

  const mail = await eventually(() => {
    const all = mailsTo(env, env.PARENT_EMAIL);
    return all.length > before && all[all.length - 1];
  }, { timeoutMs: 20000, message: `the sign-in mail to ${env.PARENT_EMAIL}` });
  const m = mail.body.match(LINK_RE);
  assert.ok(m, `no sign-in link in the mail: ${mail.body}`);

  // Opening the link (as a mail app does: a new load) sends nothing.
  await page.goto('about:blank');
  calls.length = 0;
  await page.goto(m[0]);
  const button = tid(page, 'login-button');
  await button.waitFor({ state: 'visible' });
  assert.equal((await button.innerText()).trim(), 'ログインする');
  await page.waitForTimeout(700);
  assert.deepEqual(calls, [], 'opening the link must not call the API');
  await shot(page, 'parent-login-button');

  await button.click();
  await card().waitFor({ state: 'visible' });
  assert.equal(calls[0], 'POST /api/v1/parent/session');
  assert.equal(await page.evaluate(() => location.hash), '', 'the token is gone from the address');
  assert.ok(!(await page.evaluate(() => location.href)).includes('login='), 'no token in the URL');
  assert.equal((await card().locator('[data-testid="child-name"]').innerText()).trim(), env.PARENT_CHILD_NAME);

  // This month, as the server counts it.
  const plan = await planOf();
  assert.match(plan.today, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(plan.month, plan.today.slice(0, 7));
  await eventually(async () => (await card().locator('[data-testid="cal-month"]').innerText()).trim() === monthTitle(plan.month),
    { message: `the calendar title ${monthTitle(plan.month)}` });
  const shownDays = await card().locator('[data-testid="day"]').evaluateAll((bs) => bs.map((b) => b.dataset.day));
  const expected = plan.days.filter((d) => d.weekday !== 'sun').map((d) => d.day);
  assert.deepEqual(shownDays, expected, 'one cell per day of the month, Sundays left out (closed)');
  if (!plan.days.find((d) => d.day === plan.today && d.weekday === 'sun')) {
    const today = card().locator('[data-testid="day"][data-today="true"]');
    assert.equal(await today.count(), 1, 'today is marked');
    assert.equal(await today.getAttribute('data-day'), plan.today);
    assert.equal(await today.getAttribute('aria-current'), 'date');
  }
  // Past days are not editable.
  for (const d of plan.days.filter((x) => x.day < plan.today && x.weekday !== 'sun')) {
    assert.equal(await dayCell(d.day).getAttribute('data-editable'), 'false', `${d.day} has passed`);
  }

  // The club is always visible: name, phone (tel:), same-day deadline.
  const site = card().locator('[data-testid="site"]');
  assert.equal((await site.locator('[data-testid="site-name"]').innerText()).trim(), plan.site.name);
  assert.ok(plan.site.phone, 'the club has a phone');
  {
    const tel = site.locator('[data-testid="site-phone"]');
    assert.equal((await tel.innerText()).trim(), plan.site.phone);
    assert.equal(await tel.getAttribute('href'), `tel:${plan.site.phone.replace(/[^0-9+]/g, '')}`);
  }
  assert.match(await site.locator('[data-testid="site-deadline"]').innerText(), new RegExp(plan.site.deadline));
  assert.equal((await tid(page, 'who').innerText()).trim().length > 0, true, 'the guardian name is shown');

  await noHorizontalScroll(page);
  await shot(page, 'parent-home');
  await card().locator('[data-testid="calendar"]').scrollIntoViewIfNeeded();
  await shot(page, 'parent-calendar');
  assertNoProblems(page);
});

test('parent (b): add a pickup person and a weekly pattern; the calendar plans the future days', { timeout: 90000 }, async () => {
  assert.ok(page, 'signed in by (a)');
  sends = [];
  const c = card();

  // The pickup list: a name is needed; then added.
  await c.locator('[data-testid="pickups-open"]').click();
  await c.locator('[data-testid="pickup-add"]').click();
  await c.locator('[data-testid="pickup-message"]').waitFor({ state: 'visible' });
  assert.match(await c.locator('[data-testid="pickup-message"]').innerText(), /名前/);
  assert.equal(sends.length, 0, 'nothing sent without a name');
  await c.locator('[data-testid="pickup-name"]').fill(PICKUP.name);
  await c.locator('[data-testid="pickup-relation"]').fill(PICKUP.relation);
  await c.locator('[data-testid="pickup-add"]').click();
  const item = c.locator('[data-testid="pickup-item"]', { hasText: PICKUP.name });
  await item.waitFor({ state: 'visible' });
  assert.match(await item.innerText(), new RegExp(PICKUP.relation));
  await noHorizontalScroll(page);
  await shot(page, 'parent-pickups');

  const a = await guardianApi();
  const pk = await a.get(childPath(CHILD, '/pickups'));
  assert.equal(pk.status, 200, pk.text);
  const person = pk.data.pickups.find((p) => p.name === PICKUP.name && p.relation === PICKUP.relation);
  assert.ok(person, `the pickup person is stored: ${pk.text}`);
  const pickupId = Number(await item.getAttribute('data-pickup-id'));
  assert.equal(pickupId, person.id);

  // The weekly pattern: mon/wed/fri, leave 17:00, collected by that person.
  await c.locator('[data-testid="weekly-open"]').click();
  for (const w of WEEKDAYS) {
    const on = PATTERN_DAYS.includes(w);
    await c.locator(`[data-testid="weekly-attend-${w}"]`).setChecked(on);
    if (!on) continue;
    await c.locator(`[data-testid="weekly-leave-${w}"]`).selectOption('17:00');
    await c.locator(`[data-testid="weekly-way-${w}"]`).selectOption('pickup');
    await c.locator(`[data-testid="weekly-pickup-${w}"]`).selectOption(String(person.id));
  }
  await c.locator('[data-testid="weekly-day"][data-weekday="mon"]').scrollIntoViewIfNeeded();
  await noHorizontalScroll(page);
  await shot(page, 'parent-weekly-form');
  await c.locator('[data-testid="weekly-save"]').click();
  await eventually(async () => /保存しました/.test(await c.locator('[data-testid="weekly-message"]').innerText()),
    { message: 'the weekly pattern saved' });
  const put = sends.find((s) => s.method === 'PUT' && s.path.endsWith('/weekly'));
  assert.ok(put, 'PUT .../weekly sent');
  const want = Object.fromEntries(PATTERN_DAYS.map((w) => [w, { leave: '17:00', way_home: 'pickup', pickup_id: person.id }]));
  assert.deepEqual(put.body, want);

  // Stored, as the API says.
  const plan = await planOf();
  for (const w of WEEKDAYS) {
    if (PATTERN_DAYS.includes(w)) {
      assert.ok(plan.weekly[w], `weekly.${w} stored: ${JSON.stringify(plan.weekly)}`);
      assert.equal(plan.weekly[w].leave, '17:00');
      assert.equal(plan.weekly[w].way_home, 'pickup');
      assert.equal(plan.weekly[w].pickup_id, person.id);
    } else {
      assert.ok(!plan.weekly[w], `no weekly.${w}: ${JSON.stringify(plan.weekly)}`);
    }
  }

  // The calendar: future mon/wed/fri planned (17:00, お迎え); other future days off.
  const future = await futureDays();
  const month = future.days.find((d) => PATTERN_DAYS.includes(d.weekday))?.month;
  assert.ok(month, 'a future pattern day');
  await showMonth(month);
  for (const d of future.days.filter((x) => x.month === month && x.weekday !== 'sun')) {
    const cell = dayCell(d.day);
    const status = await cell.getAttribute('data-status');
    if (PATTERN_DAYS.includes(d.weekday)) {
      assert.equal(status, 'attend', `${d.day} (${d.weekday}) planned`);
      const text = await cell.innerText();
      assert.match(text, /出席/);
      assert.match(text, /17:00/);
      assert.match(text, /お迎え/);
    } else {
      assert.equal(status, 'off', `${d.day} (${d.weekday}) not planned`);
    }
  }

  // Another person added and removed again: gone from the page and the API; the first one stays.
  const extra = { name: '田中 さくら', relation: 'ファミリーサポート' };
  await c.locator('[data-testid="pickup-name"]').fill(extra.name);
  await c.locator('[data-testid="pickup-relation"]').fill(extra.relation);
  await c.locator('[data-testid="pickup-add"]').click();
  const extraItem = c.locator('[data-testid="pickup-item"]', { hasText: extra.name });
  await extraItem.waitFor({ state: 'visible' });
  await extraItem.locator('[data-testid="pickup-remove"]').click();
  await extraItem.waitFor({ state: 'detached' });
  assert.ok(sends.some((s) => s.method === 'DELETE' && /\/pickups\/\d+$/.test(s.path) && s.csrf), 'DELETE .../pickups/{id}');
  const left = (await a.get(childPath(CHILD, '/pickups'))).data.pickups;
  assert.deepEqual(left.map((p) => p.name), [PICKUP.name]);
  assert.equal(await c.locator('[data-testid="pickup-item"]').count(), 1);

  assert.ok(sends.every((s) => s.csrf), `every change sent X-CSRF-Token: ${JSON.stringify(sends)}`);
  await card().locator('[data-testid="calendar"]').scrollIntoViewIfNeeded();
  await noHorizontalScroll(page);
  await shot(page, 'parent-calendar-planned');
  assertNoProblems(page);
});

test('parent (c): an absence notice with a reason for a future planned day; back to the pattern', { timeout: 90000 }, async () => {
  assert.ok(page, 'signed in by (a)');
  sends = [];
  const { days } = await futureDays();
  // The first planned day at least two days ahead (well clear of the same-day deadline).
  const target = days.filter((d) => d.status === 'attend' && d.editable)[1] || days.find((d) => d.status === 'attend' && d.editable);
  assert.ok(target, `a future planned, editable day: ${JSON.stringify(days.slice(0, 10))}`);
  await showMonth(target.month);

  const cell = dayCell(target.day);
  assert.equal(await cell.getAttribute('data-status'), 'attend');
  await cell.click();
  const dialog = page.locator('dialog[data-testid="day-dialog"]');
  await dialog.waitFor({ state: 'visible' });
  assert.ok(await tid(page, 'day-status-attend').isChecked(), '出席 is chosen now');
  assert.equal(await tid(page, 'day-leave').inputValue(), '17:00');
  await noHorizontalScroll(page);
  await shot(page, 'parent-day-dialog');

  // 欠席連絡 needs a reason: refused in the page, nothing sent.
  await tid(page, 'day-status-absent').check();
  await tid(page, 'day-reason').waitFor({ state: 'visible' });
  await tid(page, 'day-save').click();
  await tid(page, 'day-error').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'day-error').innerText(), /理由/);
  assert.equal(await tid(page, 'day-error').getAttribute('role'), 'alert');
  assert.equal(sends.length, 0, 'nothing sent without a reason');

  await tid(page, 'day-reason').fill(REASON);
  await shot(page, 'parent-day-absent');
  await tid(page, 'day-save').click();
  await dialog.waitFor({ state: 'hidden' });
  await eventually(async () => (await cell.getAttribute('data-status')) === 'absent', { message: `${target.day} absent` });
  assert.match(await cell.innerText(), /欠席/);
  assert.equal(await cell.getAttribute('data-source'), 'day');
  const put = sends.find((s) => s.method === 'PUT' && s.path.endsWith(`/days/${target.day}`));
  assert.ok(put && put.csrf, 'PUT .../days/... with X-CSRF-Token');
  assert.deepEqual(put.body, { status: 'absent', reason: REASON });
  await card().locator('[data-testid="calendar"]').scrollIntoViewIfNeeded();
  await shot(page, 'parent-calendar-absent');

  let plan = await planOf(target.month);
  let d = plan.days.find((x) => x.day === target.day);
  assert.equal(d.status, 'absent');
  assert.equal(d.reason, REASON);
  assert.equal(d.source, 'day');

  // 週のパターンに戻す: back to the weekly plan.
  await cell.click();
  await dialog.waitFor({ state: 'visible' });
  assert.ok(await tid(page, 'day-status-absent').isChecked());
  assert.equal(await tid(page, 'day-reason').inputValue(), REASON);
  await tid(page, 'day-reset').click();
  await dialog.waitFor({ state: 'hidden' });
  await eventually(async () => (await cell.getAttribute('data-status')) === 'attend', { message: `${target.day} attend again` });
  assert.equal(await cell.getAttribute('data-source'), 'weekly');
  assert.ok(sends.some((s) => s.method === 'DELETE' && s.path.endsWith(`/days/${target.day}`) && s.csrf));
  plan = await planOf(target.month);
  d = plan.days.find((x) => x.day === target.day);
  assert.equal(d.status, 'attend');
  assert.equal(d.source, 'weekly');

  // And the absence again, which stays (what a guardian would leave).
  await cell.click();
  await dialog.waitFor({ state: 'visible' });
  await tid(page, 'day-status-absent').check();
  await tid(page, 'day-reason').fill(REASON);
  await tid(page, 'day-save').click();
  await dialog.waitFor({ state: 'hidden' });
  await eventually(async () => (await cell.getAttribute('data-status')) === 'absent', { message: `${target.day} absent again` });
  assert.ok(sends.every((s) => s.csrf), 'every change sent X-CSRF-Token');
  assertNoProblems(page);
});

test('parent: a refused change (same-day deadline) shows the club phone as a tel: link in the dialog', { timeout: 60000 }, async (t) => {
  assert.ok(page, 'signed in by (a)');
  const plan = await planOf();
  // Today's cell, when today's changes are closed already: the lock reason with the phone.
  const todayDay = plan.days.find((d) => d.day === plan.today);
  const dialog = page.locator('dialog[data-testid="day-dialog"]');
  if (todayDay && todayDay.weekday !== 'sun' && !todayDay.editable && /close at/.test(todayDay.locked || '')) {
    await showMonthBack(plan.month);
    await dayCell(plan.today).click();
    await dialog.waitFor({ state: 'visible' });
    const locked = tid(page, 'day-locked');
    await locked.waitFor({ state: 'visible' });
    assert.match(await locked.innerText(), new RegExp(plan.site.deadline));
    const a = locked.locator('a[href^="tel:"]');
    assert.equal((await a.innerText()).trim(), plan.site.phone);
    assert.equal(await a.getAttribute('href'), `tel:${plan.site.phone.replace(/[^0-9+]/g, '')}`);
    assert.ok(await tid(page, 'day-save').isHidden(), 'nothing to save on a locked day');
    await shot(page, 'parent-day-locked');
    await tid(page, 'day-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
  } else {
    t.diagnostic(`today (${plan.today} ${plan.now}) is not closed by the deadline: its locked view is not checked`);
  }

  // The server's 409 (as the contract words it) for a change: here answered by a stub route, as
  // a real one needs the clock past the deadline on an editable day.
  const { days } = await futureDays();
  const target = days.find((d) => d.editable && d.weekday !== 'sun');
  await showMonthBack(plan.month);
  await showMonth(target.month);
  const msg = 'same-day changes close at 12:00; please phone the club: 03-1234-5678';
  await page.route('**/api/v1/parent/children/*/days/*', (route) => (route.request().method() === 'PUT'
    ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ code: 'conflict', message: msg }) })
    : route.continue()));
  try {
    await dayCell(target.day).click();
    await dialog.waitFor({ state: 'visible' });
    await tid(page, 'day-status-off').check();
    await tid(page, 'day-save').click();
    const err = tid(page, 'day-error');
    await err.waitFor({ state: 'visible' });
    assert.equal(await err.getAttribute('role'), 'alert');
    assert.match(await err.innerText(), /12:00/);
    const tel = err.locator('a[href^="tel:"]');
    assert.equal((await tel.innerText()).trim(), '03-1234-5678');
    assert.equal(await tel.getAttribute('href'), 'tel:0312345678');
    assert.ok(await tel.isVisible());
    await noHorizontalScroll(page);
    await shot(page, 'parent-day-409');
    await tid(page, 'day-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
  } finally {
    await page.unroute('**/api/v1/parent/children/*/days/*');
  }
  assertNoProblems(page);
});

/** Steps the calendar back until `month` shows. */
async function showMonthBack(month) {
  for (let i = 0; i < 3; i++) {
    const title = (await card().locator('[data-testid="cal-month"]').innerText()).trim();
    if (title === monthTitle(month)) return;
    await card().locator('[data-testid="cal-prev"]').click();
    await eventually(async () => (await card().locator('[data-testid="cal-month"]').innerText()).trim() !== title,
      { message: 'the previous month' });
  }
  assert.fail(`could not show ${month}`);
}

test('parent (d): another family\'s child is 404 for every call, and nothing changes', { timeout: 60000 }, async () => {
  const a = await guardianApi();
  const admin = await userApi(env, env.ADMIN_LOGIN);
  const boardRow = async () => {
    const r = await admin.get(`/api/v1/sites/${env.SECOND_SITE_CODE}/board`);
    assert.equal(r.status, 200, `the ${env.SECOND_SITE_CODE} board answered ${r.status}: ${r.text}`);
    const row = r.data.children.find((ch) => ch.child_no === OTHER);
    assert.ok(row, `${OTHER} is on the ${env.SECOND_SITE_CODE} board`);
    return row;
  };
  const otherBefore = await boardRow();
  const ownBefore = await planOf();
  const ownPickups = ownBefore.pickups;
  assert.ok(ownPickups.length > 0, 'the guardian has a pickup person from (b)');
  const { days } = await futureDays();
  const future = days.find((d) => d.weekday !== 'sun').day;
  const today = ownBefore.today;

  const calls = [
    ['GET', '/plan'],
    ['GET', `/plan?month=${ownBefore.month}`],
    ['PUT', '/weekly', { mon: { leave: '17:00', way_home: 'alone' } }],
    ['PUT', `/days/${future}`, { status: 'absent', reason: 'IDOR' }],
    ['PUT', `/days/${today}`, { status: 'off' }],
    ['DELETE', `/days/${future}`],
    ['GET', '/pickups'],
    ['POST', '/pickups', { name: '侵入 太郎', relation: '他人' }],
    ['DELETE', `/pickups/${ownPickups[0].id}`],
  ];
  for (const [method, rest, body] of calls) {
    const r = await a.send(method, childPath(OTHER, rest), body);
    assert.equal(r.status, 404, `${method} .../${OTHER}${rest} answered ${r.status}: ${r.text}`);
    // The same answer as a child that does not exist: no oracle.
    const u = await a.send(method, childPath('B999', rest), body);
    assert.equal(u.status, 404, `${method} .../B999${rest} answered ${u.status}: ${u.text}`);
    assert.deepEqual(r.data, u.data, `${method} ${rest}: the same answer as for an unknown child`);
  }

  // Nothing changed: the other child's row on its site's board, and this guardian's own child.
  const otherAfter = await boardRow();
  for (const k of ['status', 'plan', 'pickups', 'absence_reason']) {
    assert.deepEqual(otherAfter[k], otherBefore[k], `${OTHER}'s ${k} unchanged`);
  }
  assert.ok(!(otherAfter.pickups || []).some((p) => p.name === '侵入 太郎'));
  const ownAfter = await planOf();
  assert.deepEqual(ownAfter.weekly, ownBefore.weekly, 'own weekly pattern unchanged');
  assert.deepEqual(ownAfter.pickups, ownBefore.pickups, 'own pickup list unchanged');
  assert.deepEqual(ownAfter.days, ownBefore.days, 'own days unchanged');

  // Without the session cookie: 401.
  const anon = await fetch(`${env.URL}${childPath(CHILD, '/plan')}`);
  assert.equal(anon.status, 401);
  const list = await a.get('/api/v1/parent/children');
  assert.deepEqual(list.data.children.map((ch) => ch.child_no), [CHILD], 'only the own child is listed');
});

test('parent (e): a bad link shows the unknown/expired message and a way to a new link', { timeout: 60000 }, async () => {
  const p = await newPage(browser, PHONE);
  try {
    const calls = [];
    p.on('request', (r) => { if (r.url().includes('/api/')) calls.push(`${r.method()} ${new URL(r.url()).pathname}`); });
    await p.goto(`${env.URL}/parent/#login=bogus`);
    const button = tid(p, 'login-button');
    await button.waitFor({ state: 'visible' });
    await p.waitForTimeout(500);
    assert.deepEqual(calls, [], 'opening the link sends nothing');
    await button.click();
    const err = tid(p, 'login-error');
    await err.waitFor({ state: 'visible' });
    assert.match(await err.innerText(), /有効期限|使えません/);
    assert.deepEqual(calls, ['POST /api/v1/parent/session']);
    assert.ok(await button.isHidden(), 'no retry of a refused link');
    assert.equal(await p.evaluate(() => location.hash), '', 'the token is gone from the address');
    await noHorizontalScroll(p);
    await shot(p, 'parent-bad-link');
    await tid(p, 'new-link').click();
    await tid(p, 'signin-email').waitFor({ state: 'visible' });
    assertNoProblems(p);
  } finally {
    await p.context().close();
  }
});

test('parent: a change without X-CSRF-Token is refused; ログアウト ends the session', { timeout: 60000 }, async () => {
  assert.ok(page, 'signed in by (a)');
  const noCsrf = await page.evaluate(async (url) => {
    const r = await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    return r.status;
  }, childPath(CHILD, '/weekly'));
  assert.equal(noCsrf, 403, 'PUT weekly without X-CSRF-Token');
  assert.ok((await planOf()).weekly.mon, 'the weekly pattern is still there');

  sends = [];
  await tid(page, 'signout').click();
  await tid(page, 'signin-email').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'signin-notice').innerText(), /ログアウトしました/);
  assert.ok(sends.some((s) => s.method === 'DELETE' && s.path === '/api/v1/parent/session' && s.csrf));
  const after = await page.evaluate(async () => (await fetch('/api/v1/parent/session')).status);
  assert.equal(after, 401, 'signed out');
  await shot(page, 'parent-signed-out');
  assertNoProblems(page);
});
