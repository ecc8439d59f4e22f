// Landing page: links to the guardians' page, the staff page and the kiosk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireEnv, launch, newPage, shot, assertNoProblems, checkA11y, PHONE, DESKTOP,
} from './helpers.mjs';

const env = requireEnv(['MIMAMORI_URL']);
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('landing: links to 保護者の方, 職員ログイン and キオスク', { timeout: 60000 }, async () => {
  for (const [name, opts] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const page = await newPage(browser, opts);
    const res = await page.goto(`${env.URL}/`);
    assert.equal(res.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    const staff = page.getByRole('link', { name: /職員ログイン/ });
    const kiosk = page.getByRole('link', { name: /キオスク/ });
    assert.equal(new URL(await staff.evaluate((a) => a.href)).pathname, '/staff/');
    assert.equal(new URL(await kiosk.evaluate((a) => a.href)).pathname, '/kiosk/');
    const parent = page.getByRole('link', { name: /保護者の方/ });
    assert.equal(new URL(await parent.evaluate((a) => a.href)).pathname, '/parent/');
    await shot(page, `landing-${name}`);
    await checkA11y(page, `the landing page (${name})`);
    assertNoProblems(page);
    await page.context().close();
  }
});
