// SPDX-License-Identifier: MIT
// Staff board, issue 3: the six statuses, the alert banner, plans and absences, and check-out by
// the pickup person (お迎え) — its dialog, the server's refusals and the guardian's exit mail.
//
// Works on any day at any time: the child (MIMAMORI_PARENT_CHILD_NO, B007) is made present by a
// manual 入室 recorded by staff, not by a plan (today's plan may be closed: Sunday, or past the
// site's same-day deadline). 8-parent runs before this file with the same family, so nothing here
// assumes B007 has no plan or pickup people: ours are found by the unique names made here.
// The rendering of alerts, absences and every status is checked against a board answer made up
// by the test (page.route), since an alert is only raised at a time of day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, eventually, userApi, parentApi, mailsTo,
  DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_STAFF_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_SITE_CODE', 'MIMAMORI_PARENT_EMAIL', 'MIMAMORI_PARENT_CHILD_NO',
  'MIMAMORI_PARENT_CHILD_NAME', 'MIMAMORI_MAILDIR']);
const SITE = env.SITE_CODE;
const CHILD = env.PARENT_CHILD_NO;
const STATUSES = ['not_arrived', 'expected', 'present', 'left', 'absent', 'off'];
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
const rowOf = (page, childNo) => page.locator(`[data-testid="child"][data-child-no="${childNo}"]`);

async function signIn(page) {
  await page.goto(`${env.URL}/staff/#site=${SITE}`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(env.STAFF_LOGIN);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
  await tid(page, 'board').waitFor({ state: 'visible' });
}

async function board(staff) {
  const r = await staff.get(`/api/v1/sites/${SITE}/board`);
  assert.equal(r.status, 200, `board answered ${r.status}: ${r.text}`);
  return r.data;
}

/** "HH:MM" minus minutes, not before opens. */
function leaveTime(site) {
  const toMin = (t) => { const m = /^(\d{1,2}):(\d{2})$/.exec(t || ''); return m ? +m[1] * 60 + +m[2] : null; };
  const opens = toMin(site.opens) ?? 13 * 60;
  const closes = toMin(site.closes) ?? 19 * 60;
  const t = Math.max(opens, closes - 60);
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// A made-up board answer: every status, two alerts, a name that must stay text.
const EVIL = '<img src=x onerror="window.__xss=1">悪';
function fakeBoard(withAlerts) {
  const mother = { id: 31, name: '小林 直子', relation: '母' };
  const kid = (no, name, kana, status, extra = {}) => ({
    child_no: no, name, kana, grade: 2, status, in_at: null, out_at: null, plan: null, alert: null,
    pickups: [], collected_by: null, ...extra,
  });
  const children = [
    kid('X01', '大野 一子', 'オオノ イチコ', 'off'),
    kid('X02', '木村 二郎', 'キムラ ジロウ', 'absent', { absence_reason: '発熱のため（38.5℃）' }),
    kid('X03', '斎藤 三奈', 'サイトウ ミナ', 'left', {
      in_at: '14:05', out_at: '16:40', plan: { leave: '16:30', way_home: 'pickup', pickup: mother },
      pickups: [mother], collected_by: { name: '斎藤 和子', relation: '祖母' },
    }),
    kid('X04', '千葉 四郎', 'チバ シロウ', 'present', {
      in_at: '14:10', manual: true, plan: { leave: '18:00', way_home: 'pickup', pickup: mother }, pickups: [mother],
    }),
    kid('X05', EVIL, 'アクヤク', 'present', {
      in_at: '14:20', plan: { leave: '17:00', way_home: 'alone', pickup: null },
      alert: withAlerts ? 'still_present' : null, alert_due: withAlerts ? '19:00' : null,
    }),
    kid('X06', '中川 六実', 'ナカガワ ムツミ', 'expected', { plan: { leave: '17:30', way_home: 'alone', pickup: null } }),
    kid('X07', '長野 七瀬', 'ナガノ ナナセ', withAlerts ? 'not_arrived' : 'expected', {
      plan: { leave: '18:30', way_home: 'pickup', pickup: mother }, alert: withAlerts ? 'not_arrived' : null,
      alert_due: withAlerts ? '14:30' : null,
    }),
  ];
  const counts = Object.fromEntries(STATUSES.map((s) => [s, children.filter((c) => c.status === s).length]));
  return {
    site: { code: SITE, name: 'すみれ学童クラブ', phone: '03-1234-5678', opens: '13:00', closes: '19:00',
      arrival: '14:00', grace_min: 30 },
    day: '2026-11-24', now: '19:05', counts,
    // raised_at: when the server noticed (it started late); due_at: the time each is about.
    alerts: withAlerts ? [{ kind: 'still_present', child_no: 'X05', due_at: '19:00', raised_at: '19:00' },
      { kind: 'not_arrived', child_no: 'X07', due_at: '14:30', raised_at: '15:27' }] : [],
    children,
  };
}

test('board: six statuses in order, alerts banner, plans, absences, collectors; data stays text (made-up answer)',
  { timeout: 180000 }, async () => {
    const page = await newPage(browser, DESKTOP);
    let answer = fakeBoard(true);
    await page.route(`**/api/v1/sites/${SITE}/board`, (route) => route.fulfill({
      status: 200, contentType: 'application/json', body: JSON.stringify(answer),
    }));
    // A made-up answer changes without the server knowing: no live updates (the page then
    // polls every 3 s, as behind a proxy that drops the stream).
    await page.route('**/board/events', (route) => route.abort());
    try {
      await signIn(page);
      await rowOf(page, 'X07').waitFor({ state: 'attached' });

      // Counts, the not-arrived one marked urgent.
      for (const s of STATUSES) {
        assert.equal(await tid(page, `count-${s}`).innerText(), String(answer.counts[s]), `count-${s}`);
      }
      assert.equal(await page.locator('.count[data-tab="not_arrived"]').getAttribute('data-urgent'), 'true');

      // The banner (open on a wide screen): one item per alert, not-arrived first, each kind
      // with the time it is about — not when the server noticed (15:27).
      const alerts = tid(page, 'alerts');
      await alerts.waitFor({ state: 'visible' });
      assert.equal(await alerts.evaluate((e) => e.open), true);
      assert.match(await tid(page, 'alerts-summary').innerText(), /確認してください\s*未到着 1人・閉所後在室 1人/);
      const items = alerts.locator('[data-testid="alert"]');
      assert.equal(await items.count(), 2);
      assert.equal(await items.nth(0).getAttribute('data-kind'), 'not_arrived');
      const lines = alerts.locator('.alert-item');
      assert.match(await lines.nth(0).innerText(), /未到着[\s\S]*14:30を過ぎても入室なし（到着予定 14:00）[\s\S]*長野 七瀬/);
      assert.match(await lines.nth(1).innerText(), /閉所後在室[\s\S]*閉所 19:00 を過ぎて在室/);
      assert.doesNotMatch(await alerts.innerText(), /15:27/);

      // Rows grouped: not_arrived, expected, present, left, absent, off.
      const order = await page.locator('[data-testid="child"]').evaluateAll((rows) => rows.map((r) => r.dataset.status));
      const rank = (s) => STATUSES.indexOf(s);
      assert.deepEqual(order, [...order].sort((a, b) => rank(a) - rank(b)), `rows in board order: ${order}`);
      assert.deepEqual([...new Set(order)], STATUSES, 'every status has its row');

      // What each row says.
      const text = async (no) => (await rowOf(page, no).innerText()).replace(/\s+/g, ' ');
      assert.match(await text('X07'), /14:30を過ぎても未到着（到着予定 14:00）/);
      assert.match(await text('X04'), /入室 14:10/);
      assert.match(await text('X04'), /帰り 18:00・お迎え：小林 直子（母）/);
      assert.equal((await rowOf(page, 'X04').locator('[data-testid="manual-mark"]').innerText()).trim(), '手入力');
      assert.match(await text('X05'), /帰り 17:00・一人で帰宅/);
      assert.match(await text('X05'), /閉所 19:00 を過ぎて在室/);
      assert.match(await text('X02'), /欠席：発熱のため（38\.5℃）/);
      assert.match(await text('X03'), /退室 16:40/);
      assert.match(await text('X03'), /お迎え：斎藤 和子（祖母）/);
      assert.match(await text('X01'), /予定なし/);
      // お迎え: for present children; not for one already collected, nor for absent / off ones.
      assert.equal(await rowOf(page, 'X04').locator('[data-testid="pickup-button"]').count(), 1);
      for (const no of ['X01', 'X02', 'X03', 'X06', 'X07']) {
        assert.equal(await rowOf(page, no).locator('[data-testid="pickup-button"]').count(), 0, `no お迎え for ${no}`);
      }
      // Every row keeps its 手入力 button.
      assert.equal(await page.locator('[data-testid="child"] [data-testid="manual-button"]').count(), 7);

      // Names are text, never markup.
      assert.ok((await text('X05')).includes(EVIL.replace(/\s+/g, ' ')), 'the name is shown as typed');
      assert.equal(await page.locator('#groups img, #alerts img').count(), 0, 'no element made from data');
      assert.equal(await page.evaluate(() => window.__xss), undefined);

      // The banner's name shows the child's row.
      await items.nth(0).locator('button').click();
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.childNo), 'X07');
      await shot(page, 'staff-board-alerts-desktop');

      // The filter narrows every group.
      await page.locator('#filter').fill('ちば');
      await eventually(async () => (await page.locator('[data-testid="child"]').count()) === 1, { message: 'the filter' });
      await page.locator('#filter').fill('');

      // Phone: counts are tabs.
      await page.setViewportSize(PHONE.viewport);
      await page.locator('.count[data-tab="not_arrived"]').click();
      await rowOf(page, 'X07').waitFor({ state: 'visible' });
      assert.ok(await rowOf(page, 'X04').isHidden(), 'one group at a time on a phone');
      await shot(page, 'staff-board-alerts-phone');
      await page.locator('.count[data-tab="absent"]').click();
      await rowOf(page, 'X02').waitFor({ state: 'visible' });
      await page.setViewportSize(DESKTOP.viewport);

      // The alerts clear (a scan or an absence notice): the banner goes at the next poll.
      answer = fakeBoard(false);
      await alerts.waitFor({ state: 'hidden', timeout: 10000 });
      await page.locator('[data-testid="child"][data-child-no="X07"][data-status="expected"]').waitFor({ state: 'attached' });
      assert.equal(await page.locator('.count[data-tab="not_arrived"]').getAttribute('data-urgent'), 'false');
      assert.equal(await tid(page, 'count-not_arrived').innerText(), '0');
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  });

// ---------------------------------------------------------------------------------------------
test('pickup: a child with no pickup people — the dialog says so and offers 手入力', { timeout: 180000 }, async () => {
  const staff = await userApi(env, env.STAFF_LOGIN);
  let b = await board(staff);
  const candidates = b.children.filter((c) => c.child_no !== CHILD && (c.pickups || []).length === 0);
  let child = candidates.find((c) => c.status === 'present');
  if (!child) {
    child = candidates.find((c) => c.status !== 'present');
    assert.ok(child, 'a child of the site without pickup people');
    const r = await staff.send('POST', `/api/v1/sites/${SITE}/manual-scans`,
      { child_no: child.child_no, direction: 'in', reason: 'ブラウザテスト：お迎え者なしの確認' });
    assert.equal(r.status, 200, `manual 入室 answered ${r.status}: ${r.text}`);
    b = await board(staff);
    assert.equal(b.children.find((c) => c.child_no === child.child_no).status, 'present');
  }

  const page = await newPage(browser, DESKTOP);
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/checkouts')) posts.push(r.url()); });
  try {
    await signIn(page);
    const row = page.locator(`[data-testid="child"][data-child-no="${child.child_no}"][data-status="present"]`);
    await row.waitFor({ state: 'attached', timeout: 12000 });
    await row.locator('[data-testid="pickup-button"]').click();
    const dialog = page.locator('dialog[data-testid="pickup-dialog"]');
    await dialog.waitFor({ state: 'visible' });
    await tid(page, 'pickup-none').waitFor({ state: 'visible' });
    assert.match(await tid(page, 'pickup-none').innerText(), /保護者がお迎え者を登録していません/);
    assert.ok(await tid(page, 'pickup-submit').isHidden(), 'nothing to choose, nothing to record');
    assert.equal(await dialog.locator('[data-testid="pickup-option"]').count(), 0);
    await shot(page, 'staff-pickup-none');
    // 手入力 instead: the manual exit dialog for the same child.
    await tid(page, 'pickup-manual').click();
    await dialog.waitFor({ state: 'hidden' });
    const manual = page.locator('dialog[data-testid="manual-dialog"]');
    await manual.waitFor({ state: 'visible' });
    assert.match(await manual.innerText(), /退室/);
    assert.ok((await manual.innerText()).includes(child.name), 'the manual dialog names the child');
    await tid(page, 'manual-cancel').click();
    await manual.waitFor({ state: 'hidden' });
    assert.equal(posts.length, 0, 'no check-out was sent');
    assert.equal(await row.count(), 1, 'the child is still present');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

// ---------------------------------------------------------------------------------------------
test('pickup: staff record who collected the child; the row moves to 退室 with お迎え; the guardian is told who',
  { timeout: 300000 }, async () => {
    const staff = await userApi(env, env.STAFF_LOGIN);
    const parent = await parentApi(env);
    const stamp = Date.now();
    const P1 = { name: `お迎え 太郎${stamp}`, relation: '祖父' };
    const P2 = { name: `お迎え 次郎${stamp}`, relation: '叔父' };

    // The guardian adds two pickup people (no deadline for that).
    const ids = [];
    for (const p of [P1, P2]) {
      const r = await parent.send('POST', `/api/v1/parent/children/${CHILD}/pickups`, p);
      assert.equal(r.status, 201, `adding a pickup person answered ${r.status}: ${r.text}`);
      assert.equal(r.data.name, p.name);
      assert.equal(r.data.relation, p.relation);
      assert.ok(Number.isInteger(r.data.id), `pickup id: ${r.text}`);
      ids.push(r.data.id);
    }
    const [p1, p2] = ids;
    const listed = await parent.get(`/api/v1/parent/children/${CHILD}/pickups`);
    assert.equal(listed.status, 200, listed.text);
    for (const id of ids) assert.ok(listed.data.pickups.some((p) => p.id === id), `pickup ${id} is listed`);

    // Today's plan: attend, home with P1. Refused on Sundays and after the same-day deadline
    // (400 / 409, with a message); the rest of the test does not need it.
    let b = await board(staff);
    assert.ok(/^\d{4}-\d{2}-\d{2}$/.test(b.day), `board day: ${b.day}`);
    for (const k of STATUSES) assert.ok(Number.isInteger(b.counts[k]), `counts.${k}: ${JSON.stringify(b.counts)}`);
    assert.ok(Array.isArray(b.alerts), 'alerts is a list');
    const put = await parent.send('PUT', `/api/v1/parent/children/${CHILD}/days/${b.day}`,
      { status: 'attend', leave: leaveTime(b.site || {}), way_home: 'pickup', pickup_id: p1 });
    assert.ok([200, 400, 409].includes(put.status), `today's plan answered ${put.status}: ${put.text}`);
    const planned = put.status === 200;
    if (!planned) assert.ok(put.data && put.data.message, `a refusal says why: ${put.text}`);

    // The child comes in (a manual 入室 by staff: no card needed, works at any hour).
    b = await board(staff);
    let row = b.children.find((c) => c.child_no === CHILD);
    assert.ok(row, `${CHILD} is on the board`);
    if (planned) {
      assert.equal(row.plan && row.plan.way_home, 'pickup', `plan: ${JSON.stringify(row.plan)}`);
      assert.equal(row.plan.pickup && row.plan.pickup.id, p1);
    }
    if (row.status !== 'present') {
      const r = await staff.send('POST', `/api/v1/sites/${SITE}/manual-scans`,
        { child_no: CHILD, direction: 'in', reason: 'ブラウザテスト：お迎えの確認' });
      assert.equal(r.status, 200, `manual 入室 answered ${r.status}: ${r.text}`);
    }
    b = await board(staff);
    row = b.children.find((c) => c.child_no === CHILD);
    assert.equal(row.status, 'present', `status: ${JSON.stringify(row)}`);
    // (after closing time a still_present alert may follow: that one depends on the hour)
    assert.notEqual(row.alert, 'not_arrived', 'an entry clears a not-arrived alert');
    assert.ok(!b.alerts.some((a) => a.child_no === CHILD && a.kind === 'not_arrived'), 'no not-arrived alert left');
    for (const id of ids) assert.ok(row.pickups.some((p) => p.id === id), `the board lists pickup ${id}`);

    // An unknown pickup person: 400, and nothing is recorded.
    const bad = await staff.send('POST', `/api/v1/sites/${SITE}/checkouts`, { child_no: CHILD, pickup_id: 2147480000 });
    assert.equal(bad.status, 400, `unknown pickup_id answered ${bad.status}: ${bad.text}`);
    assert.ok(bad.data && bad.data.message, `400 with a message: ${bad.text}`);
    b = await board(staff);
    assert.equal(b.children.find((c) => c.child_no === CHILD).status, 'present', 'still present after the refusal');

    // Two staff screens show the child present.
    const page = await newPage(browser, DESKTOP);
    const other = await newPage(browser, DESKTOP);
    const posts = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/checkouts')) {
        posts.push({ csrf: r.headers()['x-csrf-token'] || null, body: JSON.parse(r.postData() || 'null') });
      }
    });
    try {
      await signIn(page);
      await signIn(other);
      const presentRow = (pg) => pg.locator(`[data-testid="child"][data-child-no="${CHILD}"][data-status="present"]`);
      await presentRow(page).waitFor({ state: 'attached', timeout: 12000 });
      await presentRow(other).waitFor({ state: 'attached', timeout: 12000 });
      if (planned) assert.match(await presentRow(page).innerText(), new RegExp(`お迎え：${P1.name}`));

      // The other screen opens the dialog too and chooses P1, but waits.
      await presentRow(other).locator('[data-testid="pickup-button"]').click();
      const otherDialog = other.locator('dialog[data-testid="pickup-dialog"]');
      await otherDialog.waitFor({ state: 'visible' });
      await otherDialog.locator(`[data-testid="pickup-option"][value="${p1}"]`).check();

      // This screen: お迎え → the child's pickup people, the planned one chosen already.
      await presentRow(page).locator('[data-testid="pickup-button"]').click();
      const dialog = page.locator('dialog[data-testid="pickup-dialog"]');
      await dialog.waitFor({ state: 'visible' });
      assert.match(await dialog.innerText(), new RegExp(env.PARENT_CHILD_NAME.replace(/\s/g, '\\s')));
      const opt1 = dialog.locator(`[data-testid="pickup-option"][value="${p1}"]`);
      const opt2 = dialog.locator(`[data-testid="pickup-option"][value="${p2}"]`);
      assert.equal(await opt1.getAttribute('type'), 'radio');
      // Each radio has its label: name（relation）.
      assert.match((await dialog.locator(`label[for="${await opt1.getAttribute('id')}"]`).innerText()).replace(/\s+/g, ''),
        new RegExp(`${P1.name.replace(/\s/g, '')}（${P1.relation}）`));
      assert.match((await dialog.locator(`label[for="${await opt2.getAttribute('id')}"]`).innerText()).replace(/\s+/g, ''),
        new RegExp(`${P2.name.replace(/\s/g, '')}（${P2.relation}）`));
      if (planned) assert.equal(await opt1.isChecked(), true, 'the planned pickup person is chosen already');
      await shot(page, 'staff-pickup-dialog');

      // Nothing chosen: a message, nothing sent (only when no plan chose one already).
      if (!(await dialog.locator('[data-testid="pickup-option"]:checked').count())) {
        await tid(page, 'pickup-submit').click();
        await tid(page, 'pickup-error').waitFor({ state: 'visible' });
        assert.equal(posts.length, 0, 'nothing is sent without a choice');
      }
      await opt1.check();
      const mailsBefore = mailsTo(env, env.PARENT_EMAIL).length;
      await tid(page, 'pickup-submit').click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(posts.length, 1, 'one POST /checkouts');
      assert.ok(posts[0].csrf, 'the POST carries X-CSRF-Token');
      assert.deepEqual(posts[0].body, { child_no: CHILD, pickup_id: p1 });

      // The row moves to 退室 and says who collected the child.
      const leftRow = page.locator(`[data-testid="child"][data-child-no="${CHILD}"][data-status="left"]`);
      await leftRow.waitFor({ state: 'attached', timeout: 8000 });
      await eventually(async () => (await leftRow.locator('[data-testid="collected-by"]').count()) === 1,
        { message: 'the collector on the row' });
      const collected = await leftRow.locator('[data-testid="collected-by"]').innerText();
      assert.ok(collected.includes(`お迎え：${P1.name}`), `collector shown: ${collected}`);
      assert.ok(collected.includes(P1.relation), `relation shown: ${collected}`);
      assert.equal(await leftRow.locator('[data-testid="pickup-button"]').count(), 0, 'collected: no お迎え button');
      assert.equal(await leftRow.locator('[data-testid="manual-button"]').getAttribute('data-direction'), 'in');
      assert.match(await tid(page, 'board-notice').innerText(), new RegExp(P1.name));
      await shot(page, 'staff-pickup-recorded');

      // The board answer agrees.
      b = await board(staff);
      row = b.children.find((c) => c.child_no === CHILD);
      assert.equal(row.status, 'left');
      assert.ok(row.out_at, 'out_at is set');
      assert.equal(row.collected_by && row.collected_by.name, P1.name, JSON.stringify(row.collected_by));
      assert.equal(row.collected_by.relation, P1.relation);

      // The other screen records too late: the server's refusal is shown in its dialog.
      await other.locator('[data-testid="pickup-submit"]').click();
      const err = other.locator('dialog[data-testid="pickup-dialog"] [data-testid="pickup-error"]');
      await err.waitFor({ state: 'visible' });
      assert.equal(await err.getAttribute('role'), 'alert');
      const shown = await err.innerText();
      await shot(other, 'staff-pickup-refused');
      assert.ok(await otherDialog.isVisible(), 'the dialog stays open with the message');

      // A second check-out through the API: 409 with a message, the same one the page showed.
      const again = await staff.send('POST', `/api/v1/sites/${SITE}/checkouts`, { child_no: CHILD, pickup_id: p1 });
      assert.equal(again.status, 409, `a second check-out answered ${again.status}: ${again.text}`);
      assert.ok(again.data && typeof again.data.message === 'string' && again.data.message.trim(), `409 with a message: ${again.text}`);
      assert.ok(shown.includes(again.data.message.trim()), `the page showed the server's message: ${shown}`);
      await other.locator('[data-testid="pickup-cancel"]').click();
      await otherDialog.waitFor({ state: 'hidden' });
      await other.locator(`[data-testid="child"][data-child-no="${CHILD}"][data-status="left"]`)
        .waitFor({ state: 'attached', timeout: 8000 });

      // The guardian's exit mail names who collected the child.
      const mail = await eventually(() => mailsTo(env, env.PARENT_EMAIL).slice(mailsBefore)
        .find((m) => m.body.includes(P1.name)), { timeoutMs: 30000, message: 'the exit mail naming the collector' });
      assert.ok(mail.body.includes(P1.name), mail.body);
      assertNoProblems(page);
      assertNoProblems(other);
    } catch (e) {
      // What the screens showed when it went wrong (and what they logged).
      await shot(page, 'staff-pickup-failed').catch(() => {});
      await shot(other, 'staff-pickup-failed-other').catch(() => {});
      e.message += `\npage problems: ${JSON.stringify(page.problems)}; other: ${JSON.stringify(other.problems)}`;
      throw e;
    } finally {
      await page.context().close();
      await other.context().close();
    }
  });
