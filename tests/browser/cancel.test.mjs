// The mail's "this wasn't me" link (`#cancel=`): opening it changes nothing (a mail scanner may
// open it, script and all); the page explains and asks, and only its button cancels the link;
// the account is never touched. A reset link (`#token=`) of a cancelled token then says so.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import {
  addUser,
  api,
  env,
  exhaust,
  focusedId,
  launch,
  openContext,
  openLink,
  psql,
  recoveryLink,
  recoveryMail,
  roomInThisMinute,
  screenshot,
  stateOf,
  storedHash,
  tokenOf,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const EXPLANATION =
  'Someone asked to reset the password of this account. If it was not you, cancel this link; your password stays as it is.';

/** What `verify-recovery-token` answers for `token` now (from an address no page uses). */
async function verdict(token) {
  const { response, json, text } = await api('/verify-recovery-token', { token }, { ip: '198.51.100.49' });
  assert.equal(response.status, 200, text);
  return json;
}

/** The calls the page made to `name` (`verify-recovery-token`, `cancel-recovery`, ...). */
const calls = (responses, name) => responses.filter((r) => r.method === 'POST' && r.path.endsWith(`/${name}`));

/** Asserts the link-problem state without a button to cancel or a field to type into. */
async function assertNoLongerWorks(page, { state, title, body, next }) {
  assert.equal(await stateOf(page), state);
  assert.equal(await page.locator('#link-problem-title').textContent(), title);
  if (body) assert.match(await page.locator('#link-problem-body').textContent(), body);
  assert.match(await page.locator('#link-problem-next').textContent(), next);
  assert.equal(await page.getByRole('button', { name: 'Cancel this link' }).count(), 0, 'no button to cancel');
  assert.ok(await page.locator('#new-password').isHidden(), 'no password field is offered');
  assert.equal(await focusedId(page), 'link-problem-title', 'focus is on the news');
  assert.equal(await page.title(), `${title} · Northwind Cloud`);
}

test('opening the cancel link changes nothing; the button cancels the link, the password stays', async () => {
  const user = addUser('carla.brandt@example.org', 'Carla Brandt');
  const { link, cancelLink } = await recoveryMail(user);
  const token = tokenOf(link);
  assert.equal(cancelLink, `${env.base}${env.resetPath}?lang=en#cancel=${token}`, 'the mail links the cancel step');
  const hash = storedHash(user);

  const { page, finish, responses } = await openContext(browser, { ip: '198.51.100.41' });
  await openLink(page, cancelLink);
  assert.equal(await stateOf(page), 'cancel-confirm');
  assert.equal(await page.title(), 'Cancel this reset link? · Northwind Cloud');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  const step = page.locator('#cancel-state');
  assert.ok((await step.textContent()).replace(/\s+/g, ' ').includes(EXPLANATION), 'the page says what happened');
  assert.equal(await page.locator('#cancel-email-hint').textContent(), 'c***t@example.org');
  const button = page.getByRole('button', { name: 'Cancel this link' });
  assert.ok(await button.isVisible());
  assert.ok(await page.locator('#new-password').isHidden(), 'no password field is offered');
  assert.match(await page.locator('#foot-text').textContent(), /^Nothing changes until you press “Cancel this link”\./);

  // Opening the link (as a mail scanner would, script and all) only read the token.
  assert.equal(calls(responses, 'verify-recovery-token').length, 1);
  assert.equal(calls(responses, 'cancel-recovery').length, 0, 'opening the link cancelled nothing');
  assert.equal((await verdict(token)).valid, true, 'the link still works after being opened');
  await screenshot(page, 'cancel-1-confirm');

  const answer = page.waitForResponse((r) => r.url().endsWith('/cancel-recovery'));
  await button.click();
  const response = await answer;
  assert.equal(response.status(), 200);
  assert.deepEqual(JSON.parse(response.request().postData()), { token }, 'the token from the link, nothing else');
  await page.locator('#cancelled').waitFor();
  assert.equal(await stateOf(page), 'cancel-done');
  assert.equal(await page.title(), 'The link is cancelled · Northwind Cloud');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  assert.match(await page.locator('#cancelled').textContent(), /Your password stays as it is/);
  assert.match(await page.locator('#foot-text').textContent(), /^For your safety, this page removes the link/);
  assert.equal(calls(responses, 'cancel-recovery').length, 1);
  assert.ok(!page.url().includes(token) && !page.url().includes('#'), 'the token is not back in the address bar');
  assert.ok(!(await page.content()).includes(token), 'the token is nowhere in the page');
  await screenshot(page, 'cancel-2-done');
  await finish();

  assert.deepEqual(await verdict(token), { valid: false, reason: 'cancelled' });
  assert.equal(storedHash(user), hash, 'the password did not change');

  // The cancel link opened again says it was done already, and offers nothing to press.
  const again = await openContext(browser, { ip: '198.51.100.41' });
  await openLink(again.page, cancelLink);
  await assertNoLongerWorks(again.page, {
    state: 'cancel-cancelled',
    title: 'This link was already cancelled',
    body: /Your password stays as it is/,
    next: /tell your administrator/,
  });
  assert.equal(calls(again.responses, 'cancel-recovery').length, 0);
  await screenshot(again.page, 'cancel-3-already-cancelled');
  await again.finish();

  const log = await readFile(env.serverLog, 'utf8');
  assert.ok(!log.includes(token), 'the token is not in the server log');
});

test('a reset link whose token was cancelled says so, and offers no password form', async () => {
  const user = addUser('dario.conti@example.org', 'Dario Conti');
  const link = await recoveryLink(user);
  const cancelled = await api('/cancel-recovery', { token: tokenOf(link) }, { ip: '198.51.100.42' });
  assert.equal(cancelled.response.status, 200, cancelled.text);
  assert.deepEqual(cancelled.json, { status: 'cancelled' });

  const { page, finish, responses } = await openContext(browser, { ip: '198.51.100.42' });
  await openLink(page, link);
  await assertNoLongerWorks(page, {
    state: 'link-cancelled',
    title: 'This link was cancelled',
    body: /reported as unexpected/,
    next: /If you do want a new password, ask your administrator for a new link/,
  });
  assert.equal(await page.locator('#reset-form').count(), 1);
  assert.ok(await page.locator('#form-state').isHidden(), 'the form stays hidden');
  assert.ok(await page.getByRole('button', { name: 'Set new password' }).isHidden());
  assert.equal(calls(responses, 'change-password').length, 0);
  await screenshot(page, 'cancel-4-reset-link-of-cancelled-token');
  await finish();
});

test('a cancel link that no longer works says so before any click, and one that stops working on the click too', async () => {
  const user = addUser('ines.duarte@example.org', 'Ines Duarte');

  // Expired: said at once, nothing to press.
  const expired = await recoveryMail(user);
  psql(
    `update ${env.schema}.recovery_tokens set created_at = now() - interval '2 hours',
       expires_at = now() - interval '1 second' where user_id = :'id';`,
    { id: user.id },
  );
  const first = await openContext(browser, { ip: '198.51.100.43' });
  await openLink(first.page, expired.cancelLink);
  await assertNoLongerWorks(first.page, {
    state: 'cancel-expired',
    title: 'This link is no longer valid',
    body: /It has expired/,
    next: /tell your administrator/,
  });
  assert.equal(calls(first.responses, 'cancel-recovery').length, 0);
  await screenshot(first.page, 'cancel-5-expired');
  await first.finish();

  // Used elsewhere while the confirmation was open: the click says a password was set.
  const { link, cancelLink } = await recoveryMail(user);
  const { page, finish } = await openContext(browser, { ip: '198.51.100.44', allow: [400] });
  await openLink(page, cancelLink);
  assert.equal(await stateOf(page), 'cancel-confirm');
  const used = await api(
    '/change-password',
    { token: tokenOf(link), new_password: 'quartz otter paddles past lighthouses' },
    { ip: '198.51.100.45' },
  );
  assert.equal(used.response.status, 200, used.text);
  const answer = page.waitForResponse((r) => r.url().endsWith('/cancel-recovery'));
  await page.getByRole('button', { name: 'Cancel this link' }).click();
  const response = await answer;
  assert.equal(response.status(), 400);
  await page.locator('#link-problem').waitFor();
  await assertNoLongerWorks(page, {
    state: 'cancel-used',
    title: 'This link is no longer valid',
    body: /A new password has already been set with this link/,
    next: /If you did not set it, tell your administrator right away/,
  });
  await screenshot(page, 'cancel-6-used-before-the-click');
  await finish();
});

test('too many attempts on the click say to wait, and the link stays as it was', async () => {
  const user = addUser('jonas.weber@example.org', 'Jonas Weber');
  const ip = '198.51.100.46';
  const { link, cancelLink } = await recoveryMail(user);
  await roomInThisMinute();
  const { page, finish } = await openContext(browser, { ip, allow: [429] });
  await openLink(page, cancelLink);
  assert.equal(await stateOf(page), 'cancel-confirm');
  await exhaust('/cancel-recovery', { token: 'x' }, ip);
  const button = page.getByRole('button', { name: 'Cancel this link' });
  const answer = page.waitForResponse((r) => r.url().endsWith('/cancel-recovery'));
  await button.click();
  const response = await answer;
  assert.equal(response.status(), 429);
  const alert = page.locator('#cancel-error');
  await alert.locator('p').waitFor();
  assert.equal(await alert.getAttribute('role'), 'alert');
  assert.match(
    await alert.textContent(),
    /^Too many attempts from your network\. Wait (\d+ seconds|1 second|about a minute), then press “Cancel this link” again\.$/,
  );
  assert.equal(await stateOf(page), 'cancel-confirm', 'the confirmation stays, to try again');
  assert.ok(await button.isVisible());
  assert.equal(await button.getAttribute('aria-disabled'), 'false');
  assert.equal((await verdict(tokenOf(link))).valid, true, 'the link was not cancelled');
  await screenshot(page, 'cancel-7-limited');
  await finish();
});
