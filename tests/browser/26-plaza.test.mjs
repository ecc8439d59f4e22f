// SPDX-License-Identifier: MIT
// The plazas' registrations (共育プラザ) as a plaza's desk and the ward use them, on a demo ward
// (`mimamori demo`: fictional users over the five plazas with visits, some not seen for years;
// a desk account per plaza, plaza-hirai …). The driver's server holds no plaza data, so this
// file makes a demo data directory of its own (the other services kept small) and runs its own
// `mimamori serve` on it — the binary the driver gives (MIMAMORI_BIN) — stopping it at the end
// and failing on a sanitizer report in its log. The desk of 平井 registers a user by keyboard
// alone (a problem shows first; Enter on the 学年 <select> registers), prints the registration
// card (zbar decodes its QR code), scans it (the reader types the number and Enter: once a day),
// searches (more than 50 hits: the first 50 in kana order and the count of all; a refused search
// leaves no earlier results) and corrects a user three times on the same row (the row shows each
// correction, 修正 loads the record from the server, and the API reads all of them back); the
// ward's administrator sees the counts of every plaza (CSV too; a refused period leaves no
// figures), runs the April update, lists and deletes the users not seen for years and sets a
// desk's plaza; a desk sees its plaza's counts only. axe-core on each state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, DESKTOP, demoServer,
  signInAt, downloadBy, confirmDialog as confirm,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_BIN']);
const NEW = { name: '鷦鷯 𠮷乃', kana: 'みそさざい よしの', address: '東京都桜台区若葉町3丁目2番1号',
  birth: '2015-07-07', phone: '03-5550-1234', school: '桜台区立鷦鷯小学校', grade: '小6' };

let browser;
let ward; // the file's own demo server (demoServer)
let dir;
let url;
let pw;
let card; // the new user's card number

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

/** The QR codes zbar reads on the PDF's pages. */
function qrCodes(pdf) {
  const prefix = path.join(dir, `qr-${Date.now()}`);
  execFileSync('pdftoppm', ['-r', '300', '-png', pdf, prefix]);
  const codes = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.startsWith(path.basename(prefix)))) {
    try {
      codes.push(...execFileSync('zbarimg', ['--raw', '-q', path.join(dir, f)]).toString().split('\n').filter(Boolean));
    } catch { /* zbarimg exits 4 on a page without a code */ }
  }
  return codes;
}

before(async () => {
  ward = await demoServer(env.BIN, 'plaza', ['--children', '59', '--bath-people', '0',
    '--school-registrations', '0', '--sitter-applications', '0', '--homehelp-households', '0',
    '--plaza-users', '100'], ['admin', 'plaza-hirai', 'plaza-kasai']);
  ({ dir, url, pw } = ward);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await ward?.stop();
});

const signIn = (page, login, where, ready) => signInAt(page, `${url}${where}`, login, pw[login], { ready });

test('the desk: register by keyboard, print the card, scan it, search, correct', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'plaza-hirai', '/plaza/desk.html', 'scan-code');
  await eventually(async () => /平井/.test(await page.locator('#page-title').textContent()), { message: 'the plaza named' });
  await checkA11y(page, 'the desk');
  await shot(page, 'plaza-desk');

  // Keyboard only: a problem first (no ふりがな), then the whole entry and Enter.
  await tid(page, 'f-name').focus();
  await page.keyboard.type(NEW.name);
  await page.keyboard.press('Enter');
  await eventually(async () => /必須|ふりがな/.test(await tid(page, 'form-message').textContent()), { message: 'the form refused' });
  await checkA11y(page, 'the registration with a problem');
  await tid(page, 'f-kana').focus();
  await page.keyboard.type(NEW.kana);
  await page.keyboard.press('Tab');
  await page.keyboard.type(NEW.address);
  await tid(page, 'f-birth').fill(NEW.birth);
  await tid(page, 'f-phone').focus();
  await page.keyboard.type(NEW.phone);
  await page.keyboard.press('Tab');
  await page.keyboard.type(NEW.school);
  // 学年 last, as the guide says: Tab to it, choose, and Enter registers from the <select> too.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-grade');
  await tid(page, 'f-grade').selectOption(NEW.grade);
  await page.keyboard.press('Enter');
  await eventually(async () => /登録しました/.test(await tid(page, 'registered').textContent()), { message: 'registered' });
  card = /カード番号 (\d{7})/.exec(await tid(page, 'registered').textContent())[1];
  assert.match(card, /^1\d{6}$/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-name', 'ready for the next registration');

  // The card: zbar decodes its number; the text has the name.
  const pdf = await downloadBy(page, tid(page, 'registered-card'));
  assert.match(pdf.name, /^plaza-cards-hirai\.pdf$/);
  assert.deepEqual(qrCodes(pdf.file), [card]);
  assert.match(execFileSync('pdftotext', ['-enc', 'UTF-8', pdf.file, '-']).toString('utf8'), /鷦鷯/);

  // The reader types the number and Enter: recorded once a day.
  await tid(page, 'scan-code').fill(card);
  await tid(page, 'scan-code').press('Enter');
  await eventually(async () => /来館を記録しました/.test(await tid(page, 'scan-result').textContent()), { message: 'the visit recorded' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'scan-code');
  await page.keyboard.type(card);
  await page.keyboard.press('Enter');
  await eventually(async () => /記録済み/.test(await tid(page, 'scan-result').textContent()), { message: 'once a day' });
  await page.keyboard.type('4000001');
  await page.keyboard.press('Enter');
  await eventually(async () => /このプラザの登録カードではありません/.test(await tid(page, 'scan-result').textContent()), { message: 'another plaza refused' });
  await checkA11y(page, 'the desk after scans');

  // More than 50 hits: 51 more users of one family name, through the API as the desk.
  const csrf = (await (await page.request.get(`${url}/api/v1/session`)).json()).csrf;
  for (let i = 0; i < 51; i++) {
    const r = await page.request.post(`${url}/api/v1/plaza/users`, {
      headers: { 'X-CSRF-Token': csrf },
      data: { name: `燕 ${i}`, kana: `つばめ ${'あいうえおかきくけこ'[i % 10]}${'さしすせそ'[i % 5]}`, address: '東京都桜台区本町1丁目', birth: '2014-04-10', phone: '', school: '', grade: '小6' },
    });
    assert.equal(r.status(), 201);
  }
  await tid(page, 'search-q').fill('つばめ');
  await tid(page, 'search-q').press('Enter');
  await eventually(async () => /51件見つかりました。ふりがな順の最初の50件/.test(await tid(page, 'search-summary').textContent()), { message: 'the first 50 of 51' });
  assert.equal(await tid(page, 'result').count(), 50);
  const kanas = await page.locator('[data-testid="result"] td:nth-child(3) .sub').allTextContents();
  assert.deepEqual(kanas, [...kanas].sort());
  await checkA11y(page, 'the search results');
  await shot(page, 'plaza-search');

  // A refused search leaves no earlier results on screen.
  await tid(page, 'search-q').fill('あ');
  await tid(page, 'search-q').press('Enter');
  await eventually(async () => /ふりがなは2文字以上/.test(await tid(page, 'message').textContent()), { message: 'a one-kana search refused' });
  assert.equal(await tid(page, 'results').isVisible(), false, 'the earlier results are gone');
  assert.equal(await tid(page, 'result').count(), 0);
  assert.equal(await tid(page, 'search-summary').textContent(), '');

  // Find the new user by birth date in 和暦 and correct the 学年.
  await tid(page, 'search-q').fill('平成27年7月7日');
  await tid(page, 'search-q').press('Enter');
  await eventually(async () => (await tid(page, 'result').count()) >= 1 && /鷦鷯/.test(await tid(page, 'results').textContent()), { message: 'found by birth date' });
  assert.equal(await tid(page, 'message').isVisible(), false, 'the refusal cleared');
  const row = tid(page, 'result').filter({ hasText: card });
  const saved = async (message) => {
    await tid(page, 'form-submit').click();
    // 修正 hid the last confirmation; the form goes back to a new registration once saved
    await eventually(async () => await tid(page, 'registered').isVisible()
      && /修正しました/.test(await tid(page, 'registered').textContent())
      && (await page.locator('#form-title').textContent()) === '利用者の登録', { message });
  };
  const editRow = async (field, value) => {
    await row.locator('[data-testid="edit"]').click();
    await eventually(async () => (await tid(page, 'form-submit').textContent()) === '修正を保存', { message: 'the form set to correct' });
    await eventually(async () => (await tid(page, field).inputValue()) === value, { message: () => `修正 loads ${field} = ${value}` });
  };
  await editRow('f-grade', NEW.grade);
  await tid(page, 'f-grade').selectOption('中1');
  await saved('corrected');
  // The row shows what was saved, and a second 修正 loads it: one correction after another on
  // the same row keeps both (the second used to put the first one's old items back).
  await eventually(async () => /中1/.test(await row.textContent()), { message: 'the row shows the new 学年' });
  await editRow('f-grade', '中1');
  await tid(page, 'f-school').fill('桜台区立鷦鷯中学校');
  await saved('the school corrected');
  await eventually(async () => /鷦鷯中学校/.test(await row.textContent()), { message: 'the row shows the new school' });
  await editRow('f-school', '桜台区立鷦鷯中学校');
  await tid(page, 'f-phone').fill('03-5550-9999');
  await saved('the phone corrected');
  const readBack = async () => {
    const r = await (await page.request.get(`${url}/api/v1/plaza/users?q=${card}`)).json();
    assert.equal(r.users.length, 1);
    return r.users[0];
  };
  let back = await readBack();
  assert.equal(back.school, '桜台区立鷦鷯中学校', 'the first correction kept');
  assert.equal(back.phone, '03-5550-9999');
  assert.equal(back.grade, '中1');
  // 修正 loads the record as the server has it, not as the row showed it: a change made
  // elsewhere (here through the API) is what the form gets.
  const csrfNow = (await (await page.request.get(`${url}/api/v1/session`)).json()).csrf;
  const put = await page.request.put(`${url}/api/v1/plaza/users/${back.id}`, {
    headers: { 'X-CSRF-Token': csrfNow },
    data: { ...Object.fromEntries(['name', 'kana', 'address', 'birth', 'phone', 'school', 'grade'].map((k) => [k, back[k]])), address: '東京都桜台区若葉町4丁目1番1号' },
  });
  assert.equal(put.status(), 200);
  await editRow('f-address', '東京都桜台区若葉町4丁目1番1号');
  await tid(page, 'f-name').fill(NEW.name);
  await saved('saved once more');
  back = await readBack();
  assert.equal(back.address, '東京都桜台区若葉町4丁目1番1号', 'the change made elsewhere kept');
  assert.equal(back.school, '桜台区立鷦鷯中学校');
  // A user's card chosen by its box (the one picked).
  // Wait for the new rows: the birth-date search's rows stay until the answer replaces them
  // (checking one of those made two cards once).
  await tid(page, 'search-q').fill('つばめ あさ');
  await tid(page, 'search-q').press('Enter');
  await eventually(async () => {
    const kana = await page.locator('[data-testid="result"] td:nth-child(3) .sub').allTextContents();
    return kana.length >= 1 && kana.every((k) => k.startsWith('つばめ あさ'));
  }, { message: 'found' });
  await tid(page, 'pick').first().check();
  const two = await downloadBy(page, tid(page, 'cards-selected'));
  assert.equal(qrCodes(two.file).length, 1);
  assertNoProblems(page);
  await page.context().close();
});

test('the ward: counts of every plaza, the April update, the users not seen for years, desks', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'admin', '/plaza/admin.html', 'counts');
  await eventually(async () => (await tid(page, 'count-row').count()) > 0, { message: 'the counts' });
  const plazas = new Set(await page.locator('[data-testid="count-row"] td:first-child').allTextContents());
  assert.ok(plazas.size > 1, 'every plaza');

  // A period refused (the start after the end) leaves no other period's figures on screen.
  const [from, to] = [await tid(page, 'counts-from').inputValue(), await tid(page, 'counts-to').inputValue()];
  await tid(page, 'counts-from').fill('2099-01-02');
  await tid(page, 'counts-to').fill('2099-01-01');
  await tid(page, 'counts-show').click();
  await eventually(async () => /期間を年-月-日で/.test(await tid(page, 'message').textContent()), { message: 'the period refused' });
  assert.equal(await tid(page, 'count-row').count(), 0, 'the earlier figures are gone');
  assert.equal(await tid(page, 'counts-table').isVisible(), false);
  assert.equal(await tid(page, 'counts-summary').textContent(), '');
  await tid(page, 'counts-from').fill(from);
  await tid(page, 'counts-to').fill(to);
  await tid(page, 'counts-show').click();
  await eventually(async () => (await tid(page, 'count-row').count()) > 0, { message: 'the counts again' });
  assert.equal(await tid(page, 'message').isVisible(), false, 'the refusal cleared');
  await tid(page, 'staff-plaza').first().waitFor({ state: 'visible' });
  await checkA11y(page, 'the counts and yearly work');
  await shot(page, 'plaza-admin');
  const csv = await downloadBy(page, tid(page, 'counts-csv'));
  // a BOM for Excel, the age bands in words
  assert.match(fs.readFileSync(csv.file, 'utf8'), /^\uFEFFプラザ,日付,年齢区分,来館数\r\n/);
  assert.doesNotMatch(fs.readFileSync(csv.file, 'utf8'), /,(0-5|6-12|13-15|16-18|19\+),/);

  await tid(page, 'grade-run').click();
  await confirm(page);
  await eventually(async () => /学年/.test(await tid(page, 'grade-message').textContent()), { message: 'the update done' });
  await tid(page, 'grade-run').click();
  await confirm(page);
  await eventually(async () => /済んでいます/.test(await tid(page, 'grade-message').textContent()), { message: 'once a year' });

  await tid(page, 'inactive-list').click();
  await eventually(async () => /来館のない利用者：\d+人/.test(await tid(page, 'inactive-summary').textContent()), { message: 'the list' });
  const n = Number(/：(\d+)人/.exec(await tid(page, 'inactive-summary').textContent())[1]);
  assert.ok(n > 0, 'the demo has users not seen for years');
  assert.equal(await tid(page, 'inactive-row').count(), Math.min(n, 200));
  await checkA11y(page, 'the deletion list');
  await tid(page, 'inactive-delete').click();
  await confirm(page);
  await eventually(async () => new RegExp(`${n}人を削除しました`).test(await tid(page, 'inactive-summary').textContent()), { message: 'deleted' });

  assert.equal(await tid(page, 'staff-plaza').count(), 5);
  await tid(page, 'staff-plaza').first().selectOption('chuo');
  await eventually(async () => /所属を中央/.test(await tid(page, 'staff-message').textContent()), { message: 'the plaza set' });
  await tid(page, 'staff-plaza').first().selectOption('hirai');
  assertNoProblems(page);
  await page.context().close();
});

test('a desk sees its own plaza\'s counts only', async () => {
  const page = await newPage(browser, DESKTOP);
  await signIn(page, 'plaza-kasai', '/plaza/admin.html', 'counts');
  await eventually(async () => (await tid(page, 'count-row').count()) > 0, { message: 'the counts' });
  const plazas = new Set(await page.locator('[data-testid="count-row"] td:first-child').allTextContents());
  assert.deepEqual([...plazas], ['葛西']);
  assert.match(await tid(page, 'registered').textContent(), /^登録者数：葛西 \d+人$/);
  assert.equal(await tid(page, 'grade').isVisible(), false);
  assert.equal(await tid(page, 'inactive').isVisible(), false);
  await checkA11y(page, 'a desk\'s counts');
  assertNoProblems(page);
  await page.context().close();
});
