// SPDX-License-Identifier: MIT
// Staff board, issue 11: what guardians change reaches staff, alerts say the planned time, the
// board on a phone, and the coming days' plans (出欠予定) with their printable list.
//
// - On a phone (390 px) the counts come first, the alerts are one summary line that opens the
//   list (a real <details>/<summary>), and the site's name is never cut; on a desktop the list
//   is open. Each state passes axe-core at 390 and 1280 px.
// - A child who is here but whose family sent an absence shows the notice beside 在室, with who
//   sent it and when; a same-day change shows who and when on any row.
// - The alert mail's link (/staff/#site=G01&alert=not_arrived) opens the alerts with the names
//   once signed in, or says the alert has been resolved since.
// - The 出欠予定 section lists the coming days from the server (real answer and made-up one),
//   and its PDF link downloads the plan list, recorded in the handover ledger.
// Made-up board answers (page.route) where a time of day matters; the real server otherwise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, eventually, userApi, checkA11y,
  DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_STAFF_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_SITE_CODE', 'MIMAMORI_ADMIN_LOGIN']);
const SITE = env.SITE_CODE;
// A long facility name: it must wrap, never be cut, on a phone.
const LONG_NAME = '新宿区立東新宿小学校内 放課後子どもひろばプラス第二学童クラブ';
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
const rowOf = (page, childNo) => page.locator(`[data-testid="child"][data-child-no="${childNo}"]`);

async function signIn(page, hash = `#site=${SITE}`, login = env.STAFF_LOGIN) {
  await page.goto(`${env.URL}/staff/${hash}`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
  await tid(page, 'board').waitFor({ state: 'visible' });
}

function fakeBoard({ alerts = true, name = 'すみれ学童クラブ' } = {}) {
  const kid = (no, nm, kana, status, extra = {}) => ({
    child_no: no, name: nm, kana, grade: 3, status, plan_status: 'attend', in_at: null, out_at: null,
    plan: null, alert: null, pickups: [], collected_by: null, ...extra,
  });
  const children = [
    kid('Y01', '青木 一花', 'アオキ イチカ', alerts ? 'not_arrived' : 'expected', {
      plan: { leave: '17:00', way_home: 'alone', pickup: null },
      alert: alerts ? 'not_arrived' : null, alert_due: alerts ? '14:30' : null,
    }),
    // Here, and the family sent an absence at 10:05: the notice beside 在室.
    kid('Y02', '井上 二葉', 'イノウエ フタバ', 'present', {
      in_at: '09:10', plan_status: 'absent', absence_reason: '発熱のため早退させてください',
      change: { status: 'absent', at: '10:05', on: '2026-11-30', today: true, by: '井上 直子' },
    }),
    // A leave time changed yesterday evening.
    kid('Y03', '上田 三月', 'ウエダ ミツキ', 'expected', {
      plan: { leave: '16:00', way_home: 'alone', pickup: null },
      change: { status: 'attend', at: '20:13', on: '2026-11-29', today: false, by: '上田 恵' },
    }),
    kid('Y04', '江藤 四季', 'エトウ シキ', 'off', { plan_status: 'off' }),
  ];
  const counts = Object.fromEntries(['not_arrived', 'expected', 'present', 'left', 'absent', 'off']
    .map((s) => [s, children.filter((c) => c.status === s).length]));
  return {
    site: { code: SITE, name, phone: '03-1234-5678', opens: '08:00', closes: '19:00', arrival: '14:00', grace_min: 30 },
    day: '2026-11-30', now: '15:27', counts,
    alerts: alerts ? [{ kind: 'not_arrived', child_no: 'Y01', due_at: '14:30', raised_at: '15:27' }] : [],
    children,
  };
}

async function routeBoard(page, answer) {
  await page.route(`**/api/v1/sites/${SITE}/board`, (route) => route.fulfill({
    status: 200, contentType: 'application/json', body: JSON.stringify(answer()),
  }));
  // Made-up answers change without the server knowing: no live updates, the page polls.
  await page.route('**/board/events', (route) => route.abort());
}

test('phone: counts first, alerts one line that opens, the site name whole; desktop: open', { timeout: 240000 }, async () => {
  for (const viewport of [PHONE, DESKTOP]) {
    const phone = viewport === PHONE;
    const page = await newPage(browser, viewport);
    await routeBoard(page, () => fakeBoard({ name: LONG_NAME }));
    try {
      await signIn(page);
      await rowOf(page, 'Y01').waitFor({ state: 'attached' });
      const alerts = tid(page, 'alerts');
      await alerts.waitFor({ state: 'visible' });
      assert.equal(await alerts.evaluate((e) => e.tagName), 'DETAILS');
      assert.equal(await alerts.evaluate((e) => e.open), !phone, phone ? 'closed on a phone' : 'open on a desktop');
      const summary = tid(page, 'alerts-summary');
      assert.match(await summary.innerText(), /確認してください\s*未到着 1人/);
      // Counts first, then the alerts.
      const top = async (loc) => (await loc.boundingBox()).y;
      assert.ok(await top(page.locator('#counts')) < await top(alerts), 'the counts come before the alerts');
      // The site's name whole: the title wraps, the selected option's text fits its box.
      const title = page.locator('#board-title');
      assert.equal((await title.innerText()).trim(), LONG_NAME);
      assert.ok(await title.evaluate((e) => e.scrollWidth <= e.clientWidth + 1), 'the title is not cut');
      const fits = await tid(page, 'site-select').evaluate((sel) => {
        const ctx = document.createElement('canvas').getContext('2d');
        const cs = getComputedStyle(sel);
        ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const text = sel.options[sel.selectedIndex].text;
        const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 16;
        return { text, width: ctx.measureText(text).width, room };
      });
      assert.ok(fits.width <= fits.room, `the site option fits: ${JSON.stringify(fits)}`);
      assert.ok(!/\d{2}:\d{2}/.test(fits.text), `no hours after the name in the option: ${fits.text}`);
      await checkA11y(page, `board with alerts ${phone ? 'collapsed (390 px)' : 'open (1280 px)'}`);
      await shot(page, phone ? 'board-notices-phone-collapsed' : 'board-notices-desktop');
      if (phone) {
        // The summary line opens the list.
        assert.equal(await page.locator('[data-testid="alert"]').first().isVisible(), false);
        await summary.click();
        await page.locator('[data-testid="alert"][data-child-no="Y01"]').waitFor({ state: 'visible' });
        assert.equal(await alerts.evaluate((e) => e.open), true);
        assert.match(await alerts.innerText(), /14:30を過ぎても入室なし（到着予定 14:00）/);
        assert.doesNotMatch(await alerts.innerText(), /15:27/);
        await checkA11y(page, 'board with alerts opened (390 px)');
        await shot(page, 'board-notices-phone-open');
        // Opened stays opened across the 3-second polls.
        await page.waitForTimeout(3500);
        assert.equal(await alerts.evaluate((e) => e.open), true);
        // Its name shows the child's row (the not-arrived tab).
        await page.locator('[data-testid="alert"][data-child-no="Y01"] button').click();
        await rowOf(page, 'Y01').waitFor({ state: 'visible' });
      }
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  }
});

test('a same-day absence of a child here is beside 在室, with who and when; changes say who', { timeout: 180000 }, async () => {
  for (const viewport of [DESKTOP, PHONE]) {
    const page = await newPage(browser, viewport);
    await routeBoard(page, () => fakeBoard());
    try {
      await signIn(page);
      await rowOf(page, 'Y02').waitFor({ state: 'attached' });
      if (viewport === PHONE) await page.locator('.count[data-tab="present"]').click();
      const y2 = rowOf(page, 'Y02');
      assert.equal(await y2.getAttribute('data-status'), 'present');
      assert.equal((await y2.locator('[data-testid="child-status"]').innerText()).trim(), '在室');
      assert.equal((await y2.locator('[data-testid="absence-notice"]').innerText()).trim(),
        '欠席の連絡があります：発熱のため早退させてください');
      const change = y2.locator('[data-testid="plan-change"]');
      assert.equal((await change.innerText()).trim(), '保護者から 本日 10:05 井上 直子さん：欠席の連絡');
      assert.equal(await change.getAttribute('data-today'), 'true');
      assert.doesNotMatch(await y2.innerText(), /今日の予定なしで来所/);
      if (viewport === PHONE) await page.locator('.count[data-tab="expected"]').click();
      const y3 = rowOf(page, 'Y03').locator('[data-testid="plan-change"]');
      assert.equal((await y3.innerText()).trim(), '保護者から 11/29 20:13 上田 恵さん：予定の変更');
      assert.equal(await y3.getAttribute('data-today'), 'false');
      await checkA11y(page, `board with a notice beside 在室 (${viewport.viewport.width} px)`);
      if (viewport === PHONE) {
        await page.locator('.count[data-tab="present"]').click();
        await shot(page, 'board-notice-present-phone');
      }
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  }
});

test('the alert mail link opens the alert after sign-in, or says it was resolved', { timeout: 180000 }, async () => {
  // With the alert still there (a phone: the link is read in the mail app).
  let page = await newPage(browser, PHONE);
  await routeBoard(page, () => fakeBoard());
  try {
    await signIn(page, `#site=${SITE}&alert=not_arrived`);
    await page.locator('[data-testid="alert"][data-child-no="Y01"]').waitFor({ state: 'visible' });
    assert.equal(await tid(page, 'alerts').evaluate((e) => e.open), true, 'opened by the link');
    assert.match(await tid(page, 'alerts').innerText(), /青木 一花/);
    assert.equal(await page.locator('.count[data-tab="not_arrived"]').getAttribute('aria-pressed'), 'true');
    await rowOf(page, 'Y01').waitFor({ state: 'visible' });
    await eventually(() => page.evaluate(() => document.activeElement?.id === 'alerts-summary'),
      { message: 'focus on the alerts' });
    assert.doesNotMatch(page.url(), /alert=/, 'the link is used once');
    await checkA11y(page, 'board opened from the alert mail (390 px)');
    await shot(page, 'board-alert-link-phone');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
  // Resolved since (the child came in): the board says so.
  page = await newPage(browser, DESKTOP);
  await routeBoard(page, () => fakeBoard({ alerts: false }));
  try {
    await signIn(page, `#site=${SITE}&alert=not_arrived`);
    await tid(page, 'board-notice').waitFor({ state: 'visible' });
    assert.match(await tid(page, 'board-notice').innerText(), /メールでお知らせした未到着は、いまはありません/);
    assert.equal(await tid(page, 'alerts').isVisible(), false);
    await checkA11y(page, 'board from an alert link, resolved (1280 px)');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('出欠予定: the coming days from the server, and the PDF in the ledger', { timeout: 240000 }, async () => {
  // The real server first: the section loads and answers for the site.
  let page = await newPage(browser, DESKTOP);
  try {
    await signIn(page);
    const plans = tid(page, 'plans');
    await plans.waitFor({ state: 'visible' });
    await eventually(async () => /現在の予定/.test(await tid(page, 'plans-status').innerText()),
      { message: 'the plans loaded' });
    await tid(page, 'plans-week').click();
    assert.equal(await tid(page, 'plans-week').getAttribute('aria-pressed'), 'true');
    await eventually(async () => /現在の予定/.test(await tid(page, 'plans-status').innerText()),
      { message: 'the week loaded' });
    const days = await tid(page, 'plan-day').count();
    assert.ok(days >= 1 || /開所日はありません/.test(await tid(page, 'plans-days').innerText()), 'days or none');
    // The PDF link: the plan list, recorded in the ledger under the staff user.
    const href = await tid(page, 'plans-pdf').getAttribute('href');
    assert.match(href, new RegExp(`^/api/v1/sites/${SITE}/reports/plans\\?from=\\d{4}-\\d{2}-\\d{2}&days=\\d+&format=pdf$`));
    const res = await page.request.get(`${env.URL}${href}`);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    assert.ok((await res.body()).subarray(0, 5).toString() === '%PDF-');
    const admin = await userApi(env, env.ADMIN_LOGIN);
    const led = (await admin.get('/api/v1/ledger')).data.ledger;
    assert.ok(led.some((e) => e.login === env.STAFF_LOGIN && /^plans /.test(e.content)), 'recorded in the ledger');
    await checkA11y(page, 'board with the plans section (1280 px)');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }

  // A made-up answer: what a day shows (notices first, who changed it and when).
  const fake = {
    site: { code: SITE, name: 'すみれ学童クラブ' }, from: '2026-12-01', days_asked: 1, today: '2026-11-30',
    days: [{ day: '2026-12-01', weekday: 'tue', counts: { attend: 1, absent: 1, off: 0, changed: 1 }, children: [
      { child_no: 'Z01', name: '木下 一樹', kana: 'キノシタ カズキ', grade: 2, status: 'attend', from_day: false,
        leave: '17:00', way_home: 'pickup', pickup: { name: '木下 京子', relation: '母' }, reason: null,
        way_home_text: 'お迎え：木下 京子（母）', note: null, change: null },
      { child_no: 'Z02', name: '熊谷 二葉', kana: 'クマガイ フタバ', grade: 3, status: 'absent', from_day: true,
        leave: null, way_home: null, pickup: null, reason: '通院のため', way_home_text: null,
        note: '欠席の連絡：通院のため（11/30 09:12 熊谷 恵）',
        change: { status: 'absent', at: '09:12', on: '2026-11-30', by: '熊谷 恵' } },
    ] }],
  };
  for (const viewport of [PHONE, DESKTOP]) {
    page = await newPage(browser, viewport);
    await page.route(`**/api/v1/sites/${SITE}/plans?*`, (route) => route.fulfill({
      status: 200, contentType: 'application/json', body: JSON.stringify(fake) }));
    try {
      await signIn(page);
      const day = page.locator('[data-testid="plan-day"][data-day="2026-12-01"]');
      await day.waitFor({ state: 'attached' });
      assert.match(await day.locator('summary').innerText(), /12月1日\(火\)\s*来所予定 1人・欠席 1人・お休み 0人・変更 1件/);
      assert.equal(await day.evaluate((e) => e.open), true, 'the first day is open');
      const rows = day.locator('[data-testid="plan-row"]');
      assert.equal(await rows.nth(0).getAttribute('data-child-no'), 'Z02', 'notices first');
      assert.match(await rows.nth(0).innerText(), /欠席[\s\S]*理由：通院のため[\s\S]*保護者から 11\/30 09:12 熊谷 恵さん：欠席の連絡/);
      assert.match(await rows.nth(1).innerText(), /来所[\s\S]*帰り 17:00・お迎え：木下 京子（母）/);
      await day.scrollIntoViewIfNeeded();
      await checkA11y(page, `the plans section (${viewport.viewport.width} px)`);
      if (viewport === PHONE) await shot(page, 'board-plans-phone');
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  }
});
