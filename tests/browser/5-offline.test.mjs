// Kiosk without the server: scans are kept (IndexedDB) with their time, survive a reload,
// and are sent when the server is back; they are recorded at the time they happened.
// Needs the driver's control API (MIMAMORI_CONTROL_URL) to stop and start the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, control, staffApi, KIOSK_SCREEN,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_KIOSK_TOKEN', 'MIMAMORI_STAFF_LOGIN', 'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_SITE_CODE', 'MIMAMORI_CONTROL_URL', 'MIMAMORI_OFFLINE_CODES', 'MIMAMORI_OFFLINE_NAMES']);
const CODES = env.OFFLINE_CODES.split(',').map((c) => c.trim());
const NAMES = env.OFFLINE_NAMES.split(',').map((c) => c.trim());
const IDLE = 'カードをかざしてください';
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Minutes since midnight, Japan time. */
const jstMinutes = (ms) => Math.floor(ms / 60000 + 9 * 60) % 1440;
const hhmmMinutes = (s) => { const m = /^(\d{1,2}):(\d{2})$/.exec(s || ''); return m ? +m[1] * 60 + +m[2] : NaN; };
const minuteGap = (a, b) => { const d = Math.abs(a - b) % 1440; return Math.min(d, 1440 - d); };
const pending = async (page) => Number((await tid(page, 'kiosk-pending').innerText()).trim());

test('kiosk offline: 3 scans while the server is stopped are kept, survive a reload, and are recorded with their times',
  { timeout: 360000 }, async () => {
    assert.equal(CODES.length, 3, 'MIMAMORI_OFFLINE_CODES holds 3 codes');
    assert.equal(NAMES.length, 3, 'MIMAMORI_OFFLINE_NAMES holds 3 names');
    const page = await newPage(browser, KIOSK_SCREEN);
    // Answers to the kiosk's POST /scans after the server is back: the kept scans.
    const answers = [];
    page.on('response', async (r) => {
      if (r.request().method() !== 'POST' || !r.url().endsWith('/api/v1/scans')) return;
      let sent = null;
      let data = null;
      try { sent = JSON.parse(r.request().postData() || 'null'); } catch { /* keep null */ }
      try { data = await r.json(); } catch { /* keep null */ }
      answers.push({ status: r.status(), sent, data, receivedMs: Date.now() });
    });
    let stopped = false;
    try {
      // Set up the kiosk (keyboard only) while the server is there.
      await page.goto(`${env.URL}/kiosk/`);
      await tid(page, 'setup-token').waitFor({ state: 'visible' });
      await page.keyboard.type(env.KIOSK_TOKEN);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await tid(page, 'kiosk-message').filter({ hasText: IDLE }).waitFor({ state: 'visible' });
      assert.ok(await tid(page, 'kiosk-offline').isHidden(), 'no offline banner while online');
      // The page itself must be kept for a reload without the server (service worker).
      await page.evaluate(() => Promise.race([navigator.serviceWorker.ready.then(() => true),
        new Promise((_, no) => setTimeout(() => no(new Error('service worker not ready in 10 s')), 10000))]));

      // The server goes away.
      await control(env, 'stop');
      stopped = true;

      const typed = [];
      for (let i = 0; i < CODES.length; i++) {
        await page.keyboard.type(CODES[i], { delay: 5 });
        await page.keyboard.press('Enter');
        typed.push(Date.now());
        await page.waitForFunction((n) => document.querySelector('[data-testid="kiosk-pending"]')?.textContent.trim() === String(n)
          && document.querySelector('[data-testid="kiosk-result"]').dataset.state === 'offline', i + 1);
        // A neutral confirmation for the child: read, no name (the server decides who it is).
        assert.match(await tid(page, 'kiosk-message').innerText(), /読み取りました（オフライン）/);
        assert.ok(await tid(page, 'kiosk-name').isHidden(), 'no name is shown offline');
        if (i === 0) {
          await shot(page, 'kiosk-offline-scan');
          await checkA11y(page, 'kiosk offline scan');
        }
        await sleep(1500);
      }
      const banner = tid(page, 'kiosk-offline');
      assert.ok(await banner.isVisible(), 'the offline banner is shown');
      assert.match(await banner.innerText(), /オフライン：読み取りは保存され、接続が戻ったら送信されます（未送信 3 件）/);
      await shot(page, 'kiosk-offline-banner');
      await checkA11y(page, 'kiosk offline with 3 kept scans');

      // A reload without the server: the page comes from the service worker and the kept
      // scans from IndexedDB.
      await page.reload();
      await tid(page, 'kiosk-message').filter({ hasText: IDLE }).waitFor({ state: 'visible' });
      await banner.waitFor({ state: 'visible' });
      await eventually(async () => (await pending(page)) === 3, { timeoutMs: 30000, message: '3 pending after the reload' });
      assert.match(await banner.innerText(), /オフライン/);
      await shot(page, 'kiosk-offline-reloaded');
      await checkA11y(page, 'kiosk reloaded offline');
      assert.equal(answers.length, 0, 'nothing was answered while the server was stopped');

      // Keep the server away long enough that "recorded at the scan time" and "recorded at
      // the send time" cannot be confused (at least 8 s after the last scan).
      await sleep(Math.max(0, typed[typed.length - 1] + 8000 - Date.now()));
      // The server is back: the kiosk sends the kept scans by itself.
      const startMs = Date.now();
      await control(env, 'start');
      stopped = false;
      await banner.waitFor({ state: 'hidden', timeout: 20000 });
      assert.equal(await pending(page), 0);
      await shot(page, 'kiosk-back-online');
      await checkA11y(page, 'kiosk back online');

      // Sent oldest first, each with the time it was typed, recorded at that time.
      const sent = answers.filter((a) => a.sent && a.sent.scanned_at);
      assert.equal(sent.length, 3, `3 kept scans were sent: ${JSON.stringify(answers)}`);
      for (let i = 0; i < 3; i++) {
        const a = sent[i];
        assert.equal(a.status, 200, JSON.stringify(a));
        assert.equal(a.sent.code, CODES[i], 'sent in the order they were typed');
        assert.equal(a.data.recorded, true, JSON.stringify(a.data));
        assert.equal(a.data.child_name, NAMES[i]);
        assert.equal(a.data.direction, 'in');
        const at = Date.parse(a.data.at);
        assert.ok(Math.abs(at - typed[i]) < 3000, `recorded at ${a.data.at}, typed at ${new Date(typed[i]).toISOString()}`);
        assert.ok(a.receivedMs - at > 5000 && startMs - at > 3000, 'recorded at the scan time, not the send time');
        assert.equal(a.data.delayed, false, 'less than 2 minutes late: not "delayed"');
      }

      // The board (staff, through the API) shows the three present since their scan times.
      const api = await staffApi(env);
      const board = await api.get(`/api/v1/sites/${encodeURIComponent(env.SITE_CODE)}/board`);
      assert.equal(board.status, 200, board.text);
      for (let i = 0; i < 3; i++) {
        const row = board.data.children.find((c) => c.name === NAMES[i]);
        assert.ok(row, `${NAMES[i]} is on the board`);
        assert.equal(row.status, 'present', `${NAMES[i]}: ${JSON.stringify(row)}`);
        assert.ok(minuteGap(hhmmMinutes(row.in_at), jstMinutes(typed[i])) <= 1,
          `${NAMES[i]} in_at ${row.in_at} is the time it was typed (${new Date(typed[i]).toISOString()})`);
      }
      assertNoProblems(page);
    } finally {
      if (stopped) await control(env, 'start').catch(() => {});
      await page.context().close();
    }
  });
