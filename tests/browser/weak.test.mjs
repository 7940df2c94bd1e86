// What the page says about a password it cannot take: before sending (length, confirmation)
// and after (the server's 422 weak_password feedback), next to the field, for screen readers
// too, without losing what was typed; and a strong password then succeeds.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertPasswordIs, env, focusedId, launch, openContext, openLink, recoveryLink, screenshot } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('a weak password gets its feedback next to the field, keeps the text, then a strong one succeeds', async () => {
  const user = env.users.weak;
  const link = await recoveryLink(user);
  const { page, finish, responses } = await openContext(browser, { ip: '198.51.100.31', allow: [422] });
  await openLink(page, link);
  const field = page.getByLabel('New password', { exact: true });
  const confirmation = page.getByLabel('Confirm new password');
  const error = page.locator('#new-password-error');
  const changeCalls = () => responses.filter((r) => r.path.endsWith('/change-password')).length;

  // Too short: said at once, without a request.
  await field.fill('short words');
  await confirmation.fill('short words');
  await page.getByRole('button', { name: 'Set new password' }).click();
  assert.equal(await error.textContent(), 'Use at least 15 characters. This one has 11.');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.equal(await focusedId(page), 'new-password');
  assert.equal(changeCalls(), 0, 'nothing was sent');
  await screenshot(page, 'weak-1-too-short');

  // The confirmation does not match: said next to it.
  await field.fill('seventeen letters');
  await confirmation.fill('seventeen letter');
  await page.getByRole('button', { name: 'Set new password' }).click();
  assert.equal(
    await page.locator('#confirm-password-error').textContent(),
    'The two passwords are not the same. Type the same password in both fields.',
  );
  assert.equal(await field.getAttribute('aria-invalid'), null, 'the first field is fine now');
  assert.equal(await confirmation.getAttribute('aria-invalid'), 'true');
  assert.equal(await focusedId(page), 'confirm-password');
  assert.equal(changeCalls(), 0, 'nothing was sent');
  await screenshot(page, 'weak-2-confirmation-differs');

  // Long enough but common: the server's feedback, reason, warning and suggestions.
  const weak = 'passwordpassword';
  await field.fill(weak);
  await confirmation.fill(weak);
  const answer = page.waitForResponse((r) => r.url().endsWith('/change-password'));
  await page.getByRole('button', { name: 'Set new password' }).click();
  const response = await answer;
  assert.equal(response.status(), 422);
  const body = await response.json();
  assert.equal(body.error.code, 'weak_password');
  assert.equal(body.error.details.reason, 'too_guessable');
  await error.locator('p').first().waitFor();
  const shown = await error.textContent();
  assert.ok(shown.startsWith('This password would be too easy to guess.'), shown);
  if (body.error.details.warning) assert.ok(shown.includes(body.error.details.warning), 'the warning is shown');
  for (const suggestion of body.error.details.suggestions) assert.ok(shown.includes(suggestion), suggestion);
  assert.ok(body.error.details.warning || body.error.details.suggestions.length, 'there is advice to show');
  assert.equal(await error.getAttribute('role'), 'alert', 'announced to screen readers');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match(await field.getAttribute('aria-describedby'), /^new-password-error /);
  assert.equal(await focusedId(page), 'new-password', 'focus is back on the field');
  assert.equal(await field.inputValue(), weak, 'what was typed is kept');
  assert.equal(await confirmation.inputValue(), weak);
  // The error box sits right under the field.
  const [fieldBox, errorBox] = [await field.boundingBox(), await error.boundingBox()];
  assert.ok(errorBox.y > fieldBox.y && errorBox.y - (fieldBox.y + fieldBox.height) < 60, 'next to the field');
  await screenshot(page, 'weak-3-server-feedback');

  // A strong one succeeds with the same link.
  const strong = 'orchid tractor sings beside frozen canals';
  await field.fill(strong);
  await confirmation.fill(strong);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.locator('#done').waitFor();
  await screenshot(page, 'weak-4-strong-one-succeeds');
  await finish();
  assertPasswordIs(user, strong);
});
