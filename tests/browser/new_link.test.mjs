// Self-service recovery on the page: under a link that no longer works, the user asks for a
// new one, the page says the same thing it says for any address, and the new mail's link works.

import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import {
  api,
  assertPasswordIs,
  env,
  launch,
  nextRecoveryMail,
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

test('from a used link, the user asks for a new link and the new link works', async () => {
  const user = env.users.again;
  const link = await recoveryLink(user);
  const first = 'quiet harbour violin sketch';
  const { response } = await api('/change-password', { token: tokenOf(link), new_password: first }, { ip: '198.51.100.81' });
  assert.equal(response.status, 200);

  const { page, finish, responses } = await openContext(browser, { ip: '198.51.100.82' });
  await openLink(page, link);
  assert.equal(await stateOf(page), 'link-used');
  const form = page.locator('#new-link');
  assert.ok(await form.isVisible(), 'a dead link offers a new one');
  // Nothing typed: said next to the field, nothing sent.
  await page.getByRole('button', { name: 'Send me a new link' }).click();
  assert.equal(await page.locator('#new-link-error').textContent(), 'Enter your email address.');
  assert.equal(responses.filter((r) => r.path.endsWith('/forgot-password')).length, 0);
  await screenshot(page, 'new-link-1-offered');

  await page.getByLabel('Your email address').fill(user.email.toUpperCase());
  const answer = page.waitForResponse((r) => r.url().endsWith('/forgot-password'));
  await page.getByRole('button', { name: 'Send me a new link' }).click();
  assert.equal((await answer).status(), 202);
  await page.locator('#new-link-sent').waitFor({ state: 'visible' });
  assert.match(await page.locator('#new-link-sent').textContent(), /^If an account exists for this address/);
  assert.ok(!(await form.isVisible()), 'the form is gone');
  assert.equal(await stateOf(page), 'new-link-sent');
  await screenshot(page, 'new-link-2-sent');
  await finish();

  // The new mail says the user asked, and its link sets a password.
  const { link: fresh } = await nextRecoveryMail(user);
  assert.notEqual(fresh, link);
  const second = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': '198.51.100.83' } });
  const newPage = await second.newPage();
  await openLink(newPage, fresh);
  assert.equal(await stateOf(newPage), 'form');
  const password = 'lantern meadow copper fjord';
  await newPage.getByLabel('New password', { exact: true }).fill(password);
  await newPage.getByLabel('Confirm new password').fill(password);
  await newPage.getByRole('button', { name: 'Set new password' }).click();
  await newPage.locator('#main[data-state="done"]').waitFor();
  await assertPasswordIs(user, password);
  await second.close();
});

test('an address with no account gets the very same words, and no mail', async () => {
  const mails = async () => (await readdir(env.mailDir)).filter((n) => n.endsWith('.eml')).length;
  const before = await mails();
  const { page, finish } = await openContext(browser, { ip: '198.51.100.84' });
  await page.goto(`${env.base}${env.resetPath}`);
  await page.locator('#main[data-state]').waitFor({ state: 'attached' });
  assert.equal(await stateOf(page), 'link-missing');
  await page.getByLabel('Your email address').fill('nobody.at.all@example.org');
  const answer = page.waitForResponse((r) => r.url().endsWith('/forgot-password'));
  await page.getByRole('button', { name: 'Send me a new link' }).click();
  assert.equal((await answer).status(), 202);
  await page.locator('#new-link-sent').waitFor({ state: 'visible' });
  assert.match(await page.locator('#new-link-sent').textContent(), /^If an account exists for this address/);
  await finish();
  // The worker has long handled the request (it is woken at once): still no mail.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  assert.equal(await mails(), before, 'no mail for an address without an account');
});
