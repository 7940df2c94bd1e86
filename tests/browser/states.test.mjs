// Links that cannot be used say so before any typing, with what to do next; a link that stops
// working on the form says so; too many attempts say to wait.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  api,
  env,
  exhaust,
  launch,
  openContext,
  openLink,
  psql,
  recoveryLink,
  roomInThisMinute,
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

/** Asserts the link-problem state: its heading, its next step, and no form to type into. */
async function assertLinkProblem(page, { state, title, next }) {
  assert.equal(await stateOf(page), state);
  assert.equal(await page.locator('#link-problem-title').textContent(), title);
  assert.match(await page.locator('#link-problem-next').textContent(), next);
  assert.ok(await page.locator('#new-password').isHidden(), 'no password field is offered');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'link-problem-title', 'focus is on the news');
  assert.equal(await page.title(), `${title} · Northwind Cloud`);
}

test('an expired link says so, and to ask for a new one', async () => {
  const user = env.users.expired;
  const link = await recoveryLink(user);
  psql(
    `update ${env.schema}.recovery_tokens set created_at = now() - interval '2 hours',
       expires_at = now() - interval '1 second' where user_id = :'id';`,
    { id: user.id },
  );
  const { page, finish } = await openContext(browser, { ip: '198.51.100.21' });
  await openLink(page, link);
  await assertLinkProblem(page, {
    state: 'link-expired',
    title: 'This link has expired',
    next: /ask your administrator to send you a new link/i,
  });
  await screenshot(page, 'state-expired-link');
  await finish();
});

test('a used link says so', async () => {
  const user = env.users.used;
  const link = await recoveryLink(user);
  const { response } = await api(
    '/change-password',
    { token: tokenOf(link), new_password: 'juniper canoe whistles beneath orbit' },
    { ip: '198.51.100.22' },
  );
  assert.equal(response.status, 200);
  const { page, finish } = await openContext(browser, { ip: '198.51.100.22' });
  await openLink(page, link);
  await assertLinkProblem(page, {
    state: 'link-used',
    title: 'This link has already been used',
    next: /sign in with that new password/,
  });
  await screenshot(page, 'state-used-link');
  await finish();
});

test('an older link says a newer mail was sent; the newest one works', async () => {
  const user = env.users.superseded;
  const first = await recoveryLink(user);
  const newest = await recoveryLink(user);
  assert.notEqual(tokenOf(first), tokenOf(newest));
  const { page, finish } = await openContext(browser, { ip: '198.51.100.23' });
  await openLink(page, first);
  await assertLinkProblem(page, {
    state: 'link-superseded',
    title: 'A newer link was sent',
    next: /newest email from Northwind Cloud/,
  });
  await screenshot(page, 'state-superseded-link');
  await finish();

  // The newest link opens the form (here in the dark colour scheme).
  const dark = await openContext(browser, { ip: '198.51.100.23', colorScheme: 'dark' });
  await openLink(dark.page, newest);
  assert.equal(await stateOf(dark.page), 'form');
  await screenshot(dark.page, 'state-newest-link-form-dark');
  await dark.finish();
});

test('a link whose token is not one says so', async () => {
  const { page, finish } = await openContext(browser, { ip: '198.51.100.28' });
  const forged = 'A'.repeat(43);
  await openLink(page, `${env.base}${env.resetPath}#token=${forged}`);
  await assertLinkProblem(page, {
    state: 'link-invalid',
    title: 'This link does not work',
    next: /newest reset email again\. If that does not help, ask your administrator for a new link/,
  });
  await screenshot(page, 'state-invalid-link');
  await finish();
});

test('a page without a token says to open the link from the mail', async () => {
  const { page, finish } = await openContext(browser, { ip: '198.51.100.24' });
  await page.goto(`${env.base}${env.resetPath}`);
  await page.locator('#main[data-state]').waitFor({ state: 'attached' });
  await assertLinkProblem(page, {
    state: 'link-missing',
    title: 'Open the link from your email',
    next: /newest reset email/,
  });
  await screenshot(page, 'state-no-token');
  await finish();
});

test('a link that stops working while the form is open says so, and nothing changed', async () => {
  const user = env.users.stopped;
  const link = await recoveryLink(user);
  const { page, finish } = await openContext(browser, { ip: '198.51.100.25', allow: [400] });
  await openLink(page, link);
  assert.equal(await stateOf(page), 'form');
  const before = psql(`select password_hash from ${env.schema}.users where id = :'id'::uuid;`, { id: user.id });
  // Meanwhile the link is used elsewhere (another tab, another device).
  const used = await api(
    '/change-password',
    { token: tokenOf(link), new_password: 'harbor violin tumbles past midnight' },
    { ip: '198.51.100.26' },
  );
  assert.equal(used.response.status, 200);
  const after = psql(`select password_hash from ${env.schema}.users where id = :'id'::uuid;`, { id: user.id });
  const password = 'granite meadow whispers to eleven owls';
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  const answer = page.waitForResponse((r) => r.url().endsWith('/change-password'));
  await page.getByRole('button', { name: 'Set new password' }).click();
  assert.equal((await answer).status(), 400);
  await assertLinkProblem(page, {
    state: 'link-used',
    title: 'This link stopped working',
    next: /ask your administrator for a new link/,
  });
  assert.match(await page.locator('#link-problem-body').textContent(), /^Your password has not been changed\./);
  assert.notEqual(before, after);
  assert.equal(
    psql(`select password_hash from ${env.schema}.users where id = :'id'::uuid;`, { id: user.id }),
    after,
    'the page changed nothing',
  );
  await screenshot(page, 'state-link-stopped-working-on-submit');
  await finish();
});

test('too many attempts: the form and the check both say to wait, and typed text stays', async () => {
  const user = env.users.limited;
  const ip = '198.51.100.27';
  const link = await recoveryLink(user);
  await roomInThisMinute();
  const { page, finish } = await openContext(browser, { ip, allow: [429] });
  await openLink(page, link);
  assert.equal(await stateOf(page), 'form');
  const password = 'saffron kettle orbits the quiet pier';
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  await exhaust('/verify-recovery-token', { token: 'x' }, ip);
  const answer = page.waitForResponse((r) => r.url().endsWith('/change-password'));
  await page.getByRole('button', { name: 'Set new password' }).click();
  const response = await answer;
  assert.equal(response.status(), 429);
  assert.ok(Number(await response.headerValue('retry-after')) > 0);
  const alert = page.locator('#form-error');
  await alert.waitFor();
  assert.equal(await alert.getAttribute('role'), 'alert');
  assert.match(await alert.textContent(), /^Too many attempts from your network\. Wait (\d+ seconds|1 second|about a minute), then press/);
  assert.equal(await page.locator('#new-password').inputValue(), password, 'what was typed is kept');
  assert.equal(await page.locator('#confirm-password').inputValue(), password);
  await screenshot(page, 'limited-1-submit-says-wait');

  // Opening the link again meanwhile: the check says to wait too, with a way to retry.
  const again = await openContext(browser, { ip, allow: [429] });
  await openLink(again.page, link);
  assert.equal(await stateOf(again.page), 'check-limited');
  assert.equal(await again.page.locator('#check-failed-title').textContent(), 'Too many attempts');
  assert.match(await again.page.locator('#check-failed-body').textContent(), /Wait .+, then try again\./);
  assert.ok(await again.page.getByRole('button', { name: 'Try again' }).isVisible());
  await screenshot(again.page, 'limited-2-check-says-wait');
  await again.finish();
  await finish();
});
