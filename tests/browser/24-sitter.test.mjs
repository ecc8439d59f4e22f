// SPDX-License-Identifier: MIT
// The babysitter subsidy (ベビーシッター利用支援事業) in the browser: (a) a guardian on a phone
// (390 px) fills the public form — a child added and removed, a use added that ends the next
// day, the bank's names looked up live — reloads on the receipts step (the link's token kept),
// sees a PNG declared as JPEG refused in the alert (focus moved there), uploads a real PNG, sees
// the amounts the server counted and submits: the 申請番号, and the confirmation mail with the
// status link; (b) at 1280 px the contractor's operator finds it by number, opens the receipt,
// checks the five items and closes the pre-screen, logs and resolves a call; the ward's
// approver approves; the contractor's supervisor makes the day's notices and saves the PDF
// (%PDF-); the ward's staff makes the transfer and saves the 全銀 file (120-byte records);
// (c) the status page from the mail's link shows 振込済 (a wrong link is refused); (e) the
// ward reads the transfer back as a 振込不能 file and the applicant gives an account on the
// status page; (f) an application returned for correction is corrected there and sent again;
// the contractor's paper form; a non-sitter account is refused. (d) axe-core on every step and
// state; the CSP kept (no console errors).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, mailsTo, userApi,
  DESKTOP, PHONE,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_STAFF_PASSWORD', 'MIMAMORI_MAILDIR',
  'MIMAMORI_STAFF_LOGIN', 'MIMAMORI_ADMIN_LOGIN', 'MIMAMORI_SITTER_OP_LOGIN', 'MIMAMORI_SITTER_SV_LOGIN',
  'MIMAMORI_SITTER_WARD_LOGIN', 'MIMAMORI_SITTER_APPROVER_LOGIN']);
const TAG = Date.now().toString(36);
const EMAIL = `sitter.browser.${TAG}@example.jp`;
const GUARDIAN = { name: '見守 花子', kana: 'みまもり はなこ', postcode: '160-0022',
  address: '東京都桜台区若葉1丁目2番3号 さくら荘101', phone: '090-1234-5678' };
const CHILD = `見守 太郎${TAG.slice(-3)}`;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tid = (page, id) => page.locator(`[data-testid="${id}"]`);
/** Nothing wider than the screen (a phone scrolls only down). */
async function fits(page, what) {
  const [w, vw, wide] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth,
    [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1
      && e.offsetParent !== null).slice(-4).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)]);
  assert.ok(w <= vw, `${what}: the page is ${w} px wide on a ${vw} px screen (${wide.join(', ')})`);
}

/** Today in Japan, and a day so many days before, as YYYY-MM-DD. */
function jstDay(offset = 0) {
  const d = new Date(Date.now() + 9 * 3600 * 1000 + offset * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}
const TODAY = jstDay(0);
// The two uses: D1 18:00–23:30 and the day before, 22:00 to 02:00 of D1 — never across March
// 31st (a fiscal year's end would split the hours in two rows).
const D1 = jstDay(-2).endsWith('-03-31') ? -3 : -1;

// ---------- a real PNG (a receipt's photo, drawn here) ----------
const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xFFFFFFFF;
  for (const b of buf) c = CRC[(c ^ b) & 0xFF] ^ (c >>> 8);
  return (c ^ 0xFFFFFFFF) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A w×h RGB PNG: a paper-white receipt with grey "lines" of text. */
function pngReceipt(w = 240, h = 160) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const line = y > 20 && y % 18 < 6 && x > 20 && x < w - 20 - (y % 36) * 2;
      const v = line ? 90 : 250;
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = v; raw[o + 1] = v; raw[o + 2] = line ? 90 : 240;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const PNG = pngReceipt();

async function signIn(page, login) {
  await page.goto(`${env.URL}/sitter/office.html`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(login);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
  await tid(page, 'apps').waitFor({ state: 'visible' });
}

/** Opens application number on the staff page (searched by its number). */
async function openByNumber(page, number) {
  await tid(page, 'q').fill(number);
  await tid(page, 'search').click();
  await eventually(async () => (await tid(page, 'app-row').count()) === 1
    && (await tid(page, 'app-row').getAttribute('data-number')) === number, { message: `the row of ${number}` });
  await tid(page, 'app-open').click();
  await tid(page, 'detail').waitFor({ state: 'visible' });
  await eventually(async () => (await tid(page, 'detail').locator('h3').textContent()).includes(number),
    { message: 'the detail opened' });
}

/** The data-testid of the element with the focus ('' for none, e.g. <body>). */
const focused = (page) => page.evaluate(() => document.activeElement?.dataset?.testid || document.activeElement?.tagName || '');

/** "29,250円" as the pages write an amount. */
const yenText = (n) => `${Number(n).toLocaleString('ja-JP')}円`;

async function message(page, re, what) {
  let text = '';
  await eventually(async () => re.test(text = await tid(page, 'office-message').textContent()),
    { message: () => `${what} (the page says: ${text})` });
}

/** Clicks button and returns the download's {bytes, name}. */
async function downloadBy(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const file = await dl.path();
  assert.ok(file, 'the download was saved');
  return { bytes: fs.readFileSync(file), name: dl.suggestedFilename() };
}

const shared = { number: '', link: '', zengin: null };

test('(a) a guardian applies on a phone: the form, a receipt, the amounts, the number', async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(`${env.URL}/sitter/apply.html`);
  await tid(page, 'step-form').waitFor({ state: 'visible' });
  await checkA11y(page, 'apply: the empty form (phone)');
  await shot(page, 'sitter-apply-form');
  // sent empty: the server names the first field, which is marked; the message goes as soon as
  // that field is put right (not at the next press of 次へ)
  await tid(page, 'form-next').click();
  await eventually(async () => /申請者の氏名/.test(await tid(page, 'apply-message').textContent()), { message: 'the empty form refused' });
  assert.equal(await tid(page, 'g-name').getAttribute('aria-invalid'), 'true', 'the name marked');
  await checkA11y(page, 'apply: the form refused (phone)');
  await tid(page, 'g-kana').fill(GUARDIAN.kana); // another field: the message is still true
  assert.equal(await tid(page, 'apply-message').isVisible(), true, 'the message stays while the name is empty');

  await tid(page, 'g-name').fill(GUARDIAN.name);
  await eventually(async () => tid(page, 'apply-message').isHidden(), { message: 'the message gone once the name is given' });
  assert.equal(await tid(page, 'g-name').getAttribute('aria-invalid'), null, 'the name no longer marked');
  await tid(page, 'g-birth').fill('1990-05-01');
  await tid(page, 'g-postcode').fill(GUARDIAN.postcode);
  await tid(page, 'g-address').fill(GUARDIAN.address);
  await tid(page, 'g-phone').fill(GUARDIAN.phone);
  await tid(page, 'g-email').fill(EMAIL);
  await tid(page, 'g-email2').fill(EMAIL);

  // a child; a second added (the use offers both) and removed again
  await tid(page, 'c-name').fill(CHILD);
  await tid(page, 'c-birth').fill(jstDay(-800));
  await tid(page, 'add-child').click();
  assert.equal(await tid(page, 'child-set').count(), 2);
  await tid(page, 'c-name').nth(1).fill('見守 次郎');
  await eventually(async () => (await tid(page, 'u-child').count()) === 2, { message: 'the use offers two children' });
  assert.match(await tid(page, 'use-set').textContent(), /2人目（見守 次郎）/);
  await tid(page, 'remove-child').nth(1).click();
  assert.equal(await tid(page, 'child-set').count(), 1);
  assert.equal(await tid(page, 'u-child').count(), 1);
  assert.ok(await tid(page, 'u-child').isChecked(), 'the only child is ticked');

  // D1 18:00–23:30 (4 h by day, 1.5 h at night)
  await tid(page, 'u-date').fill(jstDay(D1));
  await tid(page, 'u-start').fill('18:00');
  await tid(page, 'u-end').fill('23:30');
  await tid(page, 'u-company').fill('さくらシッター');
  await tid(page, 'u-paid').fill('２００００'); // full-width digits as a phone may type them
  // the day before, 22:00 to 02:00 the next day (4 h at night)
  await tid(page, 'add-use').click();
  assert.equal(await tid(page, 'use-set').count(), 2);
  const second = tid(page, 'use-set').nth(1);
  await second.locator('[data-testid="u-date"]').fill(jstDay(D1 - 1));
  await second.locator('[data-testid="u-start"]').fill('22:00');
  await second.locator('[data-testid="u-end"]').fill('02:00');
  await eventually(async () => /翌日の 02:00 まで/.test(await second.locator('[data-testid="u-next-day"]').textContent()),
    { message: 'the next day said' });
  await second.locator('[data-testid="u-company"]').fill('ひまわりキッズサポート');
  await second.locator('[data-testid="u-paid"]').fill('14,000');
  assert.ok(await second.locator('[data-testid="u-child"]').isChecked());
  await second.scrollIntoViewIfNeeded();
  await shot(page, 'sitter-apply-uses');

  // the account: the names looked up as the codes are typed
  await tid(page, 'bank-code').fill('9990');
  await tid(page, 'bank-branch').fill('002');
  await eventually(async () => /テスト銀行\s*しんじゅく支店/.test(await tid(page, 'bank-names').textContent()),
    { message: 'the bank and branch named' });
  await tid(page, 'bank-number').fill('1234567');
  await tid(page, 'bank-holder').fill('ミマモリ ハナコ');
  await tid(page, 'bank-fields').scrollIntoViewIfNeeded();
  await shot(page, 'sitter-apply-bank');
  await checkA11y(page, 'apply: the form filled (phone)');
  await fits(page, 'the form');
  await tid(page, 'form-next').click();

  // 2. the receipts: the draft is kept (a reload goes on here)
  await tid(page, 'step-receipts').waitFor({ state: 'visible' });
  assert.match(page.url(), /#t=[0-9a-f]{20,}/);
  const token = page.url().split('#t=')[1];
  assert.equal(await page.evaluate(() => sessionStorage.getItem('mimamori.sitter.token')), token);
  await page.reload();
  await tid(page, 'step-receipts').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'draft-number').textContent(), /^\d{10}$/);
  await checkA11y(page, 'apply: the receipts step (phone)');
  // a PNG declared as JPEG: the server reads the bytes and refuses; the alert has the focus
  await tid(page, 'receipt-file').setInputFiles({ name: 'wrong.jpg', mimeType: 'image/jpeg', buffer: PNG });
  await eventually(async () => /JPEG・PNG/.test(await tid(page, 'apply-message').textContent()), { message: 'the type refused' });
  assert.ok(await page.evaluate(() => document.activeElement?.dataset?.testid === 'apply-message'), 'the focus is on the alert');
  assert.equal(await tid(page, 'apply-message').getAttribute('role'), 'alert');
  await checkA11y(page, 'apply: a refused receipt (phone)');
  await tid(page, 'receipt-file').setInputFiles({ name: 'ryoshusho.png', mimeType: 'image/png', buffer: PNG });
  await eventually(async () => (await tid(page, 'receipt-item').count()) === 1
    && /PNG画像/.test(await tid(page, 'receipt-item').textContent()), { message: 'the receipt listed' });
  assert.match(await tid(page, 'receipt-item').textContent(), /ryoshusho\.png/);
  await shot(page, 'sitter-apply-receipts');
  await tid(page, 'receipts-next').click();

  // 3. the review: the amounts as the server counted them
  await tid(page, 'step-review').waitFor({ state: 'visible' });
  // 240 min × 2,500/60 + 90 min × 3,500/60 = 15,250; 240 min × 3,500/60 = 14,000 (= paid)
  await eventually(async () => (await tid(page, 'grant-yen').textContent()) === '29,250円', { message: 'the amount' });
  const uses = await tid(page, 'uses-table').textContent();
  assert.match(uses, /15,250円/);
  assert.match(uses, /22:00〜翌02:00/);
  assert.match(await tid(page, 'hours-table').textContent(), /144時間/);
  await checkA11y(page, 'apply: the review (phone)');
  await fits(page, 'the review');
  await shot(page, 'sitter-apply-review');
  await tid(page, 'apply-submit').click();

  // done: the number, the mail
  await tid(page, 'step-done').waitFor({ state: 'visible' });
  const number = (await tid(page, 'done-number').textContent()).trim();
  assert.match(number, /^\d{10}$/);
  assert.match(await tid(page, 'done-mail').textContent(), new RegExp(EMAIL.replace(/\./g, '\\.')));
  await checkA11y(page, 'apply: done (phone)');
  await shot(page, 'sitter-apply-done');
  assertNoProblems(page);
  await page.close();

  const mail = await eventually(() => mailsTo(env, EMAIL)[0], { message: 'the confirmation mail' });
  assert.ok(mail.body.includes(number), 'the mail names the number');
  const m = mail.body.match(/https?:\/\/\S+\/sitter\/status\.html#t=[0-9a-f]+/);
  assert.ok(m, `no status link in the mail: ${mail.body}`);
  assert.ok(m[0].endsWith(token), 'the mail links the same application');
  shared.number = number;
  shared.link = m[0];
});

test('(b) the operator screens, the approver approves, the supervisor notifies, the ward pays', async () => {
  assert.ok(shared.number, 'an application from (a)');
  const number = shared.number;

  // the contractor's operator: the list of received ones, the receipt, the five checks
  const op = await newPage(browser, DESKTOP);
  await signIn(op, env.SITTER_OP_LOGIN);
  assert.equal(await tid(op, 'state-filter').inputValue(), 'submitted');
  await eventually(async () => (await op.locator(`[data-testid="app-row"][data-number="${number}"]`).count()) === 1,
    { message: 'listed as received' });
  await checkA11y(op, 'office: the operator\'s list');
  await shot(op, 'sitter-office-list');
  await openByNumber(op, number);
  await shot(op, 'sitter-office-detail');
  const detail = await tid(op, 'detail').textContent();
  assert.ok(detail.includes(GUARDIAN.name) && detail.includes(CHILD), 'the form shown');
  assert.match(await tid(op, 'uses-table').textContent(), /4時間.*1時間30分.*15,250円/s);
  assert.match(await tid(op, 'hours-table').textContent(), /144時間.*0時間.*9時間30分.*134時間30分/s);
  await tid(op, 'receipt-open').click();
  await tid(op, 'receipt-image').waitFor({ state: 'visible' });
  assert.match(await tid(op, 'receipt-image').getAttribute('src'), /^data:image\/png;base64,/);
  assert.equal(await tid(op, 'act-approve').count(), 0, 'the contractor does not decide');
  // closing the pre-screen too early is refused, in the page's alert
  await tid(op, 'act-screen').click();
  await message(op, /まだ確認済みではありません/, 'unchecked refused');
  for (const item of ['guardian', 'children', 'uses', 'receipts', 'bank']) {
    await tid(op, `check-${item}`).check();
    await eventually(async () => tid(op, `check-${item}`).isChecked(), { message: `${item} checked` });
  }
  await eventually(async () => /5\/5 確認済み/.test(await tid(op, 'checks').textContent()), { message: '5/5' });
  await checkA11y(op, 'office: an application checked');
  await tid(op, 'receipt-image').scrollIntoViewIfNeeded();
  await shot(op, 'sitter-office-checked');
  await tid(op, 'act-screen').click();
  await message(op, /事前審査を終えました/, 'screened');
  assert.match(await tid(op, 'detail').locator('h3').textContent(), /事前審査済/);
  // the button is gone with the panel drawn again: the focus is on what happened, not <body>
  assert.equal(await focused(op), 'office-message', 'the focus after 事前審査を終える');

  // a paper application: the form is the applicant's (no mail twice); the server names a gap
  await tid(op, 'paper-open').click();
  await tid(op, 'paper-form').locator('[data-testid="g-name"]').waitFor({ state: 'visible' });
  assert.equal(await tid(op, 'paper-form').locator('[data-testid="g-email2"]').count(), 0);
  await checkA11y(op, 'office: the paper form open');
  await tid(op, 'paper-submit').click();
  await message(op, /申請者の氏名/, 'the paper form refused empty');
  const paper = tid(op, 'paper-form');
  const pf = (id) => paper.locator(`[data-testid="${id}"]`);
  await pf('g-name').fill('紙野 文子');
  await pf('g-kana').fill('カミノ フミコ');
  await pf('g-birth').fill('1985-10-10');
  await pf('g-postcode').fill('1790001');
  await pf('g-address').fill('東京都桜台区本町4丁目5番6号');
  await pf('g-phone').fill('03-5555-1212');
  await pf('g-email').fill(`sitter.paper.${TAG}@example.jp`);
  await pf('c-name').fill(`紙野 葉${TAG.slice(-3)}`);
  await pf('c-birth').fill(jstDay(-500));
  await pf('u-date').fill(jstDay(D1));
  await pf('u-start').fill('10:00');
  await pf('u-end').fill('12:00');
  await pf('u-company').fill('こもれびシッターサービス');
  await pf('u-paid').fill('6000');
  await pf('bank-code').fill('9990');
  await pf('bank-branch').fill('001');
  await pf('bank-number').fill('1112223');
  await pf('bank-holder').fill('カミノ フミコ');
  await tid(op, 'paper-submit').click();
  await message(op, /紙の申請を受け付けました（申請番号 \d{10}）/, 'the paper application taken');
  await eventually(async () => /紙（入力）/.test(await tid(op, 'detail').textContent()), { message: 'the paper one opened' });
  // its receipt, scanned, added by the contractor
  await tid(op, 'staff-receipt-file').setInputFiles({ name: 'scan.png', mimeType: 'image/png', buffer: PNG });
  await tid(op, 'staff-receipt-add').click();
  await message(op, /領収書を取り込みました/, 'the paper receipt added');
  await eventually(async () => (await tid(op, 'receipt-open').count()) === 1, { message: 'the paper receipt listed' });
  await checkA11y(op, 'office: a paper application with its receipt');

  // the call center: a call about it, then resolved
  await tid(op, 'call-channel').selectOption('phone');
  await tid(op, 'call-topic').selectOption('status');
  await tid(op, 'call-number').fill(number);
  await tid(op, 'call-content').fill('審査の状況を知りたい。');
  await tid(op, 'call-answer').fill('区の決定待ちと案内。');
  await tid(op, 'call-submit').click();
  await message(op, /問い合わせを記録しました/, 'the call logged');
  await eventually(async () => (await tid(op, 'call-row').count()) >= 1
    && (await tid(op, 'calls-table').textContent()).includes(number), { message: 'the call listed' });
  await checkA11y(op, 'office: the call center');
  await tid(op, 'calls-q').fill(number);
  await tid(op, 'calls-find').click();
  await eventually(async () => (await tid(op, 'call-row').count()) === 1, { message: 'the call found by number' });
  await tid(op, 'call-resolve').click();
  await message(op, /解決済みにしました/, 'resolved');
  await eventually(async () => /未解決の問い合わせはありません/.test(await tid(op, 'calls-table').textContent()),
    { message: 'no open call' });
  assertNoProblems(op);
  await op.close();

  // the ward's approver: the screened ones by default; approve
  const ap = await newPage(browser, DESKTOP);
  await signIn(ap, env.SITTER_APPROVER_LOGIN);
  assert.equal(await tid(ap, 'state-filter').inputValue(), 'screened');
  await eventually(async () => (await ap.locator(`[data-testid="app-row"][data-number="${number}"]`).count()) === 1,
    { message: 'listed as screened' });
  await ap.locator(`[data-testid="app-row"][data-number="${number}"] [data-testid="app-open"]`).click();
  await tid(ap, 'act-approve').waitFor({ state: 'visible' });
  assert.equal(await tid(ap, 'act-screen').count(), 0);
  assert.equal(await tid(ap, 'check-guardian').isDisabled(), true, 'the ward does not check');
  await checkA11y(ap, 'office: the approver\'s detail');
  await tid(ap, 'act-approve').click();
  await tid(ap, 'confirm-ok').click();
  await message(ap, /交付決定しました/, 'approved');
  assert.equal(await focused(ap), 'office-message', 'the focus after 交付決定');
  assert.match(await tid(ap, 'detail').textContent(), /交付決定額29,250円/);
  await eventually(async () => (await tid(ap, 'pending-row').count()) >= 1, { message: 'a day to notify' });
  await checkA11y(ap, 'office: approved');
  await shot(ap, 'sitter-office-approved');
  await ap.setViewportSize(PHONE.viewport);
  await tid(ap, 'detail-title').scrollIntoViewIfNeeded();
  await fits(ap, 'an application on a phone');
  await checkA11y(ap, 'office: approved (phone width)');
  await shot(ap, 'sitter-office-detail-phone');
  assertNoProblems(ap);
  await ap.close();

  // the contractor's supervisor: the day's notices, the PDF
  const sv = await newPage(browser, { ...DESKTOP, acceptDownloads: true });
  await signIn(sv, env.SITTER_SV_LOGIN);
  const day = sv.locator(`[data-testid="pending-row"][data-date="${TODAY}"]`);
  await day.waitFor({ state: 'visible' });
  assert.match(await day.textContent(), /1件/);
  await day.locator('[data-testid="notice-make"]').click();
  await tid(sv, 'confirm-ok').click();
  await message(sv, /決定通知書 1通を作りました/, 'the notices made');
  await eventually(async () => (await tid(sv, 'notice-row').count()) === 1, { message: 'the notice listed' });
  const pdf = await downloadBy(sv, tid(sv, 'notice-pdf'));
  assert.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF');
  assert.equal(pdf.name, `sitter-notices-${TODAY}.pdf`);
  await message(sv, /受け渡し台帳/, 'the PDF saved');
  assert.equal(await tid(sv, 'payments').isHidden(), true, 'the contractor does not pay');
  await checkA11y(sv, 'office: the notices made');
  assertNoProblems(sv);
  await sv.close();

  // the ward's staff: the transfer and its 全銀 file
  const ws = await newPage(browser, { ...DESKTOP, acceptDownloads: true });
  await signIn(ws, env.SITTER_WARD_LOGIN);
  await tid(ws, 'payments').waitFor({ state: 'visible' });
  await eventually(async () => /1件・合計 29,250円/.test(await tid(ws, 'payable').textContent()), { message: 'one to pay' });
  assert.equal(await tid(ws, 'pay-date').inputValue(), TODAY);
  await checkA11y(ws, 'office: the transfers');
  await tid(ws, 'pay-make').click();
  await tid(ws, 'confirm-dialog').waitFor({ state: 'visible' });
  assert.match(await tid(ws, 'confirm-dialog').textContent(), /通知済みの交付決定 1件・合計 29,250円/);
  await tid(ws, 'confirm-ok').click();
  await eventually(async () => /振込 \d+ を作りました：.*1件・合計 29,250円/.test(await tid(ws, 'pay-message').textContent()),
    { message: 'the transfer made, said beside the form' });
  await eventually(async () => (await tid(ws, 'payment-row').count()) === 1, { message: 'the transfer listed' });
  const zengin = await downloadBy(ws, tid(ws, 'payment-file'));
  assert.match(zengin.name, /^sitter-transfer-\d{8}\.txt$/);
  const b = zengin.bytes;
  assert.equal(b.length % 122, 0, 'records of 120 bytes and CRLF');
  const records = [];
  for (let i = 0; i < b.length; i += 122) {
    assert.equal(b.subarray(i + 120, i + 122).toString('latin1'), '\r\n', `CRLF after record ${i / 122}`);
    records.push(b.subarray(i, i + 120));
  }
  assert.deepEqual(records.map((r) => String.fromCharCode(r[0])), ['1', '2', '8', '9']);
  const data = records[1].toString('latin1');
  assert.equal(data.slice(80, 90), '0000029250', 'the amount');
  assert.equal(data.slice(91, 101), number, '顧客コード1 is the number');
  assert.equal(data.slice(1, 5), '9990');
  shared.zengin = b;
  await message(ws, /振込データ（sitter-transfer-\d{8}\.txt）を保存しました/, 'the file saved');
  await shot(ws, 'sitter-office-paid');
  await checkA11y(ws, 'office: a transfer made');
  await ws.setViewportSize(PHONE.viewport);
  await checkA11y(ws, 'office: a transfer made (phone width)');
  await fits(ws, 'the office page on a phone');
  await shot(ws, 'sitter-office-phone');
  assertNoProblems(ws);
  await ws.close();
});

test('(c) the status page from the mail\'s link shows the state', async () => {
  assert.ok(shared.link, 'the link from (a)');
  const page = await newPage(browser, PHONE);
  await page.goto(shared.link.replace(/^https?:\/\/[^/]+/, env.URL));
  await tid(page, 'status-summary').waitFor({ state: 'visible' });
  assert.equal((await tid(page, 'status-state').textContent()).trim(), '振込済');
  assert.equal((await tid(page, 'status-number').textContent()).trim(), shared.number);
  assert.equal(await tid(page, 'grant-yen').textContent(), '29,250円');
  assert.match(await tid(page, 'hours-table').textContent(), /134時間30分/);
  assert.match(await tid(page, 'steps').textContent(), /受付（事前審査中）.*事前審査済.*交付決定.*振込済/s);
  assert.equal(await tid(page, 'status-fix').isHidden(), true);
  await checkA11y(page, 'status: paid (phone)');
  await fits(page, 'the status page');
  await shot(page, 'sitter-status-paid');
  assertNoProblems(page);
  await page.close();

  const bad = await newPage(browser, PHONE);
  await bad.goto(`${env.URL}/sitter/status.html#t=${'0'.repeat(64)}`);
  await eventually(async () => /見つかりません/.test(await tid(bad, 'status-message').textContent()), { message: 'a wrong link refused' });
  await checkA11y(bad, 'status: a wrong link');
  await bad.close();
});

test('(e) a transfer came back: the ward reads the 振込不能 file, the applicant gives an account', async () => {
  assert.ok(shared.zengin && shared.link, 'the transfer from (b)');
  // the bank sends back the transfer's record as 振込不能 (the same 全銀 layout)
  const ws = await newPage(browser, DESKTOP);
  await signIn(ws, env.SITTER_WARD_LOGIN);
  await tid(ws, 'payments').waitFor({ state: 'visible' });
  await tid(ws, 'returns-file').setInputFiles({ name: 'funou.txt', mimeType: 'text/plain', buffer: shared.zengin });
  await tid(ws, 'returns-submit').click();
  await eventually(async () => new RegExp(`振込不能にした申請: 1件（${shared.number}）`).test(await tid(ws, 'returns-result').textContent()),
    { message: 'the returned transfer matched' });
  await eventually(async () => /1件/.test(await tid(ws, 'payment-row').locator('td').nth(4).textContent()), { message: 'counted returned' });
  await checkA11y(ws, 'office: a returned transfer read');
  assertNoProblems(ws);
  await ws.close();

  const page = await newPage(browser, PHONE);
  await page.goto(shared.link.replace(/^https?:\/\/[^/]+/, env.URL));
  await tid(page, 'status-bank').waitFor({ state: 'visible' });
  assert.match(await tid(page, 'status-state').textContent(), /振込不能/);
  await checkA11y(page, 'status: unpaid, the account form (phone)');
  await tid(page, 'bank-code').fill('9990');
  await tid(page, 'bank-branch').fill('003');
  await eventually(async () => /みなみ支店/.test(await tid(page, 'bank-names').textContent()), { message: 'the branch named' });
  await tid(page, 'bank-type-2').check();
  await tid(page, 'bank-number').fill('7654321');
  await tid(page, 'bank-holder').fill('みまもり はなこ'); // hiragana: the server makes it カナ
  await shot(page, 'sitter-status-unpaid');
  await tid(page, 'bank-submit').click();
  await eventually(async () => /口座を受け付けました/.test(await tid(page, 'status-done').textContent()), { message: 'the account taken' });
  assert.match(await tid(page, 'status-state').textContent(), /通知済（振込待ち）/);
  assert.equal(await tid(page, 'status-bank').isHidden(), true);
  await checkA11y(page, 'status: the account given (phone)');
  assertNoProblems(page);
  await page.close();
});

test('(f) returned for correction: the applicant corrects and sends it again on the status page', async () => {
  // an application through the API, returned by the operator through the API
  const email = `sitter.fix.${TAG}@example.jp`;
  const form = {
    guardian: { ...GUARDIAN, name: '補正 桜子', kana: 'ほせい さくらこ', birth: '1988-03-03', email, email_confirm: email },
    children: [{ name: `補正 一郎${TAG.slice(-3)}`, birth: jstDay(-700), multiple: false }],
    uses: [{ date: jstDay(-3), start: '09:00', end: '12:00', children: [0], company: 'すずらん保育サービス', paid_yen: 9000 }],
    bank: { bank_code: '9990', branch_code: '003', type: 1, number: '7654321', holder: 'ホセイ サクラコ' },
  };
  const post = async (path, body, headers = {}) => {
    const r = await fetch(`${env.URL}/api/v1${path}`, { method: 'POST', headers: { Origin: env.URL, ...headers }, body });
    const text = await r.text();
    assert.ok(r.ok, `${path} answered ${r.status}: ${text}`);
    return JSON.parse(text);
  };
  const made = await post('/sitter/applications', JSON.stringify(form), { 'Content-Type': 'application/json' });
  const h = { 'X-Applicant-Token': made.token };
  await post('/sitter/mine/receipts', PNG, { ...h, 'Content-Type': 'image/png' });
  await post('/sitter/mine/submit', undefined, h);
  const opApi = await userApi(env, env.SITTER_OP_LOGIN);
  const found = await opApi.get(`/api/v1/sitter/applications?q=${made.number}`);
  const id = found.data.applications[0].id;
  const ret = await opApi.send('POST', `/api/v1/sitter/applications/${id}/return`, { note: '支払った金額が領収書と違います。領収書の金額に直してください。' });
  assert.equal(ret.status, 200, ret.text);

  const page = await newPage(browser, PHONE);
  await page.goto(`${env.URL}/sitter/status.html#t=${made.token}`);
  await tid(page, 'status-fix').waitFor({ state: 'visible' });
  assert.equal((await tid(page, 'status-state').textContent()).trim(), '補正依頼中');
  assert.match(await tid(page, 'fix-note').textContent(), /領収書の金額に直して/);
  // the form filled in as sent
  assert.equal(await tid(page, 'fix-form').locator('[data-testid="g-name"]').inputValue(), '補正 桜子');
  assert.equal(await tid(page, 'fix-form').locator('[data-testid="u-paid"]').inputValue(), '9000');
  assert.equal(await tid(page, 'fix-form').locator('[data-testid="receipt-item"]').count(), 1);
  await eventually(async () => /テスト銀行\s*みなみ支店/.test(await tid(page, 'fix-form').locator('[data-testid="bank-names"]').textContent()),
    { message: 'the bank named' });
  await checkA11y(page, 'status: returned for correction (phone)');
  await fits(page, 'the correction form');
  await shot(page, 'sitter-status-returned');
  await tid(page, 'fix-form').locator('[data-testid="u-paid"]').fill('8000');
  await tid(page, 'resubmit').click();
  await eventually(async () => /直した申請を受け付けました/.test(await tid(page, 'status-done').textContent()), { message: 'sent again' });
  assert.equal((await tid(page, 'status-state').textContent()).trim(), '受付（事前審査中）');
  assert.equal(await tid(page, 'status-fix').isHidden(), true);
  // 3 h by day: 7,500 yen (under the 8,000 paid)
  assert.equal(await tid(page, 'grant-yen').textContent(), '7,500円');
  await checkA11y(page, 'status: sent again (phone)');
  assertNoProblems(page);
  await page.close();
});

test('(g) the transfer states what it makes: notices made on the same page count, nothing to pay is said', async () => {
  // an approval through the API: keyed in on paper, the five items checked, screened, approved
  const opApi = await userApi(env, env.SITTER_OP_LOGIN);
  const paper = await opApi.send('POST', '/api/v1/sitter/paper', {
    guardian: { name: '振込 確子', kana: 'ふりこみ かくこ', birth: '1987-07-07', postcode: '1790001',
      address: '東京都桜台区本町7丁目8番9号', phone: '03-5555-3434', email: `sitter.pay.${TAG}@example.jp` },
    children: [{ name: `振込 一花${TAG.slice(-3)}`, birth: jstDay(-600), multiple: false }],
    uses: [{ date: jstDay(D1), start: '10:00', end: '12:00', children: [0], company: 'こもれびシッターサービス', paid_yen: 6000 }],
    bank: { bank_code: '9990', branch_code: '001', type: 1, number: '3334445', holder: 'フリコミ カクコ' },
  });
  assert.equal(paper.status, 201, paper.text);
  const id = paper.data.application.id;
  for (const item of ['guardian', 'children', 'uses', 'receipts', 'bank']) {
    const r = await opApi.send('POST', `/api/v1/sitter/applications/${id}/checks`, { item, checked: true });
    assert.equal(r.status, 200, r.text);
  }
  const screened = await opApi.send('POST', `/api/v1/sitter/applications/${id}/screen`, {});
  assert.equal(screened.status, 200, screened.text);
  const apApi = await userApi(env, env.SITTER_APPROVER_LOGIN);
  const decided = await apApi.send('POST', `/api/v1/sitter/applications/${id}/decide`, { decision: 'approve' });
  assert.equal(decided.status, 200, decided.text);

  const wsApi = await userApi(env, env.SITTER_WARD_LOGIN);
  const payable = async () => (await wsApi.get('/api/v1/sitter/payments')).data.payable;
  const before = await payable();
  const ws = await newPage(browser, DESKTOP);
  await signIn(ws, env.SITTER_WARD_LOGIN);
  await tid(ws, 'payments').waitFor({ state: 'visible' });
  await eventually(async () => (await tid(ws, 'payable').textContent()).includes(`${before.count}件・合計 ${yenText(before.total_yen)}`),
    { message: 'what is payable at first' });

  // the day's notice made on this page: the approval becomes payable, and the page says so
  const day = ws.locator(`[data-testid="pending-row"][data-date="${TODAY}"]`);
  await day.waitFor({ state: 'visible' });
  await day.locator('[data-testid="notice-make"]').click();
  await tid(ws, 'confirm-ok').click();
  await message(ws, /決定通知書 1通を作りました/, 'the notice made');
  assert.equal(await focused(ws), 'office-message', 'the focus on the result (the row is gone)');
  const after = await payable();
  assert.equal(after.count, before.count + 1, 'the approval payable now');
  const line = `${after.count}件・合計 ${yenText(after.total_yen)}`;
  await eventually(async () => (await tid(ws, 'payable').textContent()).includes(line),
    { message: () => `the payable line updated to ${line}` });

  // the confirmation states what the transfer will hold, and the transfer holds that: what
  // was confirmed goes with the request, for the server to refuse anything else
  const sent = [];
  ws.on('request', (rq) => { if (rq.method() === 'POST' && rq.url().endsWith('/api/v1/sitter/payments')) sent.push(rq.postDataJSON()); });
  await tid(ws, 'pay-make').click();
  await tid(ws, 'confirm-dialog').waitFor({ state: 'visible' });
  const asked = await tid(ws, 'confirm-dialog').textContent();
  assert.ok(asked.includes(`通知済みの交付決定 ${line}`), `the dialog: ${asked}`);
  await tid(ws, 'confirm-ok').click();
  let said = '';
  await eventually(async () => /振込 \d+ を作りました/.test(said = await tid(ws, 'pay-message').textContent()),
    { message: () => `the transfer made (the page says: ${said})` });
  assert.ok(said.includes(line), `made what was confirmed: ${said}`);
  assert.deepEqual(sent.map((b) => b.expect), [{ count: after.count, total_yen: after.total_yen }]);
  const made = (await wsApi.get('/api/v1/sitter/payments')).data.payments
    .reduce((a, b) => (b.id > a.id ? b : a));
  assert.equal(made.items, after.count);
  assert.equal(made.total_yen, after.total_yen);
  assert.equal(await tid(ws, 'pay-message').isVisible(), true);
  await eventually(async () => (await tid(ws, 'payable').textContent()).includes('0件・合計 0円'), { message: 'nothing payable now' });
  await checkA11y(ws, 'office: a transfer made, said beside the form');

  // nothing left to pay: said beside the form, no dialog
  await tid(ws, 'pay-make').click();
  await eventually(async () => /振込できる交付決定（通知済）はありません/.test(await tid(ws, 'pay-message').textContent()),
    { message: 'nothing to pay said' });
  assert.equal(await tid(ws, 'confirm-dialog').isVisible(), false, 'no dialog for nothing');
  assert.equal(await focused(ws), 'pay-message');
  // no date: said, no dialog, the focus on the date
  await tid(ws, 'pay-date').fill('');
  await tid(ws, 'pay-make').click();
  await eventually(async () => /振込日を入力してください/.test(await tid(ws, 'pay-message').textContent()),
    { message: 'no date said' });
  assert.equal(await tid(ws, 'confirm-dialog').isVisible(), false, 'no dialog without a date');
  assert.equal(await focused(ws), 'pay-date');
  await checkA11y(ws, 'office: a transfer refused on the page');
  assert.equal((await payable()).count, 0);
  assertNoProblems(ws);
  await ws.close();
});

test('the ward admin adds an account of the benefit (role and 担当の事業)', async () => {
  const login = `sitter-new.${TAG}`;
  const page = await newPage(browser, DESKTOP);
  await page.goto(`${env.URL}/ward/users.html`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await tid(page, 'login-id').fill(env.ADMIN_LOGIN);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
  await tid(page, 'user-row').first().waitFor();
  assert.equal(await tid(page, 'user-add-benefit').isVisible(), false, 'no benefit for a site staff member');
  await tid(page, 'user-add-login').fill(login);
  await tid(page, 'user-add-role').selectOption('grant_operator');
  await tid(page, 'user-add-benefit').waitFor({ state: 'visible' });
  await tid(page, 'user-add-benefit').selectOption('sitter');
  await checkA11y(page, 'users: a grant role chosen');
  await tid(page, 'user-add').click();
  await tid(page, 'password-box').waitFor();
  const row = page.locator(`[data-testid="user-row"][data-login="${login}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /助成 事業者の担当者/);
  assert.match(await row.locator('[data-testid="user-sites"]').textContent(), /担当の事業: ベビーシッター利用支援/);
  assertNoProblems(page);
  await page.close();
});

test('the office page refuses an account of another service', async () => {
  const page = await newPage(browser, DESKTOP);
  await page.goto(`${env.URL}/sitter/office.html`);
  await tid(page, 'login-id').waitFor({ state: 'visible' });
  await checkA11y(page, 'office: the sign-in form');
  await tid(page, 'login-id').fill(env.STAFF_LOGIN);
  await tid(page, 'login-password').fill(env.STAFF_PASSWORD);
  await tid(page, 'login-submit').click();
  await tid(page, 'denied').waitFor({ state: 'visible' });
  await checkA11y(page, 'office: denied');
  assertNoProblems(page);
  await page.close();
});
