// SPDX-License-Identifier: MIT
// Course sign-up (講座の申込) on the driver's server: a course_staff account is added with the
// CLI; on a desktop the staff make a course whose one session takes one person; on a phone two
// fathers sign up on the public page — the first gets the place, the second the waitlist; the
// first cancels through his own page (the link of the answer, as in his mail) and the second is
// moved up (his page says so, and the mail is in the Maildir); the staff see both in the roster
// and save the session's attendance list (pdftotext reads the one with the place).
// axe-core on each state of the pages; the pages log no errors (CSP kept).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, eventually, mailsTo, PHONE, DESKTOP,
  signInAt,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL', 'MIMAMORI_BIN', 'MIMAMORI_DATA', 'MIMAMORI_MAILDIR',
  'MIMAMORI_STAFF_PASSWORD']);
const LOGIN = 'course-b';
const TITLE = '父親ピアサポート（ブラウザ）';
// Two fictional fathers.
const FATHERS = [
  { name: '早乙女 航', email: 'saotome.wataru.b28@example.jp', phone: '090-5550-2801', age: '2' },
  { name: '一ノ瀬 陸', email: 'ichinose.riku.b28@example.jp', phone: '080-5550-2802', age: '-1' },
];

let browser;
const tid = (page, id) => page.locator(`[data-testid="${id}"]`);

before(async () => {
  execFileSync(env.BIN, ['user', 'add', '--data', env.DATA, '--login', LOGIN, '--role', 'course_staff',
    '--password-stdin'], { input: `${env.STAFF_PASSWORD}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  browser = await launch();
});
after(async () => { if (browser) await browser.close(); });

/** Signs up father f on a phone for the course's one session; returns the answer's page. */
async function signUp(f, courseId, sessionId) {
  const page = await newPage(browser, PHONE);
  await page.goto(`${env.URL}/course/`);
  await tid(page, 'course-form').waitFor({ state: 'visible' });
  await tid(page, `course-${courseId}`).check();
  await tid(page, `session-${sessionId}`).check();
  assert.equal(await tid(page, `pref-${sessionId}`).textContent(), '第1希望');
  await tid(page, 'course-name').fill(f.name);
  await tid(page, 'course-email').fill(f.email);
  await tid(page, 'course-phone').fill(f.phone);
  await tid(page, 'course-age').selectOption(f.age);
  await checkA11y(page, 'the sign-up form on a phone');
  await shot(page, 'course-signup-form-phone');
  await tid(page, 'course-submit').click();
  await tid(page, 'course-done').waitFor({ state: 'visible' });
  return page;
}

test('a sign-up on a phone: a place, the waitlist, a cancellation moves the waitlist up', async () => {
  // the staff make a course whose session takes one person
  const staff = await newPage(browser, DESKTOP);
  await signInAt(staff, `${env.URL}/course/staff.html`, LOGIN, env.STAFF_PASSWORD, { ready: 'new-course' });
  const today = await staff.evaluate(async () => (await (await fetch('/api/v1/course/courses')).json()).today);
  const day = new Date(`${today}T12:00:00+09:00`);
  day.setUTCDate(day.getUTCDate() + 7);
  const date = day.toISOString().slice(0, 10);
  await tid(staff, 'nc-title').fill(TITLE);
  await tid(staff, 'nc-description').fill('お父さん同士で話し合う会です。');
  await tid(staff, 'nc-contact').fill('子育て支援課 03-0000-0000');
  await tid(staff, 'ns-1-date').fill(date);
  await tid(staff, 'ns-1-place').fill('子ども家庭支援センター 会議室');
  await tid(staff, 'ns-1-capacity').fill('1');
  await checkA11y(staff, 'the staff page with the new course form filled in');
  await tid(staff, 'nc-submit').click();
  await tid(staff, 'course-detail').waitFor({ state: 'visible' });
  const course = await staff.evaluate(async (t) => (await (await fetch('/api/v1/course/courses')).json())
    .courses.find((c) => c.title === t), TITLE);
  assert.ok(course, 'the course was made');
  const sid = course.sessions[0].id;

  // the first father gets the place
  const first = await signUp(FATHERS[0], course.id, sid);
  assert.match(await tid(first, 'course-done-text').textContent(), /参加が決まりました/);
  await checkA11y(first, 'the answer: a place');
  await shot(first, 'course-signup-booked-phone');
  // the second waits
  const second = await signUp(FATHERS[1], course.id, sid);
  assert.match(await tid(second, 'course-done-text').textContent(), /キャンセル待ち/);
  assert.match(await tid(second, 'course-done-choices').textContent(), /キャンセル待ち（1番目）/);
  await checkA11y(second, 'the answer: the waitlist');
  await shot(second, 'course-signup-waiting-phone');

  // the first cancels on his own page
  await tid(first, 'course-mine-link').click();
  await tid(first, 'mine').waitFor({ state: 'visible' });
  assert.equal(await tid(first, 'mine-name').textContent(), FATHERS[0].name);
  await checkA11y(first, 'the person\'s own page');
  await tid(first, 'mine-cancel').click();
  await tid(first, 'mine-cancel-yes').click();
  await tid(first, 'mine-said').waitFor({ state: 'visible' });
  assert.equal(await tid(first, 'mine-standing-1').textContent(), 'キャンセルしました');
  await checkA11y(first, 'the person\'s page after the cancellation');
  // A link with a bad token in the same tab: that link's error, never the sign-up this tab
  // opened before (the page fell back to the token it kept for a reload).
  await first.goto(`${env.URL}/course/mine.html#t=${'0'.repeat(63)}x`);
  await tid(first, 'mine-message').waitFor({ state: 'visible' });
  assert.match(await tid(first, 'mine-message').textContent(), /リンクが正しくありません/);
  assert.ok(await tid(first, 'mine').isHidden(), 'no sign-up shown for a bad link');
  assert.doesNotMatch(await first.locator('body').innerText(), new RegExp(FATHERS[0].name));

  // the second is moved up: his page and his mail say so
  await tid(second, 'course-mine-link').click();
  await tid(second, 'mine').waitFor({ state: 'visible' });
  assert.equal(await tid(second, 'mine-standing-1').textContent(), '参加が決まっています');
  await shot(second, 'course-mine-moved-up-phone');
  await eventually(() => mailsTo(env, FATHERS[1].email).some((m) => m.body.includes('キャンセル待ちの方から順に')),
    { message: 'the moved-up mail in the Maildir' });

  // the staff's roster
  await staff.reload();
  await tid(staff, `open-${course.id}`).click();
  await tid(staff, 'course-detail').waitFor({ state: 'visible' });
  const roster = await tid(staff, 'roster').textContent();
  assert.match(roster, new RegExp(`${FATHERS[0].name}（キャンセル）`));
  assert.match(roster, new RegExp(FATHERS[1].name));
  await checkA11y(staff, 'the staff page with the roster');
  // the facilitator's attendance list: the one with the place, pdftotext reads it
  const [dl] = await Promise.all([staff.waitForEvent('download'), tid(staff, `pdf-${sid}`).click()]);
  const pdf = path.join(os.tmpdir(), `course-${sid}.pdf`);
  await dl.saveAs(pdf);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', pdf, '-']).toString('utf8');
  fs.rmSync(pdf, { force: true });
  assert.match(text, /出席簿/);
  assert.match(text, new RegExp(FATHERS[1].name));
  assert.doesNotMatch(text, new RegExp(FATHERS[0].name));
  await tid(staff, 'detail-message').waitFor({ state: 'visible' });
  await shot(staff, 'course-staff-roster');
  // On a phone the three tables become one card per row, each value under its heading (the
  // roster's seven columns were squeezed to a word a line, the page scrolled sideways).
  await staff.setViewportSize({ width: 390, height: 844 });
  assert.ok(await staff.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    'the staff page does not scroll sideways on a phone');
  const heading = await staff.evaluate(() => {
    const td = document.querySelector('[data-testid="roster"] td[data-label="連絡先"]');
    return td && getComputedStyle(td, '::before').content;
  });
  assert.equal(heading, '"連絡先"');
  await checkA11y(staff, 'the staff page on a phone');
  await shot(staff, 'course-staff-roster-phone');
  for (const p of [staff, first, second]) assertNoProblems(p);
  for (const p of [staff, first, second]) await p.context().close();
});
