// SPDX-License-Identifier: MIT
// File exchange (ファイル授受) as the ward's administrator, a contractor and a member of the ward's
// staff use it. The driver's server holds none of it, so this file makes a data directory of its
// own (`mimamori init`, three accounts) and runs its own `mimamori serve` on it — the binary the
// driver gives (MIMAMORI_BIN) — with its mail in a Maildir and its clock read from a file (so
// that the expiry comes without waiting days), stopping it at the end and failing on a sanitizer
// report in its log. The administrator registers the recipient; the contractor sends a visit
// report; the two mails (link, then password) arrive apart; the recipient's wrong password is
// refused with the tries left, the right one saves the file, byte for byte; after the expiry the
// file is gone from the recipient's page and the administrator's record says it was erased.
// axe-core on each page and state; the CSP kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, parseMail, DESKTOP,
  secondFactorOptional,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_BIN']);
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const SANITIZER = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:',
  'SUMMARY: UndefinedBehaviorSanitizer'];
const PASSWORD = 'Exchange-Test-Pass-2026';
const NOW = Math.floor(Date.UTC(2026, 10, 20, 3, 0) / 1000); // 2026-11-20 12:00 JST
const REPORT = '家事・育児支援 訪問報告（架空）\n訪問日: 11月19日 10:00-12:00\n内容: 食事提供、清掃\n';
const MAIL = 'kodomo.hanako@example.jp';

let browser;
let server;
let dir;
let url;
let nowFile;

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
const setNow = (t) => { fs.writeFileSync(`${nowFile}.tmp`, String(t)); fs.renameSync(`${nowFile}.tmp`, nowFile); };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** The mails in the Maildir to address, oldest first ({headers, body}). */
function mailsTo(address) {
  const out = [];
  for (const sub of ['new', 'cur']) {
    const d = path.join(dir, 'mail', sub);
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d)) {
      const m = parseMail(fs.readFileSync(path.join(d, f), 'utf8'));
      if ((m.headers.to || '').includes(address)) out.push(m);
    }
  }
  return out;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-exchange-'));
  nowFile = path.join(dir, 'now');
  setNow(NOW);
  const data = path.join(dir, 'data');
  const run = (args, input) => execFileSync(env.BIN, args, { input, stdio: ['pipe', 'ignore', 'pipe'], timeout: 120000 });
  run(['init', '--data', data]);
  secondFactorOptional(data);
  fs.appendFileSync(path.join(data, 'mimamori.conf'), '\n[exchange]\nsweep_seconds = 1\nattempts = 5\n');
  for (const [login, role] of [['ex-admin', 'ward_admin'], ['ex-op', 'grant_operator'], ['ex-ward', 'ward_staff']]) {
    run(['user', 'add', '--data', data, '--login', login, '--role', role, '--password-stdin'], `${PASSWORD}\n`);
  }
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  server = spawn(env.BIN, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`,
    '--mail', `maildir:${path.join(dir, 'mail')}`, '--web', path.join(REPO, 'web')],
  { stdio: ['ignore', log, log], env: { ...process.env, MIMAMORI_FAKE_NOW_FILE: nowFile } });
  await eventually(async () => {
    if (server.exitCode !== null) throw new Error(`mimamori serve exited with ${server.exitCode}`);
    const r = await fetch(`${url}/healthz`).catch(() => null);
    return r && r.status === 200;
  }, { timeoutMs: 60000, message: 'the server up' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const gone = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  const log = dir ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  const hit = SANITIZER.find((m) => log.includes(m));
  assert.equal(hit, undefined, `sanitizer report in the server's log:\n${log.slice(Math.max(0, log.indexOf(hit) - 200), log.indexOf(hit) + 3000)}`);
});

async function signIn(page, pagePath, login) {
  await page.goto(`${url}${pagePath}`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await checkA11y(page, `the sign-in form of ${pagePath}`);
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(PASSWORD);
  await tid(page, 'login-submit').click();
  await page.locator('#app').waitFor({ state: 'visible' });
}

let fileId;
let password;

test('the administrator registers the recipient', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, '/exchange/admin.html', 'ex-admin');
  await eventually(async () => (await tid(page, 'recipients-table').textContent()).includes('まだ登録はありません'), { message: 'the empty list' });
  await checkA11y(page, 'the administrator\'s page, empty');
  await tid(page, 'r-login').fill('ex-ward');
  await tid(page, 'r-name').fill('桜台 花子');
  await tid(page, 'r-dept').fill('子ども家庭支援課');
  await tid(page, 'r-mail').fill(MAIL);
  await tid(page, 'r-save').click();
  await tid(page, 'recipient-result').waitFor({ state: 'visible' });
  // the list is read again after the answer: wait for its row
  await eventually(async () => (await tid(page, 'recipient-row').count()) === 1, { message: 'the new row' });
  assert.match(await tid(page, 'recipient-row').textContent(), /桜台 花子.*kodomo\.hanako@example\.jp/);
  // a contractor's account is no recipient: the server's sentence shows
  await tid(page, 'r-login').fill('ex-op');
  await tid(page, 'r-name').fill('事業者');
  await tid(page, 'r-mail').fill('op@example.jp');
  await tid(page, 'r-save').click();
  await eventually(async () => (await tid(page, 'message').textContent()).includes('区の職員のアカウントだけ'), { message: 'the refusal' });
  await checkA11y(page, 'the administrator\'s page with a recipient and an error');
  await shot(page, 'exchange-admin');
  assertNoProblems(page);
  await page.context().close();
});

test('the contractor sends a file; the link and the password come in two mails', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, '/exchange/send.html', 'ex-op');
  await eventually(async () => (await tid(page, 'to').locator('option').count()) === 2, { message: 'the recipient listed' });
  await checkA11y(page, 'the sending page');
  await tid(page, 'to').selectOption({ label: '桜台 花子（子ども家庭支援課）' });
  await tid(page, 'file').setInputFiles({ name: '訪問報告-11月.txt', mimeType: 'text/plain', buffer: Buffer.from(REPORT) });
  await tid(page, 'days').selectOption('1');
  await tid(page, 'send-button').click();
  await tid(page, 'send-result').waitFor({ state: 'visible' });
  const m = /受付番号 (\d+) で送りました/.exec(await tid(page, 'send-result').textContent());
  assert.ok(m, 'the number of the file');
  fileId = Number(m[1]);
  await eventually(async () => (await tid(page, 'file-row').count()) === 1, { message: 'the sent file listed' });
  assert.match(await tid(page, 'file-row').textContent(), /訪問報告-11月\.txt.*ex-ward.*未受け取り/);
  assert.equal(await page.locator('[data-testid="event-row"][data-action="upload"]').count(), 1);
  await checkA11y(page, 'the sending page with a file sent');
  await shot(page, 'exchange-send');
  assertNoProblems(page);
  await page.context().close();

  const mails = await eventually(() => { const ms = mailsTo(MAIL); return ms.length >= 2 && ms; }, { message: 'two mails' });
  assert.equal(mails.length, 2);
  const link = mails.find((x) => x.body.includes('/exchange/inbox.html'));
  const pwMail = mails.find((x) => x !== link);
  assert.ok(link && pwMail, 'a link mail and a password mail');
  const pm = /^ {4}([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})\r?$/m.exec(pwMail.body);
  assert.ok(pm, 'the password in its mail');
  password = pm[1];
  assert.ok(!link.body.includes(password), 'no password in the link mail');
  assert.ok(!pwMail.body.includes('http'), 'no link in the password mail');
});

test('the recipient: a wrong password is refused, the right one saves the file', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, '/exchange/inbox.html', 'ex-ward');
  await eventually(async () => (await tid(page, 'file-row').count()) === 1, { message: 'the received file listed' });
  assert.match(await tid(page, 'file-row').textContent(), /訪問報告-11月\.txt.*ex-op/);
  await checkA11y(page, 'the inbox');
  await tid(page, 'password').fill('aaaa-bbbb-cccc');
  await tid(page, 'download').click();
  await eventually(async () => (await tid(page, 'message').textContent()).includes('パスワードが違います'), { message: 'the refusal' });
  assert.match(await tid(page, 'message').textContent(), /あと 4 回/);
  await checkA11y(page, 'the inbox with a wrong password');
  await tid(page, 'password').fill(password);
  const [dl] = await Promise.all([page.waitForEvent('download'), tid(page, 'download').click()]);
  assert.equal(dl.suggestedFilename(), '訪問報告-11月.txt');
  assert.equal(fs.readFileSync(await dl.path(), 'utf8'), REPORT);
  await eventually(async () => (await tid(page, 'message').textContent()).includes('保存しました'), { message: 'saved' });
  await eventually(async () => (await page.locator('[data-testid="event-row"][data-action="download"]').count()) === 1, { message: 'the download recorded' });
  await checkA11y(page, 'the inbox after the download');
  await shot(page, 'exchange-inbox');
  assertNoProblems(page);
  await page.context().close();
});

test('after the expiry nothing of the file remains', async () => {
  setNow(NOW + 86400 + 10);
  const page = await newPage(browser, DESKTOP);
  await signIn(page, '/exchange/inbox.html', 'ex-ward');
  // The list leaves out an expired file at once; the sweeper (every second here) destroys it and
  // records the expiry a moment later, so the page is loaded again until both show. (Waiting
  // for the event row without loading the page again waited on events read before the sweep.)
  await eventually(async () => {
    await page.reload();
    await page.locator('#app').waitFor({ state: 'visible' });
    if ((await tid(page, 'file-row').count()) !== 0 ||
        !(await tid(page, 'inbox-table').textContent()).includes('届いているファイルはありません')) return false;
    // The events are read after the inbox list: give them a moment to show.
    const expired = page.locator('[data-testid="event-row"][data-action="expired"]');
    try {
      await expired.first().waitFor({ state: 'attached', timeout: 2000 });
    } catch {
      return false;
    }
    return (await expired.count()) === 1;
  }, { message: 'the file gone from the inbox and its expiry recorded' });
  await checkA11y(page, 'the inbox after the expiry');
  await page.context().close();

  const admin = await newPage(browser, DESKTOP);
  await signIn(admin, '/exchange/admin.html', 'ex-admin');
  await eventually(async () => (await admin.locator('[data-testid="event-row"][data-action="expired"]').count()) === 1, { message: 'the erasure recorded' });
  assert.match(await admin.locator('[data-testid="event-row"][data-action="expired"]').textContent(), new RegExp(`${fileId}.*期限切れで消去`));
  assert.equal(await tid(admin, 'file-row').count(), 0);
  await checkA11y(admin, 'the administrator\'s record after the expiry');
  assertNoProblems(admin);
  await admin.context().close();
});
