// Shared helpers for the mimamori browser tests.
// The tests run against a REAL server; a driver sets these variables.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';

export const ALL_VARS = [
  'MIMAMORI_URL',
  'MIMAMORI_KIOSK_TOKEN',
  'MIMAMORI_CARD_CODE',
  'MIMAMORI_CHILD_NAME',
  'MIMAMORI_STAFF_LOGIN',
  'MIMAMORI_STAFF_PASSWORD',
  'MIMAMORI_SITE_CODE',
  'MIMAMORI_CONFIRM_TOKEN',
  'MIMAMORI_CONTROL_URL',
  'MIMAMORI_OFFLINE_CODES',
  'MIMAMORI_OFFLINE_NAMES',
  'MIMAMORI_MAILDIR',
  'MIMAMORI_PARENT_EMAIL',
  'MIMAMORI_PARENT_CHILD_NO',
  'MIMAMORI_PARENT_CHILD_NAME',
  'MIMAMORI_PARENT_SIBLING_NO',
  'MIMAMORI_PARENT_SIBLING_NAME',
  'MIMAMORI_OTHER_CHILD_NO',
  'MIMAMORI_ADMIN_LOGIN',
  'MIMAMORI_APPROVER_LOGIN',
  'MIMAMORI_SECOND_SITE_CODE',
  'MIMAMORI_MAILVIEW_OK_EMAIL',
  'MIMAMORI_MAILVIEW_REFUSED_EMAIL',
  // the schools' mass mail (20-school-signup, 21-school-staff)
  'MIMAMORI_BIN',
  'MIMAMORI_DATA',
  'MIMAMORI_SCHOOL_CODE',
  'MIMAMORI_SCHOOL_NAME',
  'MIMAMORI_SCHOOL_SECURITY_CODE',
  'MIMAMORI_SCHOOL_SIGNUP',
  'MIMAMORI_SCHOOL_ADMIN_LOGIN',
  'MIMAMORI_SCHOOL_SENDER_LOGIN',
  'MIMAMORI_SCHOOL_REGISTRANTS',
  // the bath pass (23-bathpass)
  'MIMAMORI_BATH_OFFICE_LOGIN',
  'MIMAMORI_BATH_OFFICE2_LOGIN',
  'MIMAMORI_BATH_BRANCH_LOGIN',
  'MIMAMORI_BATH_PEOPLE',
  // the babysitter subsidy (24-sitter)
  'MIMAMORI_SITTER_OP_LOGIN',
  'MIMAMORI_SITTER_SV_LOGIN',
  'MIMAMORI_SITTER_WARD_LOGIN',
  'MIMAMORI_SITTER_APPROVER_LOGIN',
];

/** Returns {URL, KIOSK_TOKEN, ...} or throws a clear error naming what is missing. */
export function requireEnv(names) {
  const missing = names.filter((n) => !process.env[n] || !process.env[n].trim());
  if (missing.length) {
    throw new Error(
      `Missing environment variable(s): ${missing.join(', ')}.\n` +
      'These browser tests run against a real mimamori server; the driver must set ' +
      `${ALL_VARS.join(', ')}. See tests/browser/README.md.`,
    );
  }
  const out = {};
  for (const n of names) out[n.replace(/^MIMAMORI_/, '')] = process.env[n].trim();
  if (out.URL) out.URL = out.URL.replace(/\/+$/, '');
  return out;
}

export const CHROMIUM = process.env.MIMAMORI_CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const KIOSK_SCREEN = { viewport: { width: 1280, height: 800 } };

/**
 * A new page with its own context (own cookies / localStorage), collecting
 * page errors and console errors (CSP violations show up there).
 */
export async function newPage(browser, options = DESKTOP) {
  const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(30000); // a loaded machine (the end-to-end suites run beside) may take seconds per step
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const t = m.text();
    // Expected HTTP error answers (401 before sign-in, 4xx in error tests) are logged by Chromium too.
    if (/Failed to load resource/.test(t)) return;
    problems.push(`console: ${t}`);
  });
  page.problems = problems;
  return page;
}

// axe-core's source, evaluated in the page through the DevTools protocol (page.evaluate), which
// the page's own Content-Security-Policy does not govern: the CSP stays as served.
const AXE_SOURCE = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/**
 * Runs axe-core (WCAG 2.1 A/AA and best practices) on the page as it is now and fails on any
 * violation, naming rule, impact and the elements. label says which page/state in the message.
 */
export async function checkA11y(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
  const text = found.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n  ');
  assert.equal(found.length, 0, `axe-core found ${found.length} violation(s) on ${label}:\n  ${text}`);
}

export function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], 'the page logged errors (CSP violations, exceptions)');
}

/** What has the focus now: {tag, id, testid} of document.activeElement. tag 'BODY' means the
 * focus fell off a pressed button that was disabled, hidden or taken away, and a keyboard user
 * starts again from the top of the page. */
export function focusOf(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    return { tag: a ? a.tagName : 'NONE', id: (a && a.id) || '', testid: (a && a.dataset && a.dataset.testid) || '' };
  });
}

/** Whether locator's element is shown and whole inside the viewport (an answer must be seen
 * where the person is, not written off screen); a pixel's rounding is allowed, as scrolling
 * moves by whole pixels and boxes end on fractions. */
export function inView(locator) {
  return locator.evaluate((e) => {
    const r = e.getBoundingClientRect();
    return !e.hidden && r.height > 0 && r.top >= -1 && r.bottom <= window.innerHeight + 1;
  });
}

/** The space in CSS px between the boxes of two locators' elements: across when they sit side
 * by side, else down (negative when they overlap). */
export async function gapBetween(a, b) {
  const [x, y] = [await a.boundingBox(), await b.boundingBox()];
  assert.ok(x && y, 'both elements are shown');
  const sideBySide = x.y < y.y + y.height && y.y < x.y + x.height;
  return sideBySide
    ? Math.max(y.x - (x.x + x.width), x.x - (y.x + y.width))
    : Math.max(y.y - (x.y + x.height), x.y - (y.y + y.height));
}

export const SHOT_DIR = process.env.MIMAMORI_SCREENSHOT_DIR || '/tmp/mimamori-screens';
export async function shot(page, name) {
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  const file = path.join(SHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Poll fn until it returns a truthy value (or throw after timeoutMs). */
export async function eventually(fn, { timeoutMs = 30000, intervalMs = 200, message = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof message === 'function' ? message() : message} (last: ${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Records a scan through the API, as a kiosk would. */
export async function apiScan(env, code) {
  const res = await fetch(`${env.URL}/api/v1/scans`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${env.KIOSK_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch { /* keep null */ }
  return { status: res.status, data, text };
}

/** Asks the driver to stop or start the server or to set up its relay (POST
 * {CONTROL_URL}/stop|start|relay, with body as JSON when given); bounded. */
export async function control(env, action, body) {
  const res = await fetch(`${env.CONTROL_URL.replace(/\/+$/, '')}/${action}`, {
    method: 'POST', signal: AbortSignal.timeout(60000),
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `control ${action} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Signs in through the API; returns {get(path)} sending the session cookie. */
export async function staffApi(env) {
  const res = await fetch(`${env.URL}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: env.STAFF_LOGIN, password: env.STAFF_PASSWORD }),
  });
  assert.equal(res.status, 200, `sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = (res.headers.getSetCookie?.() || [res.headers.get('set-cookie')])
    .filter(Boolean).map((c) => c.split(';', 1)[0]).join('; ');
  assert.ok(cookie, 'the sign-in set a session cookie');
  return {
    async get(path) {
      const r = await fetch(`${env.URL}${path}`, { headers: { Cookie: cookie, Accept: 'application/json' } });
      const t = await r.text();
      let data = null;
      try { data = JSON.parse(t); } catch { /* keep null */ }
      return { status: r.status, data, text: t };
    },
  };
}

/** Decodes one stored mail (RFC 5322 text) into {headers, body} enough for our own mails: the
 * body is one base64 (or 8bit) UTF-8 text part. */
export function parseMail(text) {
  const [head, ...rest] = text.split(/\r?\n\r?\n/);
  const raw = rest.join('\n\n');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = /base64/i.test(headers['content-transfer-encoding'] || '')
    ? Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8') : raw;
  return { headers, body };
}

/** Returns the mails in the driver's Maildir (new/ and cur/) sent To: address, oldest first. */
export function mailsTo(env, address) {
  const out = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(env.MAILDIR, sub);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      const file = path.join(dir, f);
      const m = parseMail(fs.readFileSync(file, 'utf8'));
      if ((m.headers.to || '').includes(address)) out.push({ ...m, mtime: fs.statSync(file).mtimeMs, file });
    }
  }
  return out.sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
}

/** Asks for a guardian's sign-in link (POST /api/v1/parent/login-links) and waits for the mail;
 * returns the link's URL ({URL}/parent/#login=TOKEN). */
export async function parentLoginLink(env, email = env.PARENT_EMAIL) {
  const before = mailsTo(env, email).length;
  const res = await fetch(`${env.URL}/api/v1/parent/login-links`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  assert.equal(res.status, 202, `login-links answered ${res.status}: ${await res.text()}`);
  const mail = await eventually(() => {
    const all = mailsTo(env, email);
    return all.length > before && all[all.length - 1];
  }, { timeoutMs: 30000, message: `the sign-in mail to ${email}` });
  const m = mail.body.match(/https?:\/\/\S+\/parent\/#login=[A-Za-z0-9_-]+/);
  assert.ok(m, `no sign-in link in the mail: ${mail.body}`);
  return m[0];
}

/** A client sending cookie and csrf with every call: {get(path), send(method, path, body)}. */
function sessionClient(env, cookie, csrf) {
  const call = async (method, p, body) => {
    const r = await fetch(`${env.URL}${p}`, {
      method,
      headers: { Cookie: cookie, Accept: 'application/json', 'X-CSRF-Token': csrf,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    let data = null;
    try { data = JSON.parse(text); } catch { /* keep null */ }
    return { status: r.status, data, text };
  };
  return { get: (p) => call('GET', p), send: call };
}

/** Signs a guardian in through the API; returns {get, send(method, path, body)} with the
 * parent cookie and CSRF token. */
export async function parentApi(env, email = env.PARENT_EMAIL) {
  const link = await parentLoginLink(env, email);
  const token = link.split('#login=')[1];
  const res = await fetch(`${env.URL}/api/v1/parent/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const t = await res.text();
  assert.equal(res.status, 200, `parent sign-in answered ${res.status}: ${t}`);
  const { csrf } = JSON.parse(t);
  const cookie = (res.headers.getSetCookie?.() || [res.headers.get('set-cookie')])
    .filter(Boolean).map((c) => c.split(';', 1)[0]).join('; ');
  return sessionClient(env, cookie, csrf);
}

/** Signs a staff user (login) in through the API; returns {get, send(method, path, body)}. */
export async function userApi(env, login, password = env.STAFF_PASSWORD) {
  const res = await fetch(`${env.URL}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  const t = await res.text();
  assert.equal(res.status, 200, `sign-in of ${login} answered ${res.status}: ${t}`);
  const { csrf } = JSON.parse(t);
  const cookie = (res.headers.getSetCookie?.() || [res.headers.get('set-cookie')])
    .filter(Boolean).map((c) => c.split(';', 1)[0]).join('; ');
  return sessionClient(env, cookie, csrf);
}

/** What a sanitizer writes in a server's log when it finds something. */
export const SANITIZER_REPORTS = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:',
  'SUMMARY: UndefinedBehaviorSanitizer'];

/** A free TCP port on 127.0.0.1 (the system's choice, let go for the caller to take). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/**
 * A demo ward of a test file's own, for a service whose data the driver's server does not hold:
 * `mimamori demo` (the binary bin) with demoArgs (its options) into a new temporary directory
 * named after name, the demo passwords of logins read from its credentials file, and
 * `mimamori serve` on it (a Maildir, the repository's web/) until /healthz answers.
 * Returns {dir, url, pw, stop}: pw maps each login to its password; stop() stops the server
 * (SIGTERM; SIGKILL after 15 s), removes dir and fails on a sanitizer report in its log.
 */
export async function demoServer(bin, name, demoArgs, logins) {
  const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mimamori-${name}-`));
  const data = path.join(dir, 'data');
  const pw = {};
  try {
    execFileSync(bin, ['demo', '--data', data, ...demoArgs], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300000 });
    const creds = fs.readFileSync(path.join(data, 'demo-credentials.txt'), 'utf8');
    for (const login of logins) {
      const m = creds.match(new RegExp(`login ${login}\\s+password (\\S+)`));
      assert.ok(m, `the demo's credentials name ${login}`);
      pw[login] = m[1];
    }
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  const server = spawn(bin, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`,
    '--mail', `maildir:${path.join(dir, 'mail')}`, '--web', path.join(repo, 'web')],
  { stdio: ['ignore', log, log] });
  const stop = async () => {
    if (server.exitCode === null) {
      const gone = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    const text = fs.readFileSync(path.join(dir, 'server.log'), 'utf8');
    fs.rmSync(dir, { recursive: true, force: true });
    const hit = SANITIZER_REPORTS.find((m) => text.includes(m));
    assert.equal(hit, undefined, `sanitizer report in the demo server's log:\n${text.slice(Math.max(0, text.indexOf(hit) - 200), text.indexOf(hit) + 3000)}`);
  };
  try {
    await eventually(async () => {
      if (server.exitCode !== null) throw new Error(`mimamori serve exited with ${server.exitCode}`);
      const r = await fetch(`${url}/healthz`).catch(() => null);
      return r && r.status === 200;
    }, { timeoutMs: 60000, message: 'the demo server up' });
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, url, pw, stop };
}

/**
 * Signs login in with password on the page at address through its sign-in form (login-id,
 * login-password, login-submit), checking the form with axe-core first when a11y names it, and
 * waits for the element of data-testid ready to show when ready is given.
 */
export async function signInAt(page, address, login, password, { ready, a11y } = {}) {
  const tid = (id) => page.locator(`[data-testid="${id}"]`);
  await page.goto(address);
  await tid('login-id').waitFor({ state: 'visible' });
  if (a11y) await checkA11y(page, a11y);
  await tid('login-id').fill(login);
  await tid('login-password').fill(password);
  await tid('login-submit').click();
  if (ready) await tid(ready).waitFor({ state: 'visible' });
}

/** Clicks button and returns the saved download's {file, name}. */
export async function downloadBy(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const file = await dl.path();
  assert.ok(file, 'the download was saved');
  return { file, name: dl.suggestedFilename() };
}

/** Confirms the page's dialog (confirm-dialog, its button confirm-ok) and waits for it to close. */
export async function confirmDialog(page) {
  const tid = (id) => page.locator(`[data-testid="${id}"]`);
  await tid('confirm-dialog').waitFor({ state: 'visible' });
  await tid('confirm-ok').click();
  await tid('confirm-dialog').waitFor({ state: 'hidden' });
}

// Sets [server] admin_second_factor = optional in the mimamori.conf of a data directory made with
// `mimamori init` (which writes required): the suites' administrators sign in with the password
// until they enrol, as tests/e2e/harness.py set_second_factor does; 18-admin-totp checks required.
export function secondFactorOptional(dataDir) {
  const conf = path.join(dataDir, 'mimamori.conf');
  const text = fs.readFileSync(conf, 'utf8');
  const next = text.replace(/^admin_second_factor\s*=.*$/m, 'admin_second_factor = optional');
  if (next === text) throw new Error(`${conf} has no admin_second_factor line`);
  fs.writeFileSync(conf, next);
}
