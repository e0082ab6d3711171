/**
 * /staff/: one sign-in for advisors, editors, managers and supervisors. After signing in,
 * it goes back to the page asked for (?next=, checked by the server against the staff
 * pages this person may open) or lists the pages their roles open.
 */
import { createApi } from '/shared/api.js';
import { h, clear } from '/shared/dom.js';
import { mountSignIn } from '/shared/signin.js';

const api = createApi();
const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const asked = query.get('next') || '';

async function pages() {
  const path = `/api/staff/pages${asked ? `?next=${encodeURIComponent(asked)}` : ''}`;
  return api.call('GET', path);
}

function showSignIn(notice, moveFocus = true) {
  $('pages').hidden = true;
  $('session').hidden = true;
  $('signin').hidden = false;
  document.title = 'Log in — Front Desk staff';
  const form = mountSignIn($('signin'), {
    api,
    heading: 'Log in to Front Desk',
    intro: 'For contact-centre advisors, content editors, managers and supervisors. Use the username and password your manager gave you.',
    notice,
    onSignedIn: () => afterSignIn(true),
  });
  if (moveFocus) form.focus();
}

function showPages(data, notice) {
  $('signin').hidden = true;
  clear($('signin'));
  $('session').hidden = false;
  $('who').textContent = data.name || data.username;
  const list = $('page-list');
  clear(list);
  for (const page of data.pages) {
    list.append(h('li', null, h('a', { href: page.path, class: 'page-link', text: page.title }),
      h('p', { class: 'page-what', text: page.what })));
  }
  if (!data.pages.length) {
    list.append(h('li', { class: 'empty', text: 'Your account does not open any staff pages yet. Ask your manager to give it a role.' }));
  }
  $('pages-notice').textContent = notice || '';
  $('pages').hidden = false;
  document.title = 'Your pages — Front Desk staff';
  $('pages-heading').focus();
}

async function afterSignIn(justSignedIn) {
  const result = await pages();
  if (!result.ok) return showSignIn(result.status === 401 ? '' : result.error.message);
  if (result.data.next) {
    location.replace(result.data.next);
    return undefined;
  }
  const notice = result.data.next_refused
    ? 'The page you asked for is not one of your pages. These are the pages you can open.'
    : (justSignedIn ? 'You are logged in.' : '');
  return showPages(result.data, notice);
}

$('logout').addEventListener('click', async () => {
  const result = await api.signOut();
  if (!result.ok && result.status !== 401) {
    $('pages-notice').textContent = `You could not be logged out: ${result.error.message}`;
    return;
  }
  showSignIn('You have logged out. Thank you.');
});

(async function start() {
  const result = await pages();
  if (result.ok) return afterSignIn(false);
  if (result.status !== 401) return showSignIn(result.error.message);
  return showSignIn(query.get('notice') === 'ended' ? 'Your session has ended. Please log in again.' : '', false);
}());
