// What the browser tests share: the environment scripts/browser.sh sets, Chromium, a page
// that fails the test on any console error, page error, failed or unexpected request, the
// recovery mail the server really wrote, the database, and the server's CLI.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import PostalMime from 'postal-mime';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests with scripts/browser.sh`);
  return value;
}

export const env = {
  base: required('BASE_URL'),
  api: required('API_URL'),
  resetPath: required('RESET_PATH'),
  mailDir: required('MAIL_DIR'),
  serverLog: required('SERVER_LOG'),
  dbUrl: required('DB_URL'),
  schema: required('DB_SCHEMA'),
  chromium: required('CHROMIUM'),
  shots: required('SCREENSHOT_DIR'),
  adminToken: required('ADMIN_TOKEN'),
  oldPassword: required('OLD_PASSWORD'),
  users: JSON.parse(required('BROWSER_USERS')),
};

/** Debian's Chromium, headless, nothing fetched from anywhere but the server under test. */
export function launch() {
  return chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A new context and page speaking from `ip` (the server trusts X-Forwarded-For in these
 * tests), watched: any console error, page error, failed request, request to another origin
 * or response >= 400 whose status was not `allow`ed is a problem, and `finish()` fails the
 * test on any. Chromium logs "Failed to load resource: ... status of N" for every response
 * >= 400; those are accepted for allowed statuses only.
 */
export async function openContext(browser, { ip, allow = [], ...options }) {
  const context = await browser.newContext({
    viewport: { width: 1024, height: 900 },
    extraHTTPHeaders: { 'X-Forwarded-For': ip },
    ...options,
  });
  const allowed = new Set(allow);
  const problems = [];
  const responses = [];
  const watch = (page) => {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const status = /status of (\d{3})/.exec(message.text());
      if (status && allowed.has(Number(status[1]))) return;
      problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) =>
      problems.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`),
    );
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== env.base) problems.push(`request to another origin: ${url.origin}`);
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      responses.push({ status: response.status(), method: response.request().method(), path: url.pathname });
      if (response.status() >= 400 && !allowed.has(response.status())) {
        problems.push(`unexpected ${response.status()} for ${response.request().method()} ${url.pathname}`);
      }
    });
  };
  context.on('page', watch);
  const page = await context.newPage();
  return {
    context,
    page,
    responses,
    /** Closes the context and fails on any problem seen. */
    async finish() {
      await context.close();
      assert.deepEqual(problems, [], 'the page ran without console errors or failed requests');
    },
  };
}

/** Saves a full-page screenshot as target/browser/<name>.png. */
export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(env.shots, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** POSTs JSON to the API from `ip`; answers the response and its JSON body. */
export async function api(pathname, body, { ip, bearer } = {}) {
  const headers = { 'Content-Type': 'application/json', 'X-Forwarded-For': ip ?? '192.0.2.1' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const response = await fetch(`${env.api}${pathname}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: left null
  }
  return { response, json, text };
}

const consumed = new Set();

/**
 * Asks for a recovery of `user` as the admin, waits for the mail the server writes (the
 * `.eml` of the file transport), parses it as MIME (quoted-printable and all) and returns the
 * link from its text part, checked against the HTML part's.
 */
export async function recoveryLink(user) {
  return (await recoveryMail(user)).link;
}

/**
 * As `recoveryLink`, and the mail's second, "this wasn't me" link too: `{ link, cancelLink }`,
 * each checked against the HTML part's (`cancelLink` is null when the mail has none).
 */
export async function recoveryMail(user) {
  const { response, text } = await api('/password-recovery', { email: user.email }, { bearer: env.adminToken });
  assert.equal(response.status, 200, text);
  return nextRecoveryMail(user);
}

/** The next recovery mail that reaches `user` (however it was asked for), as `recoveryMail`. */
export async function nextRecoveryMail(user) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    for (const name of (await readdir(env.mailDir)).filter((n) => n.endsWith('.eml')).sort()) {
      if (consumed.has(name)) continue;
      const raw = await readFile(path.join(env.mailDir, name));
      let mail;
      try {
        mail = await PostalMime.parse(raw);
      } catch {
        continue; // still being written
      }
      const to = (mail.to ?? []).map((a) => a.address?.toLowerCase());
      const link = /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
      if (!to.includes(user.email) || !link) continue;
      consumed.add(name);
      assert.ok(
        link.startsWith(`${env.base}${env.resetPath}?lang=${user.locale ?? 'en'}#token=`),
        `the link opens the reset page in the account's language: ${link}`,
      );
      assert.ok((mail.html ?? '').includes(`href="${link}"`), 'the HTML part links the same address');
      const cancelLink = /https?:\/\/\S+#cancel=[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0] ?? null;
      if (cancelLink) {
        assert.ok((mail.html ?? '').includes(`href="${cancelLink}"`), 'the HTML part links the same cancel address');
      }
      return { link, cancelLink };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no recovery mail reached ${user.email} within 15 s`);
}

/** The token of a recovery link (`#token=`) or of its cancel link (`#cancel=`). */
export const tokenOf = (link) => new URL(link).hash.replace(/^#(token|cancel)=/, '');

/** The `user-account` binary scripts/browser.sh built (and whose settings it exported). */
const binary =
  process.env.USER_ACCOUNT_BIN ?? fileURLToPath(new URL('../../target/debug/user-account', import.meta.url));

/**
 * Adds a user with the server's CLI (`user add`, the old password on standard input), as
 * scripts/browser.sh adds the others, for a test that needs an account of its own; answers
 * `{ id, email, name }`.
 */
export function addUser(email, name) {
  const result = spawnSync(binary, ['user', 'add', '--email', email, '--name', name, '--password-stdin'], {
    input: `${env.oldPassword}\n`,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `user add --email ${email}: ${result.stderr}`);
  const id = result.stdout.trim();
  assert.match(id, /^[0-9a-f-]{36}$/, `user add answers the new id: ${id}`);
  return { id, email, name };
}

/** Runs `sql` through psql with `vars` as psql variables (`:'name'`); answers the output. */
export function psql(sql, vars = {}) {
  const args = [env.dbUrl, '-XAtq', '-v', 'ON_ERROR_STOP=1'];
  for (const [name, value] of Object.entries(vars)) args.push('-v', `${name}=${value}`);
  const result = spawnSync('psql', args, { input: sql, encoding: 'utf8' });
  assert.equal(result.status, 0, `psql: ${result.stderr}`);
  return result.stdout.trim();
}

/** The stored password hash of `user`. */
export function storedHash(user) {
  return psql(`select password_hash from ${env.schema}.users where id = :'id'::uuid;`, { id: user.id });
}

/**
 * Whether `password` matches the argon2 PHC string `hash`, by argon2-cffi (the reference C
 * implementation; the parameters are the hash's own). Both go through standard input.
 */
export function argon2Verifies(hash, password) {
  const program = [
    'import json, sys',
    'from argon2 import PasswordHasher',
    'from argon2.exceptions import VerifyMismatchError',
    'given = json.load(sys.stdin)',
    'try:',
    '    PasswordHasher().verify(given["hash"], given["password"])',
    '    print("match")',
    'except VerifyMismatchError:',
    '    print("mismatch")',
  ].join('\n');
  const result = spawnSync('python3', ['-c', program], { input: JSON.stringify({ hash, password }), encoding: 'utf8' });
  assert.equal(result.status, 0, `argon2-cffi: ${result.stderr}`);
  return result.stdout.trim() === 'match';
}

/** Asserts that the new password, and not the old one, verifies against the stored hash. */
export function assertPasswordIs(user, password) {
  const hash = storedHash(user);
  assert.match(hash, /^\$argon2id\$v=19\$/, 'an argon2id PHC string is stored');
  assert.ok(argon2Verifies(hash, password), 'the new password verifies against the stored hash');
  assert.ok(!argon2Verifies(hash, env.oldPassword), 'the old password no longer does');
}

/** Opens the link and waits for the page to settle on a state other than "checking". */
export async function openLink(page, link) {
  await page.goto(link);
  await page.locator('#main[data-state]').waitFor({ state: 'attached' });
  const token = tokenOf(link);
  assert.ok(!page.url().includes(token) && !page.url().includes('#'), 'the token left the address bar at once');
  assert.ok(!(await page.content()).includes(token), 'the token is nowhere in the page');
}

/** Waits, if need be, for a minute window with at least 20 s left (the per-IP limit's). */
export async function roomInThisMinute() {
  const second = new Date().getSeconds();
  if (second > 40) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
}

/** Calls `pathname` with `body` from `ip` until the per-IP minute limit answers 429 (at most 11 calls). */
export async function exhaust(pathname, body, ip) {
  for (let i = 0; i < 11; i += 1) {
    const { response } = await api(pathname, body, { ip });
    if (response.status === 429) return;
  }
  throw new Error(`the per-IP limit never answered 429 on ${pathname}`);
}

/** The visible section's state, as the script names it on #main. */
export const stateOf = (page) => page.locator('#main').getAttribute('data-state');

/** The id of the focused element. */
export const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');
