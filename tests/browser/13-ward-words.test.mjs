// SPDX-License-Identifier: MIT
// A ward that says 登所/降所 ([ward] entry_word/exit_word): the kiosk, the staff board, the
// ward administrator's pages, the guardians' page and their confirmation and unsubscribe pages
// say the ward's words everywhere they speak of a child coming in or going home
// (labels, counts, group titles, empty texts, the row's times, the manual and pickup dialogs,
// the board's messages, the day's attendance on the guardians' page) and never 入室/退室/入退室.
// The driver starts a second server for it (POST {CONTROL_URL}/words, its own data directory,
// its clock after the site's deadline), so every other test keeps the default words. On the way:
// a manual entry refused because the child came in meanwhile is told apart by the API's code
// (already_present) and the board is redrawn; today's change refused after the deadline shows the
// server's own reason with the club's phone as a tel: link. axe-core at 390 and 1280 px on each
// state; no console errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, apiScan, parentLoginLink, userApi,
  PHONE, DESKTOP, KIOSK_SCREEN,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_CONTROL_URL']);
const WRONG = /入室|退室|入退室/;
let browser;
let w;     // what the driver tells of the second server
let wenv;  // the same in the shape the helpers take ({URL, MAILDIR, KIOSK_TOKEN, …})

const tid = (p, id) => p.locator(`[data-testid="${id}"]`);

before(async () => {
  browser = await launch();
  // Building the second ward (cards, a kiosk, a confirmed guardian) takes a while under the
  // sanitizers: a longer bound than helpers.control's.
  const res = await fetch(`${env.CONTROL_URL.replace(/\/+$/, '')}/words`, { method: 'POST', signal: AbortSignal.timeout(180000) });
  const text = await res.text();
  assert.equal(res.status, 200, `control words answered ${res.status}: ${text}`);
  w = JSON.parse(text);
  wenv = {
    URL: w.url, MAILDIR: w.maildir, KIOSK_TOKEN: w.kiosk_token, STAFF_LOGIN: w.staff_login,
    STAFF_PASSWORD: w.staff_password, PARENT_EMAIL: w.parent_email,
  };
});
after(async () => { await browser?.close(); });

/** Fails when the page says the default words anywhere: its text (hidden parts too: dialogs,
 * templates), its title, and the labels a screen reader reads. */
async function saysTheWardsWords(p, label) {
  const found = await p.evaluate((re) => {
    const wrong = new RegExp(re);
    const hits = [];
    if (wrong.test(document.title)) hits.push(`title: ${document.title}`);
    const text = document.body.textContent.replace(/\s+/g, ' ');
    const m = wrong.exec(text);
    if (m) hits.push(`text: …${text.slice(Math.max(0, m.index - 40), m.index + 20)}…`);
    for (const n of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
        const v = n.getAttribute(a);
        if (v && wrong.test(v)) hits.push(`${a}: ${v}`);
      }
    }
    return hits;
  }, WRONG.source);
  assert.deepEqual(found, [], `${label} says 入室/退室 instead of the ward's words`);
}

/** axe-core and the words at 390 and 1280 px; the page is left at width. */
async function checkBoth(p, label, name, width = DESKTOP) {
  for (const [px, vp] of [['390', PHONE.viewport], ['1280', DESKTOP.viewport]]) {
    await p.setViewportSize(vp);
    await saysTheWardsWords(p, `${label} (${px} px)`);
    await shot(p, `${name}-${px}`);
    await checkA11y(p, `${label} (${px} px)`);
  }
  await p.setViewportSize(width.viewport);
}

test('ward words: the ward\'s API says 登所/降所', async () => {
  const r = await fetch(`${w.url}/api/v1/ward`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { entry_word: '登所', exit_word: '降所' });
});

test('ward words: the kiosk says 登所 for a scan', { timeout: 180000 }, async () => {
  const page = await newPage(browser, KIOSK_SCREEN);
  try {
    await page.goto(`${w.url}/kiosk/`);
    await tid(page, 'setup-token').waitFor({ state: 'visible' });
    await tid(page, 'setup-token').fill(w.kiosk_token);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await tid(page, 'kiosk-message').filter({ hasText: 'カードをかざしてください' }).waitFor({ state: 'visible' });
    await saysTheWardsWords(page, 'the kiosk, ready');
    await page.keyboard.type(w.card_codes[0], { delay: 5 });
    await page.keyboard.press('Enter');
    const name = w.children[0].name;
    await tid(page, 'kiosk-name').filter({ hasText: name }).waitFor({ state: 'visible' });
    assert.equal(await tid(page, 'kiosk-result').getAttribute('data-state'), 'in');
    assert.equal((await tid(page, 'kiosk-direction').innerText()).trim(), '登所');
    assert.match(await tid(page, 'kiosk-message').innerText(), /登所を記録しました/);
    await saysTheWardsWords(page, 'the kiosk after a scan');
    await shot(page, 'words-kiosk-in');
    await checkA11y(page, 'the kiosk after a 登所 scan');
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('ward words: the staff board, its dialogs and messages say 登所/降所; a refused manual entry is told by its code', { timeout: 300000 }, async () => {
  const [first, second, planned] = w.children;
  const page = await newPage(browser, DESKTOP);
  try {
    await page.goto(`${w.url}/staff/`);
    await tid(page, 'login-id').waitFor({ state: 'visible' });
    await tid(page, 'login-id').fill(w.staff_login);
    await tid(page, 'login-password').fill(w.staff_password);
    await tid(page, 'login-submit').click();
    await tid(page, 'board').waitFor({ state: 'visible' });
    const row = (c) => page.locator(`[data-testid="child"][data-child-no="${c.child_no}"]`);
    // The kiosk's scan: here, "登所 15:3x" on the row; the planned child who never came is an
    // alert that says 登所; nobody has gone home yet.
    await row(first).and(page.locator('[data-status="present"]')).waitFor({ state: 'attached' });
    assert.match(await row(first).locator('[data-testid="time-in"]').innerText(), /^登所 \d{2}:\d{2}$/);
    await row(planned).and(page.locator('[data-status="not_arrived"]')).waitFor({ state: 'attached', timeout: 15000 });
    assert.match(await tid(page, 'alerts').innerText(), /14:30を過ぎても登所なし（到着予定 14:00）/);
    assert.equal((await page.locator('.count-left .count-label').innerText()).trim(), '降所');
    assert.match(await page.locator('#gt-left').innerText(), /^降所/);
    assert.equal((await page.locator('[data-list="left"] .empty').innerText()).trim(), '降所した子どもはいません');
    assert.equal(await page.locator('#app').getAttribute('aria-label'), '登所・降所の状況');
    assert.match(await row(first).locator('[data-testid="manual-button"]').innerText(), /手入力（降所）/);
    assert.match(await row(second).locator('[data-testid="manual-button"]').innerText(), /手入力（登所）/);
    await checkBoth(page, 'the board of a 登所/降所 ward', 'words-board');

    // The pickup dialog of a child with no pickup person: 降所 in its title, text and button.
    await row(first).locator('[data-testid="pickup-button"]').click();
    const pickup = page.locator('dialog[data-testid="pickup-dialog"]');
    await pickup.waitFor({ state: 'visible' });
    assert.equal((await page.locator('#pickup-title').innerText()).trim(), 'お迎えで降所を記録');
    assert.match(await page.locator('#pickup-desc').innerText(), new RegExp(`${first.name}さんの降所を記録します`));
    assert.equal((await tid(page, 'pickup-manual').innerText()).trim(), '手入力で降所を記録');
    await checkBoth(page, 'the pickup dialog', 'words-pickup');
    // …on to the manual exit, then recorded: the notice, the row under 降所 with both times.
    await tid(page, 'pickup-manual').click();
    const manual = page.locator('dialog[data-testid="manual-dialog"]');
    await manual.waitFor({ state: 'visible' });
    assert.equal((await page.locator('#manual-title').innerText()).trim(), '手入力で降所を記録');
    assert.match(await page.locator('#manual-desc').innerText(), /降所を、カードなしで記録します/);
    await checkBoth(page, 'the manual dialog (降所)', 'words-manual');
    await tid(page, 'manual-reason').fill('お迎えの方が来たため');
    await tid(page, 'manual-submit').click();
    await manual.waitFor({ state: 'hidden' });
    await tid(page, 'board-notice').filter({ hasText: `${first.name}さんの降所を手入力で記録しました` }).waitFor({ state: 'visible' });
    const gone = row(first).and(page.locator('[data-status="left"]'));
    await gone.waitFor({ state: 'attached' });
    assert.equal((await gone.locator('[data-testid="child-status"]').innerText()).trim(), '降所');
    assert.match(await gone.locator('[data-testid="time-out"]').innerText(), /^降所 \d{2}:\d{2}$/);
    assert.match(await gone.innerText(), /登所 \d{2}:\d{2}[\s\S]*→[\s\S]*降所 \d{2}:\d{2}/);
    assert.equal((await page.locator('[data-testid="count-left"]').innerText()).trim(), '1');
    await checkBoth(page, 'the board after a 降所', 'words-board-left');

    // A manual 登所 for the second child, who comes in by card while the dialog is open: the
    // server refuses with code already_present; the page says so, offers nothing more to
    // record, and shows the board as it is now.
    await row(second).locator('[data-testid="manual-button"]').click();
    await manual.waitFor({ state: 'visible' });
    assert.equal((await page.locator('#manual-title').innerText()).trim(), '手入力で登所を記録');
    const scan = await apiScan(wenv, w.card_codes[1]);
    assert.equal(scan.status, 200, scan.text);
    assert.equal(scan.data.direction, 'in');
    await tid(page, 'manual-reason').fill('カードを忘れたため');
    const answer = page.waitForResponse((r) => r.url().includes('/manual-scans'));
    await tid(page, 'manual-submit').click();
    const refused = await (await answer).json();
    assert.equal(refused.code, 'already_present');
    const error = tid(page, 'manual-error');
    await error.waitFor({ state: 'visible' });
    assert.equal((await error.innerText()).trim(), `${refused.message} ボードは最新の状態に更新しました。`);
    assert.ok(await tid(page, 'manual-submit').isHidden(), 'nothing more to record in this dialog');
    assert.equal((await tid(page, 'manual-cancel').innerText()).trim(), '閉じる');
    await row(second).and(page.locator('[data-status="present"]')).waitFor({ state: 'attached', timeout: 8000 });
    await checkBoth(page, 'the manual dialog refused (already_present)', 'words-manual-refused');
    await tid(page, 'manual-cancel').click();
    await manual.waitFor({ state: 'hidden' });
    assert.equal(await row(second).locator('[data-testid="manual-button"]').getAttribute('data-direction'), 'out');
    // Nothing was recorded twice.
    const staff = await userApi(wenv, w.staff_login, w.staff_password);
    const board = (await staff.get(`/api/v1/sites/${w.site_code}/board`)).data;
    assert.equal(board.children.find((c) => c.child_no === second.child_no).manual, undefined);
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('ward words: the guardians\' page says 登所/降所; today\'s lock is the server\'s reason with the phone', { timeout: 240000 }, async () => {
  const child = w.children[0];
  const page = await newPage(browser, PHONE);
  try {
    const link = await parentLoginLink(wenv);
    await page.goto(link);
    await tid(page, 'login-button').click();
    await tid(page, 'panel-plan').waitFor({ state: 'visible' });
    assert.equal((await tid(page, 'child-name').innerText()).trim(), child.name);
    // Today (the server's day) in this week: came in and went home, in the ward's words.
    const today = page.locator(`[data-testid="week-day"][data-day="${w.day}"]`);
    await today.waitFor({ state: 'visible' });
    assert.match(await today.innerText(), /登所 \d{2}:\d{2}・降所 \d{2}:\d{2}/);
    await checkBoth(page, 'the guardians\' week of a 登所/降所 ward', 'words-parent-week', PHONE);

    await today.click();
    const dialog = page.locator('dialog[data-testid="day-dialog"]');
    await dialog.waitFor({ state: 'visible' });
    assert.equal((await tid(page, 'day-attended-label').innerText()).trim(), '登所・降所');
    assert.match(await tid(page, 'day-attended').innerText(), /^登所 \d{2}:\d{2}・降所 \d{2}:\d{2}$/);
    // After 12:00 today is locked: the server's reason as it is, its phone a tel: link.
    const locked = tid(page, 'day-locked');
    await locked.waitFor({ state: 'visible' });
    assert.equal((await locked.innerText()).trim(), `当日の変更は12:00で締め切りました。クラブへお電話ください（${w.phone}）。`);
    const tel = locked.locator('a[href^="tel:"]');
    assert.equal((await tel.innerText()).trim(), w.phone);
    assert.equal(await tel.getAttribute('href'), `tel:${w.phone.replace(/-/g, '')}`);
    await checkBoth(page, 'a locked day\'s dialog of a 登所/降所 ward', 'words-parent-day', PHONE);
    await tid(page, 'day-cancel').click();
    await dialog.waitFor({ state: 'hidden' });

    // The month calendar and the other pages say nothing else.
    await page.goto(`${w.url}/parent/#plan/month`);
    await page.locator('[data-testid="day"]').first().waitFor({ state: 'visible' });
    await saysTheWardsWords(page, 'the month calendar');
    for (const tab of ['absence', 'pickup']) {
      await tid(page, `tab-${tab}`).click();
      await tid(page, `panel-${tab}`).waitFor({ state: 'visible' });
      await saysTheWardsWords(page, `the ${tab} page`);
    }
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
});

test('ward words: the ward administrator\'s pages, the confirmation and the unsubscribe pages say 登所/降所', { timeout: 240000 }, async () => {
  const page = await newPage(browser, DESKTOP);
  try {
    await page.goto(`${w.url}/ward/`);
    await tid(page, 'login-id').waitFor({ state: 'visible' });
    await tid(page, 'login-id').fill(w.admin_login);
    await tid(page, 'login-password').fill(w.staff_password);
    await tid(page, 'login-submit').click();
    const row = page.locator(`[data-testid="overview-row"][data-site="${w.site_code}"]`);
    await row.waitFor({ state: 'visible' });
    assert.equal(await row.locator('[data-count="left"]').getAttribute('data-label'), '降所');
    assert.equal((await page.locator('[data-key="left"] .total-label').innerText()).trim(), '降所');
    await checkBoth(page, 'the ward home of a 登所/降所 ward', 'words-ward-home');
    for (const [path, ready] of [['sites.html', '#grace-hint'], ['cards.html', '#page-title']]) {
      await page.goto(`${w.url}/ward/${path}#site=${w.site_code}`);
      await page.locator(ready).waitFor({ state: 'visible' });
      await page.locator('[data-word="exit"], [data-word="entry"]').first().filter({ hasText: /登所|降所/ }).waitFor({ state: 'attached' });
      await checkBoth(page, `the ward's ${path}`, `words-ward-${path.replace('.html', '')}`);
    }
    assertNoProblems(page);
  } finally {
    await page.context().close();
  }
  // The guardians' public pages from a mail's links (no token here: the pages still explain
  // themselves in the ward's words).
  const phone = await newPage(browser, PHONE);
  try {
    for (const path of ['/confirm/', '/unsubscribe/']) {
      await phone.goto(`${w.url}${path}`);
      await phone.locator('[data-word="entry"]').first().filter({ hasText: '登所' }).waitFor({ state: 'attached' });
      await checkBoth(phone, `the ${path} page`, `words${path.replace(/\//g, '-')}`.replace(/-$/, ''), PHONE);
    }
  } finally {
    await phone.context().close();
  }
});
