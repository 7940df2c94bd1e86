// The password reset page's script: reads the token from the link's fragment (and removes it
// from the address bar at once), checks it, and sets the new password through the JSON API
// under the mount point. No framework, no third-party code; every sentence it shows comes from
// the page (#strings, rendered from the language's page.ftl), so the resource decides the wording.
//
// Two links lead here: `#token=...` (choose a new password) and `#cancel=...` (the mail's
// "this wasn't me" link). For the latter, opening the page only checks the token (read-only:
// a mail scanner that opens the link cancels nothing) and asks for a confirmation; only the
// click on "Cancel this link" posts to `cancel-recovery`.
'use strict';

(() => {
  const root = document.getElementById('main');
  if (!root) return;

  const $ = (id) => document.getElementById(id);
  const api = root.dataset.api || '';
  const min = Number(root.dataset.minLength) || 1;
  const max = Number(root.dataset.maxLength) || 1024;
  const baseTitle = document.title;
  const foot = $('foot-text');

  // The page's language, as the server chose it (the mail's, or the browser's): the
  // sentences below are in it, and so are the API's messages (Accept-Language) and the dates.
  const lang = document.documentElement.lang || 'en';
  const strings = new Map();
  // A sentence that counts comes once per plural category (and for 0): key → category → text.
  const plurals = new Map();
  for (const el of document.querySelectorAll('#strings [data-key]')) {
    const text = el.textContent.replace(/\s+/g, ' ').trim();
    const { key, plural: category } = el.dataset;
    if (category) {
      if (!plurals.has(key)) plurals.set(key, new Map());
      plurals.get(key).set(category, text);
    } else {
      strings.set(key, text);
    }
  }
  let pluralRules = null;
  try {
    pluralRules = new Intl.PluralRules(lang);
  } catch {
    pluralRules = null;
  }
  /** The form of the counting sentence `key` for the number `n`, as this language says it. */
  function countedForm(key, n) {
    const forms = plurals.get(key);
    if (!forms) return undefined;
    if (n === 0 && forms.has('0')) return forms.get('0');
    const category = pluralRules ? pluralRules.select(n) : 'other';
    return forms.get(category) ?? forms.get('other');
  }
  /** The sentence `key` with its `{name}` placeholders filled from `values` (for a sentence
   * that counts, in the form `values.n` needs). */
  const t = (key, values = {}) =>
    ((typeof values.n === 'number' ? countedForm(key, values.n) : undefined) ?? strings.get(key) ?? countedForm(key, 2) ?? '')
      .replace(/\{(\w+)\}/g, (whole, name) =>
        Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);

  // The token lives in this closure only: never in the address bar, storage or the page.
  // `mode`: 'reset' for a `#token=` link, 'cancel' for a `#cancel=` one.
  const { mode, token } = readLink();

  const form = $('reset-form');
  const password = $('new-password');
  const confirmation = $('confirm-password');
  const submit = $('submit');
  const submitLabel = submit.textContent;
  let busy = false;

  function readLink() {
    const fragment = window.location.hash.replace(/^#/, '');
    const params = new URLSearchParams(fragment);
    if (fragment) {
      // Gone from the address bar, the history entry and any later Referer, before anything else.
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    }
    // A cancel link never leads to the password form, even with a `token` beside it.
    const cancel = params.get('cancel');
    if (cancel !== null) return { mode: 'cancel', token: cancel.trim() };
    const value = params.get('token');
    return { mode: 'reset', token: value ? value.trim() : '' };
  }

  /** Code points, as the server counts them. */
  const lengthOf = (text) => Array.from(text).length;

  // ---- states ---------------------------------------------------------------------------

  /** Shows the section `id` alone; moves focus to `focusTarget` or the section's heading. */
  function show(id, focusTarget) {
    for (const section of root.querySelectorAll(':scope > section')) {
      section.hidden = section.id !== id;
    }
    const section = $(id);
    const heading = section.querySelector('h1');
    if (mode === 'cancel' && foot) {
      // "Nothing changes until you press" holds until the link is cancelled or cannot be.
      const key = id === 'checking' || id === 'cancel-state' ? 'foot-cancel' : 'foot-cancel-after';
      if (strings.has(key)) foot.textContent = t(key);
    }
    if (heading && id !== 'checking') {
      document.title = t('title', { title: heading.textContent.trim() }) || baseTitle;
    }
    if (focusTarget !== null) {
      (focusTarget || heading).focus();
    }
  }

  const reasons = ['invalid', 'expired', 'used', 'superseded', 'cancelled', 'missing'];

  /** The link cannot be used (`reason`); `afterSubmit` when it stopped working on the form. */
  function linkProblem(reason, afterSubmit) {
    const known = reasons.includes(reason) ? reason : 'invalid';
    const offered = offerNewLink(true);
    clearPasswords();
    $('link-problem-title').textContent = afterSubmit ? t('stopped-title') : t(`reason-${known}-title`);
    const body = t(`reason-${known}-body`);
    $('link-problem-body').textContent = afterSubmit ? `${t('stopped-note')} ${body}` : body;
    $('link-problem-next').textContent = t(`reason-${known}-next`);
    // "Ask your administrator for a new link" says nothing more than the form under it does.
    $('link-problem-next').hidden = offered && !afterSubmit && (known === 'expired' || known === 'cancelled');
    root.dataset.state = `link-${known}`;
    show('link-problem');
  }

  function checkFailed(kind, wait) {
    $('check-failed-title').textContent = t(`check-${kind}-title`);
    $('check-failed-body').textContent = t(`check-${kind}-body`, { wait: waitText(wait) });
    root.dataset.state = `check-${kind}`;
    show('check-failed');
  }

  function waitText(seconds) {
    const s = Math.max(1, Math.ceil(Number(seconds) || 60));
    if (s < 60) return t('wait-seconds', { n: s });
    if (s <= 90) return t('wait-minute');
    return t('wait-minutes', { n: Math.ceil(s / 60) });
  }

  const retryAfter = (response) => Number(response.headers.get('Retry-After')) || 60;

  // ---- the API ------------------------------------------------------------------------------

  function post(path, body) {
    const init = {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Accept-Language': lang },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
      referrerPolicy: 'no-referrer',
    };
    if (typeof AbortSignal !== 'undefined' && AbortSignal.timeout) init.signal = AbortSignal.timeout(20000);
    return fetch(`${api}/${path}`, init);
  }

  async function jsonOf(response) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  // ---- 1. check the link --------------------------------------------------------------------

  /** Checks the token (`verify-recovery-token` only reads), for either kind of link. */
  async function check() {
    $('spinner').hidden = false;
    show('checking', null);
    if (!token) return linkProblem('missing');
    const problem = mode === 'cancel' ? cancelProblem : linkProblem;
    if (token.length > 512) return problem('invalid');
    let response;
    try {
      response = await post('verify-recovery-token', { token });
    } catch {
      return checkFailed('unavailable');
    }
    if (response.status === 429) return checkFailed('limited', retryAfter(response));
    const body = response.ok ? await jsonOf(response) : null;
    if (!body || typeof body.valid !== 'boolean') return checkFailed('unavailable');
    if (!body.valid) return problem(body.reason);
    if (mode === 'cancel') return showCancel(body);
    showForm(body);
  }

  function showForm(verdict) {
    $('email-hint').textContent = verdict.email_hint || '';
    $('account-line').hidden = !verdict.email_hint;
    const expires = new Date(verdict.expires_at);
    $('expires-line').textContent = Number.isNaN(expires.getTime()) ? '' : t('expires', { time: when(expires) });
    updateHints();
    root.dataset.state = 'form';
    show('form-state', password);
  }

  /** A time today as `14:05`, another day with its date too, in the reader's own format. */
  function when(date) {
    const sameDay = date.toDateString() === new Date().toDateString();
    const options = sameDay
      ? { hour: 'numeric', minute: '2-digit' }
      : { dateStyle: 'medium', timeStyle: 'short' };
    try {
      return new Intl.DateTimeFormat(lang, options).format(date);
    } catch {
      return date.toLocaleString(lang);
    }
  }

  // ---- 2. the form: live hints --------------------------------------------------------------

  let lengthState = '';
  let matchState = '';

  function updateHints() {
    const n = lengthOf(password.value);
    const state = n === 0 ? 'empty' : n < min ? 'short' : n > max ? 'long' : 'ok';
    const hint = $('new-password-hint');
    hint.textContent = t(`hint-${state}`, { n, min, max });
    hint.dataset.state = state;
    if (state !== lengthState) {
      // Announced only when it changes, not on every keystroke.
      $('new-password-live').textContent = state === 'ok' ? t('live-ok') : state === 'long' ? t('live-long') : '';
      lengthState = state;
    }
    const typed = confirmation.value;
    const match =
      typed === '' ? 'empty' : typed === password.value ? 'yes' : password.value.startsWith(typed) ? 'typing' : 'no';
    if (match !== matchState) {
      const matchHint = $('confirm-password-hint');
      matchHint.textContent = match === 'yes' || match === 'no' ? t(`match-${match}`) : '';
      matchHint.dataset.state = match;
      matchState = match;
    }
  }

  password.addEventListener('input', updateHints);
  confirmation.addEventListener('input', updateHints);

  $('show-passwords').addEventListener('change', (event) => {
    const type = event.target.checked ? 'text' : 'password';
    password.type = type;
    confirmation.type = type;
  });

  // ---- 2. the form: errors ------------------------------------------------------------------

  function setFieldError(input, lines, list) {
    const box = $(`${input.id}-error`);
    box.replaceChildren();
    for (const line of lines.filter(Boolean)) {
      const p = document.createElement('p');
      p.textContent = line;
      box.append(p);
    }
    if (list && list.length) {
      const ul = document.createElement('ul');
      for (const item of list) {
        const li = document.createElement('li');
        li.textContent = item;
        ul.append(li);
      }
      box.append(ul);
    }
    input.setAttribute('aria-invalid', 'true');
  }

  function clearErrors() {
    for (const input of [password, confirmation]) {
      $(`${input.id}-error`).replaceChildren();
      input.removeAttribute('aria-invalid');
    }
    $('form-error').replaceChildren();
  }

  function formError(message) {
    const p = document.createElement('p');
    p.textContent = message;
    $('form-error').replaceChildren(p);
  }

  function clearPasswords() {
    password.value = '';
    confirmation.value = '';
  }

  function setBusy(on) {
    busy = on;
    // Not `disabled`: that would drop the keyboard focus from the button.
    submit.setAttribute('aria-disabled', on ? 'true' : 'false');
    form.setAttribute('aria-busy', on ? 'true' : 'false');
    submit.textContent = on ? t('submit-busy') : submitLabel;
  }

  /** Client-side checks, so that what the server would refuse for length is said at once. */
  function validate() {
    const n = lengthOf(password.value);
    let first = null;
    if (n === 0) {
      setFieldError(password, [t('error-empty')]);
    } else if (n < min) {
      setFieldError(password, [t('error-short', { min, n })]);
    } else if (n > max) {
      setFieldError(password, [t('error-long', { max, n })]);
    }
    if (password.getAttribute('aria-invalid') === 'true') first = password;
    if (confirmation.value === '') {
      setFieldError(confirmation, [t('error-confirm-empty')]);
    } else if (confirmation.value !== password.value) {
      setFieldError(confirmation, [t('error-mismatch')]);
    }
    if (!first && confirmation.getAttribute('aria-invalid') === 'true') first = confirmation;
    return first;
  }

  function weakPassword(details) {
    const n = lengthOf(password.value);
    if (details.reason === 'too_short') {
      setFieldError(password, [t('error-short', { min: details.min_length || min, n })]);
    } else if (details.reason === 'too_long') {
      setFieldError(password, [t('error-long', { max: details.max_length || max, n })]);
    } else {
      const suggestions = Array.isArray(details.suggestions) ? details.suggestions.filter((s) => typeof s === 'string') : [];
      const warning = typeof details.warning === 'string' ? details.warning : '';
      setFieldError(password, [t('error-guessable'), warning], suggestions);
    }
    password.focus();
  }

  // ---- 3. submit ----------------------------------------------------------------------------

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors();
    const invalid = validate();
    if (invalid) {
      invalid.focus();
      return;
    }
    setBusy(true);
    const signOut = $('sign-out-everywhere').checked;
    let response;
    let body = null;
    try {
      response = await post('change-password', {
        token,
        new_password: password.value,
        sign_out_everywhere: signOut,
      });
      body = await jsonOf(response);
    } catch {
      setBusy(false);
      return formError(t('error-unavailable'));
    }
    setBusy(false);
    const error = (body && body.error) || {};
    if (response.ok && body && body.status === 'password_changed') return done(body, signOut);
    if (response.status === 422 && error.code === 'weak_password') return weakPassword(error.details || {});
    if (response.status === 400 && error.code === 'invalid_token') {
      return linkProblem(error.details && error.details.reason, true);
    }
    if (response.status === 429) return formError(t('error-limited', { wait: waitText(retryAfter(response)) }));
    if (response.status >= 500 || !body) return formError(t('error-unavailable'));
    formError(t('error-refused'));
  });

  // ---- 4. done ------------------------------------------------------------------------------


  function done(result, asked) {
    clearPasswords();
    const active = Math.max(0, Number(result.active_sessions) || 0);
    const revoked = Math.max(0, Number(result.sessions_revoked) || 0);
    $('active-count').textContent = String(active);
    $('revoked-count').textContent = String(revoked);
    // "No session was signed out" only matters when signing out was asked for.
    const signedOut = revoked > 0 || asked ? `${t('revoked', { n: revoked })} ` : '';
    $('sessions-summary').textContent = `${signedOut}${t('active', { n: active })}`;
    $('sessions-advice').textContent = t('advice');
    $('sessions-advice').hidden = active === 0;
    root.dataset.state = 'done';
    show('done');
  }

  // ---- the "this wasn't me" link: confirm, then cancel ------------------------------------------

  const cancelReasons = ['invalid', 'expired', 'used', 'superseded', 'cancelled'];
  const cancelButton = $('cancel-button');
  const cancelLabel = cancelButton ? cancelButton.textContent : '';
  let cancelBusy = false;

  /** The link cannot be cancelled (or needs not be): `reason` says why, the page what it means. */
  function cancelProblem(reason) {
    const known = cancelReasons.includes(reason) ? reason : 'invalid';
    offerNewLink(false);
    $('link-problem-title').textContent = t(`cancel-reason-${known}-title`);
    $('link-problem-body').textContent = t(`cancel-reason-${known}-body`);
    $('link-problem-next').textContent = t(`cancel-reason-${known}-next`);
    $('link-problem-next').hidden = false;
    root.dataset.state = `cancel-${known}`;
    show('link-problem');
  }

  /** The confirmation step: what happened, what cancelling does, and the one button. */
  function showCancel(verdict) {
    $('cancel-email-hint').textContent = verdict.email_hint || '';
    $('cancel-account-line').hidden = !verdict.email_hint;
    $('cancel-error').replaceChildren();
    root.dataset.state = 'cancel-confirm';
    show('cancel-state');
  }

  function cancelError(message) {
    const p = document.createElement('p');
    p.textContent = message;
    $('cancel-error').replaceChildren(p);
  }

  function setCancelBusy(on) {
    cancelBusy = on;
    // Not `disabled`: that would drop the keyboard focus from the button.
    cancelButton.setAttribute('aria-disabled', on ? 'true' : 'false');
    cancelButton.textContent = on ? t('cancel-busy') : cancelLabel;
  }

  async function cancelLink() {
    if (cancelBusy || !token) return;
    $('cancel-error').replaceChildren();
    setCancelBusy(true);
    let response;
    let body = null;
    try {
      response = await post('cancel-recovery', { token });
      body = await jsonOf(response);
    } catch {
      setCancelBusy(false);
      return cancelError(t('cancel-error-unavailable'));
    }
    setCancelBusy(false);
    const error = (body && body.error) || {};
    if (response.ok && body && body.status === 'cancelled') {
      root.dataset.state = 'cancel-done';
      return show('cancelled');
    }
    if (response.status === 400 && error.code === 'invalid_token') {
      return cancelProblem(error.details && error.details.reason);
    }
    if (response.status === 429) return cancelError(t('cancel-error-limited', { wait: waitText(retryAfter(response)) }));
    if (response.status >= 500 || !body) return cancelError(t('cancel-error-unavailable'));
    cancelError(t('cancel-error-refused'));
  }

  // ---- a new link (when the server offers self-service recovery) --------------------------------

  const newLink = $('new-link');
  const newLinkButton = $('new-link-button');
  const newLinkLabel = newLinkButton ? newLinkButton.textContent : '';
  let newLinkBusy = false;

  /** Shows the "send me a new link" form under a link that does not work (when the server
   * offers it); whether it is shown. */
  function offerNewLink(on) {
    if (!newLink) return false;
    newLink.hidden = !on;
    $('new-link-sent').hidden = true;
    return on;
  }

  function newLinkError(message) {
    const field = $('new-link-email');
    field.setAttribute('aria-invalid', message ? 'true' : 'false');
    if (!message) return $('new-link-error').replaceChildren();
    const p = document.createElement('p');
    p.textContent = message;
    $('new-link-error').replaceChildren(p);
    field.focus();
  }

  async function askForNewLink(event) {
    event.preventDefault();
    if (newLinkBusy) return;
    const email = $('new-link-email').value.trim();
    if (!email) return newLinkError(t('new-link-error-empty'));
    newLinkError('');
    newLinkBusy = true;
    newLinkButton.setAttribute('aria-disabled', 'true');
    newLinkButton.textContent = t('new-link-busy');
    let response = null;
    try {
      response = await post('forgot-password', { email });
    } catch {
      response = null;
    }
    newLinkBusy = false;
    newLinkButton.setAttribute('aria-disabled', 'false');
    newLinkButton.textContent = newLinkLabel;
    if (response && response.status === 202) {
      // The same words whether or not the address has an account: the server does not say.
      newLink.hidden = true;
      root.dataset.state = 'new-link-sent';
      $('new-link-sent').hidden = false;
      return $('new-link-sent').focus();
    }
    if (response && response.status === 429) {
      return newLinkError(t('new-link-error-limited', { wait: waitText(retryAfter(response)) }));
    }
    if (!response || response.status >= 500) return newLinkError(t('new-link-error-unavailable'));
    newLinkError(t('new-link-error-refused'));
  }

  if (newLink) newLink.addEventListener('submit', askForNewLink);

  // Guarded: a template override from before the cancel step still runs the reset flow.
  if (cancelButton) cancelButton.addEventListener('click', cancelLink);

  $('retry').addEventListener('click', () => {
    check();
  });

  check();
})();
