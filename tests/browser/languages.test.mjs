// The page speaks the user's language: the one of the mail that carried the link (whatever the
// browser's), else the browser's own; right-to-left languages mirror the layout; and the
// server's feedback on a weak password comes in the page's language too.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { env, launch, openContext, openLink, recoveryLink, screenshot, stateOf } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const lang = (page) => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);

test('the link from a German mail opens a German page in an English browser', async () => {
  const link = await recoveryLink(env.users.german);
  const { page, finish, responses } = await openContext(browser, { ip: '198.51.100.71', locale: 'en-US', allow: [422] });
  await openLink(page, link);
  assert.equal(await stateOf(page), 'form');
  assert.deepEqual(await lang(page), ['de', 'ltr']);
  assert.equal(await page.locator('#form-state h1').textContent(), 'Neues Passwort festlegen');
  const field = page.locator('#new-password');
  await field.fill('kurz');
  assert.match(await page.locator('#new-password-hint').textContent(), /^4 .*15/);
  // The server's own feedback (a common password) comes in German too.
  await field.fill('passwortpasswort');
  await page.locator('#confirm-password').fill('passwortpasswort');
  const answer = page.waitForResponse((r) => r.url().endsWith('/change-password'));
  await page.locator('#submit').click();
  const response = await answer;
  assert.equal(response.status(), 422);
  assert.equal(response.headers()['content-language'], 'de');
  const body = await response.json();
  assert.equal(body.error.code, 'weak_password', 'the code stays English');
  const shown = await page.locator('#new-password-error').textContent();
  assert.ok(shown.includes(body.error.details.suggestions[0] ?? body.error.details.warning), shown);
  assert.ok(!/[Pp]assword/.test(shown), `no English on the German page: ${shown}`);
  await screenshot(page, 'language-de-weak');
  assert.equal(responses.filter((r) => r.path.endsWith('/change-password')).length, 1);
  await finish();
});

test('an Arabic link opens a right-to-left page whose layout is mirrored', async () => {
  const link = await recoveryLink(env.users.arabic);
  const { page, finish } = await openContext(browser, { ip: '198.51.100.72', locale: 'en-US' });
  await openLink(page, link);
  assert.equal(await stateOf(page), 'form');
  assert.deepEqual(await lang(page), ['ar', 'rtl']);
  const direction = await page.evaluate(() => getComputedStyle(document.querySelector('#main')).direction);
  assert.equal(direction, 'rtl');
  // The logo leads the header on the right; a field's label starts at the field's right edge.
  const logo = await page.locator('.logo').boundingBox();
  const product = await page.locator('.product').boundingBox();
  assert.ok(logo.x > product.x, 'the logo is right of the product name');
  const label = await page.locator('label[for="new-password"]').boundingBox();
  const input = await page.locator('#new-password').boundingBox();
  assert.ok(Math.abs(label.x + label.width - (input.x + input.width)) < 2, 'the label is aligned right');
  assert.ok(!/[A-Za-z]{4,}/.test(await page.locator('#form-state h1').textContent()), 'an Arabic heading');
  await screenshot(page, 'language-ar-form');
  await finish();
});

test('a Japanese link opens a Japanese page', async () => {
  const link = await recoveryLink(env.users.japanese);
  const { page, finish } = await openContext(browser, { ip: '198.51.100.73', locale: 'fr-FR' });
  await openLink(page, link);
  assert.deepEqual(await lang(page), ['ja', 'ltr']);
  assert.match(await page.locator('#form-state h1').textContent(), /パスワード/);
  await screenshot(page, 'language-ja-form');
  await finish();
});

test('the page without a link, opened by a French browser, speaks French', async () => {
  const { page, finish } = await openContext(browser, { ip: '198.51.100.74', locale: 'fr-FR' });
  await page.goto(`${env.base}${env.resetPath}`);
  await page.locator('#main[data-state]').waitFor({ state: 'attached' });
  assert.equal(await stateOf(page), 'link-missing');
  assert.deepEqual(await lang(page), ['fr', 'ltr']);
  const title = await page.locator('#link-problem-title').textContent();
  assert.ok(title.length > 0 && !title.includes('Open the link'), title);
  assert.match(await page.title(), /Northwind Cloud/);
  await screenshot(page, 'language-fr-missing');
  await finish();
});
