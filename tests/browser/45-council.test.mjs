// SPDX-License-Identifier: MIT
// The privacy council's paperwork (個人情報保護審議会の資料) as the ward's administrator gets it
// (/ward/council.html). The driver's server holds none of it, so this file makes a data directory
// of its own (`mimamori init`, an administrator, a club's staff member, a bath-pass branch clerk)
// and runs its own `mimamori serve` on it — the binary the driver gives (MIMAMORI_BIN) —
// stopping it at the end and failing on a sanitizer report in its log. The administrator sees
// the designated handlers of each service, narrows them to one service, and downloads its item
// list as PDF (pdftotext reads 児童氏名 and 暗号化 in it), xlsx (a zip with the sheet 記録項目)
// and Markdown; a ward staff member is turned away. axe-core on each state; the CSP kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, freePort, downloadBy,
  DESKTOP, PHONE, secondFactorOptional,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_BIN']);
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const SANITIZER = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:',
  'SUMMARY: UndefinedBehaviorSanitizer'];
const PASSWORD = 'Council-Test-Pass-2026';

let browser;
let server;
let dir;
let url;

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mimamori-council-'));
  const data = path.join(dir, 'data');
  const run = (args, input) => execFileSync(env.BIN, args, { input, stdio: ['pipe', 'ignore', 'pipe'], timeout: 120000 });
  run(['init', '--data', data]);
  secondFactorOptional(data);
  run(['site', 'add', '--data', data, '--code', 'G01', '--name', '桜台学童クラブ', '--type', 'gakudo']);
  for (const [login, role, site] of [['co-admin', 'ward_admin'], ['co-ward', 'ward_staff'],
    ['co-club', 'site_staff', 'G01'], ['co-branch', 'bath_branch']]) {
    run(['user', 'add', '--data', data, '--login', login, '--role', role, ...(site ? ['--site', site] : []), '--password-stdin'], `${PASSWORD}\n`);
  }
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  server = spawn(env.BIN, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`,
    '--mail', `maildir:${path.join(dir, 'mail')}`, '--web', path.join(REPO, 'web')],
  { stdio: ['ignore', log, log] });
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

async function signIn(page, login) {
  await page.goto(`${url}/ward/council.html`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await checkA11y(page, 'the sign-in form of /ward/council.html');
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(PASSWORD);
  await tid(page, 'login-submit').click();
}

const staffRows = async (page) => (await tid(page, 'council-staff-row').evaluateAll(
  (rows) => rows.map((r) => [r.dataset.service, ...[...r.cells].map((c) => c.textContent)])));

test('the administrator sees the handlers and downloads the item lists', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'co-admin');
  await page.locator('#app').waitFor({ state: 'visible' });
  await eventually(async () => (await tid(page, 'council-staff-row').count()) > 0, { message: 'the handlers' });
  const all = await staffRows(page);
  assert.ok(all.some((r) => r[0] === 'attendance' && r[2] === '取扱者' && r[3] === 'co-club' && r[4] === '施設職員'), JSON.stringify(all));
  assert.ok(all.some((r) => r[0] === 'bathpass' && r[2] === '取扱者' && r[3] === 'co-branch'), JSON.stringify(all));
  assert.ok(all.some((r) => r[0] === 'platform' && r[2] === '取扱責任者' && r[3] === 'co-admin'), JSON.stringify(all));
  await checkA11y(page, 'the council page with every service');
  await shot(page, 'council');

  // one service: its handlers only, and its item list
  await tid(page, 'council-service').selectOption('attendance');
  await eventually(async () => (await staffRows(page)).every((r) => r[0] === 'attendance'), { message: 'attendance only' });
  assert.ok((await staffRows(page)).some((r) => r[3] === 'co-club'));
  assert.ok(!(await staffRows(page)).some((r) => r[3] === 'co-branch'));

  const pdf = await downloadBy(page, tid(page, 'council-pdf'));
  assert.equal(pdf.name, 'council-items-attendance.pdf');
  const text = execFileSync('pdftotext', ['-layout', pdf.file, '-']).toString();
  for (const words of ['入退室管理 概要', '児童氏名', '暗号化', '個人の範囲']) assert.ok(text.includes(words), words);
  await tid(page, 'council-done').filter({ hasText: 'council-items-attendance.pdf' }).waitFor();

  const xlsx = await downloadBy(page, tid(page, 'council-xlsx'));
  assert.equal(xlsx.name, 'council-items-attendance.xlsx');
  const listing = execFileSync('unzip', ['-l', xlsx.file]).toString();
  assert.match(listing, /xl\/worksheets\/sheet2\.xml/);
  const strings = execFileSync('unzip', ['-p', xlsx.file, 'xl/sharedStrings.xml']).toString();
  for (const words of ['記録項目', '児童氏名', '暗号化']) assert.ok(strings.includes(words), words);

  const md = await downloadBy(page, tid(page, 'council-md'));
  assert.match(fs.readFileSync(md.file, 'utf8'), /\| 児童（children） \| name_enc \| 児童氏名 \| 個人 \| 暗号化 \|/);
  await checkA11y(page, 'the council page after the downloads');
  assertNoProblems(page);
  await page.context().close();
});

test('the page on a phone, and a ward staff member is turned away', async () => {
  const page = await newPage(browser, PHONE);
  await signIn(page, 'co-admin');
  await eventually(async () => (await tid(page, 'council-staff-row').count()) > 0, { message: 'the handlers' });
  await checkA11y(page, 'the council page on a phone');
  await page.context().close();

  const staff = await newPage(browser, DESKTOP);
  await signIn(staff, 'co-ward');
  await tid(staff, 'denied').waitFor({ state: 'visible' });
  assert.match(await tid(staff, 'denied').textContent(), /区の管理者だけ/);
  await checkA11y(staff, 'the council page refused');
  await staff.context().close();
});
