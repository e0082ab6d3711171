/**
 * The staff sign-in form: on the /staff/ page, and inside the console and editor when a
 * session ends mid-work (so an editor's unpublished changes stay on the page). Labels,
 * errors and focus follow the GOV.UK pattern: an error summary with role="alert",
 * aria-invalid on the field, focus to the field to fix.
 */
import { h, clear } from './dom.js';

const MESSAGES = {
  username: 'Enter your username.',
  password: 'Enter your password.',
  wrong: 'Your username or password is not right. Check them and try again.',
  locked: 'Too many attempts. Wait 15 minutes and try again.',
};

/**
 * Build the form into `container`. `api` is a createApi() client; `onSignedIn(me)` runs
 * after a good sign-in. `heading` and `intro` are the card's text; `notice` a polite note
 * above the form (for example "Your session has ended").
 */
export function mountSignIn(container, { api, onSignedIn, heading = 'Sign in', intro = '', notice = '', idPrefix = '' }) {
  const id = (name) => `${idPrefix}${name}`;
  clear(container);
  const title = h('h1', { id: id('login-heading'), tabindex: '-1', text: heading });
  const noticeBox = h('div', { class: 'notice', id: id('login-notice'), role: 'status', 'aria-live': 'polite', text: notice });
  const errorBox = h('div', { class: 'error-summary', id: id('login-error'), role: 'alert', tabindex: '-1', hidden: true });
  const username = h('input', { id: id('username'), name: 'username', type: 'text', autocomplete: 'username',
    autocapitalize: 'none', spellcheck: 'false', required: true });
  const password = h('input', { id: id('password'), name: 'password', type: 'password', autocomplete: 'current-password',
    required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: id('login-submit'), text: 'Log in' });
  const form = h('form', { id: id('login-form'), novalidate: true },
    h('div', { class: 'field' }, h('label', { for: id('username'), text: 'Username' }), username),
    h('div', { class: 'field' }, h('label', { for: id('password'), text: 'Password' }), password),
    submit);
  container.append(h('div', { class: 'login-card' }, title, intro ? h('p', { class: 'login-intro', text: intro }) : null,
    noticeBox, errorBox, form));

  function showError(message, field) {
    clear(errorBox);
    errorBox.append(h('h2', { text: 'You could not be logged in' }), h('p', { text: message }));
    errorBox.hidden = false;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', errorBox.id);
      field.focus();
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    for (const field of [username, password]) {
      field.removeAttribute('aria-invalid');
      field.removeAttribute('aria-describedby');
    }
    const name = username.value.trim().toLowerCase();
    if (!name) return showError(MESSAGES.username, username);
    if (!password.value) return showError(MESSAGES.password, password);
    submit.disabled = true;
    submit.textContent = 'Logging in…';
    const result = await api.signIn(name, password.value);
    submit.disabled = false;
    submit.textContent = 'Log in';
    if (result.ok && result.data) {
      password.value = '';
      noticeBox.textContent = '';
      return onSignedIn(result.data);
    }
    password.value = '';
    const message = result.status === 429 ? ((result.error && result.error.message) || MESSAGES.locked)
      : (result.status === 0 ? result.error.message : MESSAGES.wrong);
    return showError(message, password);
  });

  return {
    focus() { title.focus(); },
    showError: (message) => showError(message, null),
    setNotice(text) { noticeBox.textContent = text || ''; },
    form,
  };
}
