// The whole flow: from the link in the mail the server wrote, through the form, to a new
// password whose stored hash verifies; with the keyboard alone; on a phone-sized screen.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import {
  assertPasswordIs,
  env,
  focusedId,
  launch,
  openContext,
  openLink,
  recoveryLink,
  screenshot,
  stateOf,
  tokenOf,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the mailed link leads through the form to a new password that verifies', async () => {
  const user = env.users.flow;
  const link = await recoveryLink(user);
  const { page, finish } = await openContext(browser, { ip: '198.51.100.11' });

  await openLink(page, link);
  assert.equal(await stateOf(page), 'form');
  assert.equal(await page.title(), 'Choose a new password · Northwind Cloud');
  assert.equal((await page.locator('header .product').textContent()).trim(), 'Northwind Cloud');
  assert.equal(await page.locator('#email-hint').textContent(), 'f***t@example.org');
  assert.match(await page.locator('#expires-line').textContent(), /^This link works until .+\.$/);
  const policy = await page.locator('#policy').textContent();
  assert.match(policy, /15 to 128 characters/);
  assert.match(policy, /not a common password, and not your name or email address/);
  assert.equal(await focusedId(page), 'new-password', 'the cursor waits in the first field');
  assert.ok(await page.locator('#sign-out-everywhere').isVisible(), 'signing out everywhere is offered up front');
  await screenshot(page, 'flow-1-form');

  const password = 'maple harbor quietly sketches lanterns';
  await page.getByLabel('New password', { exact: true }).pressSequentially('maple harbor');
  assert.equal(await page.locator('#new-password-hint').textContent(), '12 of at least 15 characters');
  await page.getByLabel('New password', { exact: true }).fill(password);
  assert.equal(await page.locator('#new-password-hint').textContent(), `✓ ${password.length} characters: long enough`);
  await page.getByLabel('Confirm new password').pressSequentially('maple harbor quietly x');
  assert.equal(await page.locator('#confirm-password-hint').textContent(), 'The passwords do not match yet.');
  await page.getByLabel('Confirm new password').fill(password);
  assert.equal(await page.locator('#confirm-password-hint').textContent(), '✓ The passwords match.');
  await screenshot(page, 'flow-2-filled');

  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.locator('#done').waitFor();
  assert.equal(await stateOf(page), 'done');
  assert.equal(await page.title(), 'Your password has been changed · Northwind Cloud');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  assert.equal(await page.locator('#active-count').textContent(), '1', 'the session from before is still signed in');
  assert.equal(await page.locator('#revoked-count').textContent(), '0');
  assert.equal(
    await page.locator('#sessions-summary').textContent(),
    '1 session is still signed in with your account, on this or another device.',
  );
  assert.ok(await page.locator('#sessions-advice').isVisible());
  assert.equal(await page.locator('#new-password').inputValue(), '', 'the password does not stay in the page');
  await screenshot(page, 'flow-3-done');
  await finish();

  assertPasswordIs(user, password);
  const log = await readFile(env.serverLog, 'utf8');
  assert.ok(!log.includes(tokenOf(link)), 'the token is not in the server log');
  assert.ok(!log.includes(password), 'the password is not in the server log');
});

test('the keyboard alone completes the form: Tab, typing, Space and Enter', async () => {
  const user = env.users.keyboard;
  const link = await recoveryLink(user);
  const { page, finish } = await openContext(browser, { ip: '198.51.100.12' });
  await openLink(page, link);
  assert.equal(await focusedId(page), 'new-password');

  const password = 'copper lantern drifts over seven hills';
  await page.keyboard.type(password);
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'confirm-password');
  await page.keyboard.type(password);
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'show-passwords');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'sign-out-everywhere');
  await page.keyboard.press('Space');
  assert.ok(await page.locator('#sign-out-everywhere').isChecked());
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'submit');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused button shows where the focus is');
  await screenshot(page, 'keyboard-1-filled-focus-on-submit');

  await page.keyboard.press('Enter');
  await page.locator('#done').waitFor();
  assert.equal(await page.locator('#revoked-count').textContent(), '1', 'the earlier session was signed out');
  assert.equal(await page.locator('#active-count').textContent(), '0');
  assert.equal(
    await page.locator('#sessions-summary').textContent(),
    '1 session was signed out. No session is signed in with your account now.',
  );
  assert.ok(await page.locator('#sessions-advice').isHidden());
  await screenshot(page, 'keyboard-2-done-signed-out-everywhere');
  await finish();
  assertPasswordIs(user, password);
});

test('on a phone-sized screen the page fits, reads and works by touch', async () => {
  const user = env.users.phone;
  const link = await recoveryLink(user);
  const { page, finish } = await openContext(browser, {
    ip: '198.51.100.13',
    viewport: { width: 375, height: 667 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await openLink(page, link);
  assert.equal(await stateOf(page), 'form');
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    fieldFont: parseFloat(getComputedStyle(document.getElementById('new-password')).fontSize),
    fieldHeight: document.getElementById('new-password').getBoundingClientRect().height,
    buttonHeight: document.getElementById('submit').getBoundingClientRect().height,
    cardWidth: document.getElementById('main').getBoundingClientRect().width,
  }));
  assert.ok(layout.scrollWidth <= layout.width, `no sideways scrolling: ${JSON.stringify(layout)}`);
  assert.ok(layout.fieldFont >= 16, 'fields are large enough that phones do not zoom in');
  assert.ok(layout.fieldHeight >= 44 && layout.buttonHeight >= 44, 'touch targets are at least 44 px');
  assert.ok(layout.cardWidth >= 340, 'the card uses the width of the screen');
  await screenshot(page, 'phone-1-form');

  const password = 'tundra pelican borrows nine umbrellas';
  await page.getByLabel('New password', { exact: true }).tap();
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').tap();
  await page.getByLabel('Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Set new password' }).tap();
  await page.locator('#done').waitFor();
  assert.equal(await page.locator('#sessions-summary').textContent(), 'No session is signed in with your account now.');
  assert.ok(
    await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    'the success state fits too',
  );
  await screenshot(page, 'phone-2-done');
  await finish();
  assertPasswordIs(user, password);
});
