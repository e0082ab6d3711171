/* Front Desk content editor. An ES module, no build step: the shared modules (sign-in,
 * API helper, Markdown renderer, labels, DOM helpers) come from /shared/ (web_shared/).
 *
 * API: front_door/editor_api.py (role "editor"); staff sign in at /staff/ (the session
 * is /api/advisor/login, /me, /logout); topic and report names from /api/labels. Pages: #/articles, #/articles/<id>, #/check,
 * #/history, #/residents (a hash router, so the browser's Back button works).
 *
 * Safety: all text from the server and from editors is put in the page with
 * textContent or text nodes, never innerHTML. The preview parses the bot's Markdown
 * subset (paragraphs, "- " lists, **bold**, [title](url), bare web addresses) into
 * DOM nodes with the resident's widget's own renderer (web_shared/markdown.js).
 */
import { createApi, goToSignIn, hasRole } from '/shared/api.js';
import { clear, h as el, visuallyHidden } from '/shared/dom.js';
import { loadLabels } from '/shared/labels.js';
import { render } from '/shared/markdown.js';
import { mountSignIn } from '/shared/signin.js';
import { CHECK_KINDS, DUE_SOON_DAYS, FIELD_WORDS, FINAL_STATES, ROUTE_SHORT, ROUTE_TEXT, STEPS } from './wording.js';
import { dateTime, day, daysUntil, listWords, percent, plural, todayIso } from './text.js';
import { diffList, lineChanges } from './diff.js';

(function () {
  'use strict';

  // ---------------------------------------------------------------------------
  // Wording (plain UK English, one place)

  const APP = 'Front Desk content editor';
  // Topic names and the report buttons (service code, text residents see) come from
  // GET /api/labels (knowledge_base/messages.yml), loaded before the page starts.
  let TOPICS = {};
  let REPORTS = [];
  let REPORT_NAME = {};

  // ---------------------------------------------------------------------------
  // State

  const state = {
    me: null, // {username, name, roles, csrf_token}
    view: null,
    titles: new Map(), // article id -> title (for history and try results)
    topics: [],
    owners: [],
    rows: [], // articles from the last list request (server filters applied)
    listLoaded: false,
    edit: null, // {id, base: normalised published article, raw, history}
    previewTimer: 0,
    previewAbort: null,
    searchTimer: 0,
    job: null, // {id, data, lastActive, timer, hidden}
    publishing: false,
    // What residents asked (the last answer, when, and why it could not be loaded).
    residents: { data: null, at: 0, error: '' },
    // Check content: seq drops answers to superseded requests; routing is the last
    // routing-check state shown, routingKey its state|checked_at|message.
    check: { seq: 0, loading: false, timer: 0, misses: 0, routing: null, routingKey: '', focusPending: false },
  };

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------------------
  // Small DOM helpers

  const vh = (text) => visuallyHidden(text);

  let announceTimer = 0;
  /** Polite announcement for screen readers (one shared status region). */
  function announce(text) {
    const region = $('announcer');
    clearTimeout(announceTimer);
    region.textContent = '';
    announceTimer = setTimeout(() => { region.textContent = text; }, 80);
  }

  /** Move focus without the page jumping about; headings get tabindex=-1 in the HTML. */
  function focusOn(node, scroll) {
    if (!node) return;
    if (!node.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(node.tagName)) {
      node.setAttribute('tabindex', '-1');
    }
    node.focus({ preventScroll: true });
    if (scroll !== false) {
      const box = node.closest('.field, .row, fieldset') || node;
      box.scrollIntoView({ block: 'center', behavior: reducedMotion() ? 'auto' : 'smooth' });
    }
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  // ---------------------------------------------------------------------------
  // Dates

  function topicName(topic) {
    if (TOPICS[topic]) return TOPICS[topic];
    const words = String(topic || '').replace(/-/g, ' ');
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function articleTitle(id) {
    return state.titles.get(id) || id;
  }

  /** Server messages name articles by id and dates as YYYY-MM-DD: use titles and UK dates. */
  function polish(problem) {
    return String(problem || '')
      .replace(/\barticle '([a-z0-9]+(?:-[a-z0-9]+)*)'/g, (m, id) => (state.titles.has(id) ? `article ‘${state.titles.get(id)}’` : m))
      .replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (m) => day(m));
  }

  /** "content/council-tax/council-tax-pay.yml" -> "council-tax-pay" (null when not an article file). */
  function idFromFile(file) {
    const match = /(?:^|\/)content\/[^/]+\/([^/]+)\.ya?ml$/.exec(file || '');
    return match ? match[1] : null;
  }

  // ---------------------------------------------------------------------------
  // The bot's Markdown, rendered as residents see it

  const markdown = (text) => render(text, { linkClass: 'chat-link', telClass: 'chat-tel' });

  // ---------------------------------------------------------------------------
  // HTTP

  const client = createApi({ onSessionEnded: () => sessionEnded(
    'Your session has ended. Please log in again. Changes you had not published are kept on this page.') });
  const api = (method, path, body, options) => client.call(method, path, body, options);
  const change = (method, path, body) => client.change(method, path, body);

  // ---------------------------------------------------------------------------
  // Login and logout

  function isEditor(me) {
    return hasRole(me, 'editor');
  }

  /** Sign in again in place when a session ends mid-work, so unpublished changes stay. */
  function showLogin(notice) {
    stopJobPolling();
    state.me = null;
    client.session.me = null;
    for (const view of document.querySelectorAll('.view')) view.hidden = true;
    $('retrain').hidden = true;
    $('mainnav').hidden = true;
    $('session-controls').hidden = true;
    $('login-view').hidden = false;
    document.title = `Log in — ${APP}`;
    const form = mountSignIn($('login-view'), {
      api: client, heading: 'Log in to the content editor', notice,
      intro: 'Use the same username and password you use for the advisor console.',
      onSignedIn: (me) => {
        if (!isEditor(me)) {
          form.showError('This account cannot change content. Ask your manager to give it the content editor role.');
          client.signOut();
          return;
        }
        state.me = me;
        showApp();
      },
    });
    form.focus();
  }

  function sessionEnded(message) {
    if (!state.me) return;
    showLogin(message);
  }

  async function onLogout() {
    if (isDirty() && !window.confirm('You have changes that are not published. Log out and lose them?')) return;
    const result = await client.signOut();
    if (!result.ok && result.status !== 401) {
      announce(`You could not be logged out: ${result.error.message}`);
      return;
    }
    state.edit = null;
    state.job = null;
    stopJobPolling();
    location.assign('/staff/');
  }

  async function showApp() {
    $('login-view').hidden = true;
    $('mainnav').hidden = false;
    $('session-controls').hidden = false;
    $('editor-name').textContent = state.me.name || state.me.username;
    await loadList(true);
    resumeJob();
    route();
  }

  // ---------------------------------------------------------------------------
  // Router

  function parseRoute() {
    const hash = location.hash || '';
    const [path, query] = hash.replace(/^#/, '').split('?');
    const parts = path.split('/').filter(Boolean);
    const params = new URLSearchParams(query || '');
    if (parts[0] === 'articles' && parts[1]) {
      return { view: 'edit', id: decodeURIComponent(parts[1]), field: params.get('field') || '' };
    }
    if (parts[0] === 'check') return { view: 'check' };
    if (parts[0] === 'history') return { view: 'history' };
    if (parts[0] === 'residents') return { view: 'residents' };
    return { view: 'articles' };
  }

  function showView(name, title) {
    state.view = name;
    for (const view of document.querySelectorAll('.view')) view.hidden = view.id !== `view-${name}`;
    const nav = {
      articles: 'nav-articles', edit: 'nav-articles', check: 'nav-check', history: 'nav-history', residents: 'nav-residents',
    };
    for (const id of ['nav-articles', 'nav-check', 'nav-history', 'nav-residents']) {
      if (id === nav[name]) $(id).setAttribute('aria-current', name === 'edit' ? 'true' : 'page');
      else $(id).removeAttribute('aria-current');
    }
    document.title = `${title} — ${APP}`;
  }

  async function route() {
    if (!state.me) return;
    const where = parseRoute();
    if (where.view === 'edit') await openArticle(where.id, where.field);
    else if (where.view === 'check') { showView('check', 'Check content'); $('check-heading').focus(); runCheck(); }
    else if (where.view === 'history') { showView('history', 'Recent changes'); $('history-heading').focus(); loadHistory(); }
    else if (where.view === 'residents') await showResidents();
    else {
      showView('articles', 'Articles');
      $('articles-heading').focus();
      loadList(false);
    }
  }

  function onHashChange(event) {
    if (!state.me) return;
    const leaving = state.view === 'edit' && parseRoute().view !== 'edit' ||
      (state.view === 'edit' && state.edit && parseRoute().id !== state.edit.id);
    if (leaving && isDirty() &&
        !window.confirm('You have changes that are not published. Leave this page and lose them?')) {
      history.pushState(null, '', new URL(event.oldURL).hash || '#/articles');
      return;
    }
    if (leaving) state.edit = null;
    route();
  }

  /** Links to places on the same page (error summaries, skip link) must not reach the router. */
  function onInPageLink(event) {
    const a = event.target.closest && event.target.closest('a[href^="#"]');
    if (!a) return;
    const href = a.getAttribute('href');
    if (href.startsWith('#/')) return;
    event.preventDefault();
    if (href === '#main') {
      const heading = document.querySelector('.view:not([hidden]) h1, #login-view:not([hidden]) h1');
      focusOn(heading || $('main'), false);
      return;
    }
    focusOn(document.getElementById(href.slice(1)));
  }

  // ---------------------------------------------------------------------------
  // Articles list

  function fillSelect(select, values, label) {
    const current = select.value;
    clear(select);
    select.append(el('option', { value: '', text: label }));
    for (const value of values) select.append(el('option', { value, text: select.id === 'f-topic' ? topicName(value) : value }));
    select.value = values.includes(current) ? current : '';
  }

  /** all=true: every article (titles, owners) without the filters, used at start. */
  async function loadList(all) {
    const params = new URLSearchParams();
    if (!all) {
      if ($('f-topic').value) params.set('topic', $('f-topic').value);
      if ($('f-owner').value) params.set('owner', $('f-owner').value);
      if ($('f-due').value) params.set('review_before', $('f-due').value);
    }
    if (!all) $('articles-status').textContent = 'Loading articles…';
    const result = await api('GET', `/api/editor/articles${params.toString() ? `?${params}` : ''}`);
    if (!result.ok) {
      if (!all) $('articles-status').textContent = `The articles could not be loaded. ${result.error.message}`;
      return;
    }
    const data = result.data;
    state.topics = data.topics || [];
    state.owners = data.owners || [];
    fillSelect($('f-topic'), state.topics, 'All topics');
    fillSelect($('f-owner'), state.owners, 'All teams');
    const owners = $('owner-list');
    clear(owners);
    for (const owner of state.owners) owners.append(el('option', { value: owner }));
    if (all || !params.toString()) {
      state.titles = new Map((data.articles || []).map((a) => [a.id, a.title]));
    } else {
      for (const a of data.articles || []) state.titles.set(a.id, a.title);
    }
    if (!all) {
      state.rows = data.articles || [];
      state.listLoaded = true;
      renderList();
    }
  }

  function dueCell(row) {
    const td = el('td', { 'data-label': 'Review due', class: 'date' });
    if (row.overdue) {
      td.append(el('span', { class: 'pill pill-overdue', text: 'Overdue' }), ' ', el('span', { text: day(row.review_due) }));
      td.classList.add('is-overdue');
    } else if (daysUntil(row.review_due) <= DUE_SOON_DAYS) {
      td.append(el('span', { class: 'pill pill-soon', text: 'Due soon' }), ' ', el('span', { text: day(row.review_due) }));
    } else {
      td.append(day(row.review_due));
    }
    return td;
  }

  function renderList() {
    const search = $('f-search').value.trim().toLowerCase();
    const words = search.split(/\s+/).filter(Boolean);
    const rows = state.rows.filter((row) => words.every((w) => row.title.toLowerCase().includes(w)));
    const body = $('articles-body');
    clear(body);
    for (const row of rows) {
      body.append(el('tr', null,
        el('th', { scope: 'row', 'data-label': 'Title' }, el('a', { href: `#/articles/${encodeURIComponent(row.id)}`, text: row.title })),
        el('td', { 'data-label': 'Topic', text: topicName(row.topic) }),
        el('td', { 'data-label': 'Team', text: row.owner }),
        el('td', { 'data-label': 'Last reviewed', class: 'date', text: day(row.last_reviewed) }),
        dueCell(row),
        el('td', { class: 'num', 'data-label': 'Questions', text: String(row.questions) })));
    }
    if (!rows.length) {
      body.append(el('tr', { class: 'empty-row' }, el('td', { colspan: '6' },
        'No articles match. Try other words, or choose “Clear filters”.')));
    }
    const filtered = !!(search || $('f-topic').value || $('f-owner').value || $('f-due').value);
    const overdue = rows.filter((r) => r.overdue).length;
    let text = filtered ? `${plural(rows.length, 'article')} match your filters.` : `Showing all ${plural(rows.length, 'article')}.`;
    if (overdue) text += ` ${overdue} ${overdue === 1 ? 'is' : 'are'} overdue for review.`;
    $('articles-status').textContent = text;
  }

  function onFilterChange() {
    loadList(false);
  }

  function onSearch() {
    clearTimeout(state.searchTimer);
    state.searchTimer = setTimeout(renderList, 250);
  }

  function clearFilters() {
    $('f-search').value = '';
    $('f-topic').value = '';
    $('f-owner').value = '';
    $('f-due').value = '';
    loadList(false);
    $('f-search').focus();
  }

  // ---------------------------------------------------------------------------
  // Edit an article: reading and comparing the form

  function normalise(article) {
    return {
      title: String(article.title || ''),
      owner: String(article.owner || ''),
      answer: String(article.answer || '').replace(/\r\n?/g, '\n').replace(/\s+$/, ''),
      links: (article.links || []).map((l) => ({ title: String(l.title || ''), url: String(l.url || '') })),
      questions: (article.questions || []).map(String),
      offer_advisor: !!article.offer_advisor,
      related_requests: (article.related_requests || []).map(String),
    };
  }

  function linkRows() {
    return Array.from($('links-list').children);
  }

  function questionRows() {
    return Array.from($('questions-list').children);
  }

  /** The form as an article, without empty rows; index maps from sent position to row. */
  function readForm() {
    const links = [];
    const linkIndex = [];
    linkRows().forEach((row, i) => {
      const title = row.querySelector('.link-title').value.trim();
      const url = row.querySelector('.link-url').value.trim();
      if (title || url) { links.push({ title, url }); linkIndex.push(i); }
    });
    const questions = [];
    const questionIndex = [];
    questionRows().forEach((row, i) => {
      const text = row.querySelector('textarea').value.trim();
      if (text) { questions.push(text); questionIndex.push(i); }
    });
    const related = REPORTS.map(([code]) => code).filter((code) => $(`e-report-${code}`).checked);
    return {
      article: {
        title: $('e-title').value.trim(),
        owner: $('e-owner').value.trim(),
        answer: $('e-answer').value.replace(/\r\n?/g, '\n').replace(/\s+$/, ''),
        links,
        questions,
        offer_advisor: $('e-advisor').checked,
        related_requests: related,
      },
      linkIndex,
      questionIndex,
    };
  }

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const sameSet = (a, b) => same([...a].sort(), [...b].sort());

  /** Only the fields that differ from what is published. */
  function changes() {
    if (!state.edit) return {};
    const base = state.edit.base;
    const form = readForm().article;
    const out = {};
    for (const key of ['title', 'owner', 'answer', 'offer_advisor']) if (form[key] !== base[key]) out[key] = form[key];
    if (!same(form.links, base.links)) out.links = form.links;
    if (!same(form.questions, base.questions)) out.questions = form.questions;
    if (!sameSet(form.related_requests, base.related_requests)) out.related_requests = form.related_requests;
    return out;
  }

  function isDirty() {
    return !!state.edit && state.edit.loaded && Object.keys(changes()).length > 0;
  }

  // ---------------------------------------------------------------------------
  // Edit an article: building the form

  function renumber() {
    linkRows().forEach((row, i) => {
      const n = i + 1;
      row.querySelector('legend').textContent = `Link ${n}`;
      const title = row.querySelector('.link-title');
      const url = row.querySelector('.link-url');
      title.id = `e-link-${i}-title`;
      url.id = `e-link-${i}-url`;
      row.querySelector('.lbl-title').setAttribute('for', title.id);
      row.querySelector('.lbl-url').setAttribute('for', url.id);
      row.querySelector('.row-remove').setAttribute('aria-label', `Remove link ${n}`);
      row.id = `row-link-${i}`;
    });
    questionRows().forEach((row, i) => {
      const n = i + 1;
      const input = row.querySelector('textarea');
      input.id = `e-q-${i}`;
      const label = row.querySelector('label');
      label.setAttribute('for', input.id);
      clear(label);
      label.append(vh('Question '), String(n));
      row.querySelector('.row-remove').setAttribute('aria-label', `Remove question ${n}`);
      row.id = `row-q-${i}`;
    });
  }

  function linkRow(link) {
    const title = el('input', { type: 'text', class: 'link-title', autocomplete: 'off', value: link.title || '' });
    const url = el('input', { type: 'url', class: 'link-url', autocomplete: 'off', spellcheck: 'false', inputmode: 'url', value: link.url || '' });
    title.value = link.title || '';
    url.value = link.url || '';
    const remove = el('button', { type: 'button', class: 'btn btn-small btn-remove row-remove', text: 'Remove' });
    remove.addEventListener('click', () => removeRow(remove.closest('li'), 'link'));
    return el('li', { class: 'row row-link' },
      el('fieldset', null,
        el('legend'),
        el('div', { class: 'field' }, el('label', { class: 'lbl-title', text: 'Link text' }), title),
        el('div', { class: 'field' }, el('label', { class: 'lbl-url', text: 'Web address' }), url),
        el('div', { class: 'row-actions' }, remove)));
  }

  /** Questions are one line each, but long ones wrap so they can be read in full. */
  function fitHeight(area) {
    area.style.height = 'auto';
    area.style.height = `${area.scrollHeight + 2}px`;
  }

  function questionRow(text) {
    const input = el('textarea', { class: 'q-text', rows: '1', autocomplete: 'off', maxlength: '200', spellcheck: 'true' });
    input.value = text || '';
    input.addEventListener('input', () => {
      if (/[\r\n]/.test(input.value)) input.value = input.value.replace(/\s*[\r\n]+\s*/g, ' ');
      fitHeight(input);
    });
    const remove = el('button', { type: 'button', class: 'btn btn-small btn-remove row-remove', text: 'Remove' });
    remove.addEventListener('click', () => removeRow(remove.closest('li'), 'question'));
    return el('li', { class: 'row row-q' }, el('label', { class: 'q-num' }), input, remove);
  }

  function removeRow(row, kind) {
    const list = row.parentElement;
    const rows = Array.from(list.children);
    const index = rows.indexOf(row);
    const text = (kind === 'link' ? row.querySelector('.link-title') : row.querySelector('textarea')).value.trim();
    row.remove();
    renumber();
    onFormChange(kind === 'link');
    const left = Array.from(list.children);
    const next = left[Math.min(index, left.length - 1)];
    if (next) focusOn(next.querySelector('input, textarea'), false);
    else focusOn(kind === 'link' ? $('link-add') : $('question-add'), false);
    announce(`${kind === 'link' ? 'Link' : 'Question'} ${index + 1}${text ? ` (${text})` : ''} removed.`);
  }

  function addLink() {
    $('links-list').append(linkRow({ title: '', url: 'https://' }));
    renumber();
    const rows = linkRows();
    focusOn(rows[rows.length - 1].querySelector('.link-title'));
    updateChanged();
  }

  function addQuestion(text) {
    $('questions-list').append(questionRow(text || ''));
    renumber();
    const rows = questionRows();
    const area = rows[rows.length - 1].querySelector('textarea');
    fitHeight(area);
    focusOn(area);
    onFormChange(false);
  }

  function fillForm(article) {
    const a = normalise(article);
    $('e-title').value = a.title;
    $('e-owner').value = a.owner;
    $('e-answer').value = String(article.answer || '').replace(/\s+$/, '');
    $('e-advisor').checked = a.offer_advisor;
    for (const [code] of REPORTS) $(`e-report-${code}`).checked = a.related_requests.includes(code);
    const links = $('links-list');
    clear(links);
    for (const l of a.links) links.append(linkRow(l));
    const questions = $('questions-list');
    clear(questions);
    for (const q of a.questions) questions.append(questionRow(q));
    renumber();
    requestAnimationFrame(fitAllQuestions);
  }

  function fitAllQuestions() {
    for (const area of document.querySelectorAll('#questions-list textarea')) fitHeight(area);
  }

  function renderEditHeader() {
    const raw = state.edit.raw;
    $('edit-heading').textContent = raw.title;
    $('edit-kicker').textContent = `${topicName(raw.topic)} · ${raw.owner}`;
    const due = new Date(`${raw.last_reviewed}T00:00:00Z`);
    due.setUTCDate(due.getUTCDate() + 365);
    const dueIso = due.toISOString().slice(0, 10);
    const meta = $('edit-meta');
    clear(meta);
    meta.append(`Last reviewed ${day(raw.last_reviewed)}. `);
    if (dueIso < todayIso()) meta.append(el('strong', { class: 'error-text', text: 'Overdue for review.' }), ' ');
    meta.append('Publishing a change marks it as reviewed today.');
    document.title = `${raw.title} — ${APP}`;
  }

  async function openArticle(id, field) {
    showView('edit', 'Edit article');
    const keep = state.edit && state.edit.id === id && state.edit.loaded && isDirty();
    if (keep) {
      // Back after logging in again: keep the editor's unpublished work.
      $('edit-heading').focus();
      return;
    }
    state.edit = { id, loaded: false };
    $('edit-layout').hidden = true;
    $('publish-bar').hidden = true;
    $('edit-history-section').hidden = true;
    $('edit-errors').hidden = true;
    $('edit-done').hidden = true;
    $('edit-load-error').hidden = true;
    $('residents-card').hidden = true;
    $('edit-kicker').textContent = '';
    $('edit-meta').textContent = '';
    $('edit-heading').textContent = 'Loading the article…';
    clear($('try-result'));
    $('try-text').value = '';
    $('edit-heading').focus();
    const ok = await loadArticle(id);
    if (!ok || !state.edit || state.edit.id !== id) return;
    $('edit-layout').hidden = false;
    $('publish-bar').hidden = false;
    $('edit-history-section').hidden = false;
    fitAllQuestions();
    renderEditHeader();
    renderResidentsCard();
    if (field) {
      const target = fieldTarget(field, null);
      if (target) { focusOn(target); return; }
    }
    $('edit-heading').focus();
  }

  /** Fetch the published article; refill the form; returns false if it could not be loaded. */
  async function loadArticle(id) {
    const result = await api('GET', `/api/editor/articles/${encodeURIComponent(id)}`);
    if (!state.edit || state.edit.id !== id) return false;
    if (!result.ok) {
      if (result.status === 401) return false;
      $('edit-heading').textContent = result.status === 404 ? 'Article not found' : 'The article could not be loaded';
      const box = $('edit-load-error');
      clear(box);
      box.append(el('p', { text: result.status === 404 ? 'There is no article with that name. It may have been renamed.' : result.error.message }),
        el('p', null, el('a', { href: '#/articles', text: 'Go back to all articles' })));
      box.hidden = false;
      document.title = `${$('edit-heading').textContent} — ${APP}`;
      return false;
    }
    const { article, history } = result.data;
    state.edit = { id, loaded: true, raw: article, base: normalise(article), history: history || [] };
    state.titles.set(article.id, article.title);
    fillForm(article);
    clearErrors();
    updateChanged();
    renderArticleHistory();
    runPreview();
    return true;
  }

  function updateChanged() {
    if (!state.edit || !state.edit.loaded) return;
    const diff = changes();
    for (const tag of document.querySelectorAll('#view-edit [data-changed]')) {
      const key = tag.dataset.changed;
      tag.hidden = key === 'buttons' ? !('offer_advisor' in diff || 'related_requests' in diff) : !(key in diff);
    }
    const form = readForm().article;
    const n = form.questions.length;
    $('questions-count').textContent = `${plural(n, 'question')}${n < 10 ? ` — you need at least 10 (${10 - n} more)` : ''}.`;
    $('questions-count').classList.toggle('error-text', n < 10);
    const length = form.answer.length;
    $('e-answer-count').textContent = `${length} of 2,000 characters`;
    $('e-answer-count').classList.toggle('error-text', length > 2000);

    const keys = Object.keys(diff);
    const pending = $('pending');
    const words = keys.filter((k) => k !== 'related_requests' || !('offer_advisor' in diff))
      .map((k) => (k === 'offer_advisor' || k === 'related_requests') ? 'the buttons' : FIELD_WORDS[k]);
    const text = !keys.length ? 'No changes yet.' : `Not published yet: you changed ${listWords(words)}.` +
      ('questions' in diff ? ' Publishing will retrain the bot (about a minute).' : '');
    if (pending.textContent !== text) pending.textContent = text;
    $('mark-reviewed').hidden = keys.length > 0;
  }

  function onFormChange(previewToo) {
    updateChanged();
    if (previewToo) schedulePreview();
  }

  // ---------------------------------------------------------------------------
  // Preview: what residents see

  function schedulePreview() {
    clearTimeout(state.previewTimer);
    state.previewTimer = setTimeout(runPreview, 400);
  }

  async function runPreview() {
    if (!state.edit || !state.edit.loaded) return;
    if (state.previewAbort) state.previewAbort.abort();
    const controller = new AbortController();
    state.previewAbort = controller;
    const form = readForm().article;
    const result = await api('POST', '/api/editor/preview', {
      answer: form.answer, links: form.links, related_requests: form.related_requests, offer_advisor: form.offer_advisor,
    }, { signal: controller.signal });
    if (result.status === -1 || state.previewAbort !== controller) return;
    state.previewAbort = null;
    if (!result.ok) {
      $('preview-state').textContent = `The preview is not available right now. ${result.error.message}`;
      $('preview-state').classList.add('error-text');
      return;
    }
    $('preview-state').textContent = '';
    $('preview-state').classList.remove('error-text');
    renderPreview(result.data, form.questions[0] || '');
  }

  function renderPreview(reply, question) {
    const log = $('preview-log');
    clear(log);
    if (question) {
      log.append(el('li', { class: 'msg from-resident' },
        el('p', { class: 'sender' }, 'Resident', vh(' asks:')),
        el('div', { class: 'bubble' }, el('p', { text: question }))));
    }
    const bubble = el('div', { class: 'bubble' });
    bubble.append(markdown(reply.text));
    const item = el('li', { class: 'msg from-bot' }, el('p', { class: 'sender' }, 'Assistant', vh(' answers:')), bubble);
    if (reply.buttons && reply.buttons.length) {
      const chips = el('ul', { class: 'quick', 'aria-label': 'Buttons the resident can choose' });
      for (const b of reply.buttons) chips.append(el('li', { class: 'chip', text: b.title }));
      item.append(chips);
    }
    log.append(item);
  }

  // ---------------------------------------------------------------------------
  // Try a question

  function routeName(route) {
    if (route.startsWith('faq:')) return `the article ‘${articleTitle(route.slice(4))}’`;
    if (route.startsWith('request:')) return `the form to ${(REPORT_NAME[route.slice(8)] || route).toLowerCase()}`;
    return ROUTE_SHORT[route] ? `‘${ROUTE_SHORT[route]}’` : route;
  }

  function shortRouteName(route) {
    if (route.startsWith('faq:')) return articleTitle(route.slice(4));
    if (route.startsWith('request:')) return REPORT_NAME[route.slice(8)] || route;
    return ROUTE_SHORT[route] || route;
  }

  async function onTry(event) {
    event.preventDefault();
    const input = $('try-text');
    const box = $('try-result');
    const text = input.value.trim();
    input.removeAttribute('aria-invalid');
    clear(box);
    if (!text) {
      input.setAttribute('aria-invalid', 'true');
      box.append(el('p', { class: 'error-text', text: 'Type a question to try.' }));
      input.focus();
      return;
    }
    const button = $('try-submit');
    button.disabled = true;
    button.textContent = 'Asking…';
    const result = await api('POST', '/api/editor/try', { text });
    button.disabled = false;
    button.textContent = 'Try it';
    clear(box);
    if (!result.ok) {
      const message = result.status === 503 ? 'The bot is not answering right now, so questions cannot be tried. Try again in a minute.' :
        result.error.message;
      box.append(el('p', { class: 'error-text', text: message }));
      return;
    }
    renderTry(result.data, text);
  }

  function renderTry(data, asked) {
    const box = $('try-result');
    const here = state.edit && state.edit.id;
    const top = (data.ranking || [])[0];
    const lead = el('p', { class: 'try-lead' });
    if (data.article) {
      lead.append('A resident asking this would get: ');
      if (data.article.id === here) lead.append(el('strong', { text: data.article.title }), ' (this article)');
      else lead.append(el('a', { href: `#/articles/${encodeURIComponent(data.article.id)}`, text: data.article.title }));
      lead.append(` (${percent(data.confidence)} sure).`);
    } else if (data.route === 'out_of_scope') {
      lead.append(`${ROUTE_TEXT.out_of_scope}.`);
    } else if (data.route.startsWith('request:')) {
      lead.append(`The bot would help them ${(REPORT_NAME[data.route.slice(8)] || data.route).toLowerCase()} (${percent(data.confidence)} sure).`);
    } else {
      lead.append(`${ROUTE_TEXT[data.route] || `The bot would take the route “${data.route}”`} (${percent(data.confidence)} sure).`);
    }
    box.append(lead);

    if (data.route === 'out_of_scope' && top && top.route !== 'out_of_scope') {
      box.append(el('p', { text: `Its best guess was ${routeName(top.route)}, but it was only ${percent(top.confidence)} sure, so it would not risk a wrong answer.` }));
    }
    if (data.article && data.article.id === here) {
      box.append(el('p', { class: 'success-text', text: 'Good: that is the answer you are editing.' }));
    } else if (here && !/^(urgent|smalltalk):/.test(data.route || '')) {
      const add = el('button', { type: 'button', class: 'btn btn-small', text: 'Add it to this article’s questions' });
      add.addEventListener('click', () => {
        addQuestion(asked);
        announce('Question added at the end of the list. Publish to teach the bot.');
      });
      box.append(el('p', { class: 'hint', text: 'If residents asking this should get this article, add it to the questions and publish.' }),
        el('p', null, add));
    }
    const others = (data.ranking || []).filter((r) => r.route !== data.route && r.confidence >= 0.01).slice(0, 3);
    if (others.length) {
      const list = el('ul', { class: 'plain-list' });
      for (const r of others) list.append(el('li', null, `${shortRouteName(r.route)}: ${percent(r.confidence)}`));
      box.append(el('details', { class: 'try-more' }, el('summary', { text: 'Other answers the bot considered' }), list));
    }
  }

  // ---------------------------------------------------------------------------
  // Publishing, and showing what was wrong

  function fieldLabel(field) {
    const parts = String(field || '').split('.');
    const n = Number(parts[1]) + 1;
    switch (parts[0]) {
      case '': return '';
      case 'title': return 'Title';
      case 'owner': return 'Team';
      case 'answer': return 'Answer';
      case 'links':
        if (parts.length === 1) return 'The list of links';
        return `Link ${n}${parts[2] === 'title' ? ' text' : parts[2] === 'url' ? ' web address' : ''}`;
      case 'questions': return parts.length === 1 ? 'The list of questions' : `Question ${n}`;
      case 'offer_advisor': return 'The ‘Talk to an advisor’ setting';
      case 'related_requests': return 'The report buttons';
      case 'last_reviewed': return 'Last reviewed date';
      case 'id': return 'Article name in the file';
      case 'topic': return 'Topic';
      default: return field;
    }
  }

  function friendly(field, problem) {
    const label = fieldLabel(field);
    if (/^links\.\d+\.url$/.test(field) && /expected form/.test(problem)) {
      return `${label} must be a full web address starting with https:// and without spaces`;
    }
    if (/^related_requests/.test(field) && /is not one of/.test(problem)) return `${label} include one that is not allowed`;
    if (!label) return problem;
    if (/^(is|has|needs|contains|should|must)\b/.test(problem)) return `${label} ${problem}`;
    return `${label}: ${problem}`;
  }

  /** The input a problem belongs to (null if none on this page). */
  function fieldTarget(field, maps) {
    const parts = String(field || '').split('.');
    const index = Number(parts[1]);
    switch (parts[0]) {
      case 'title': return $('e-title');
      case 'owner': return $('e-owner');
      case 'answer': return $('e-answer');
      case 'offer_advisor': return $('e-advisor');
      case 'related_requests': return $(`e-report-${REPORTS[0][0]}`);
      case 'links': {
        if (parts.length === 1 || !Number.isFinite(index)) return linkRows().length ? linkRows()[0].querySelector('input') : $('link-add');
        const row = linkRows()[maps ? maps.linkIndex[index] : index];
        if (!row) return $('link-add');
        return row.querySelector(parts[2] === 'url' ? '.link-url' : '.link-title');
      }
      case 'questions': {
        if (parts.length === 1 || !Number.isFinite(index)) return questionRows().length ? questionRows()[0].querySelector('textarea') : $('question-add');
        const row = questionRows()[maps ? maps.questionIndex[index] : index];
        return row ? row.querySelector('textarea') : $('question-add');
      }
      default: return null;
    }
  }

  function clearErrors() {
    for (const node of document.querySelectorAll('#edit-form .error-message')) node.remove();
    for (const node of document.querySelectorAll('#edit-form [aria-invalid]')) {
      node.removeAttribute('aria-invalid');
      const ids = (node.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.endsWith('-error'));
      if (ids.length) node.setAttribute('aria-describedby', ids.join(' '));
      else node.removeAttribute('aria-describedby');
    }
    for (const node of document.querySelectorAll('#edit-form .has-error')) node.classList.remove('has-error');
    $('edit-errors').hidden = true;
  }

  let errorCount = 0;
  /** GOV.UK pattern: message above the input, input marked invalid and described by it. */
  function markField(input, message) {
    errorCount += 1;
    const note = el('p', { class: 'error-message', id: `${input.id || 'field'}-${errorCount}-error` }, vh('Error: '), message);
    const holder = input.closest('.row-q') || input.closest('.field') || input.closest('fieldset') || input.parentElement;
    holder.classList.add('has-error');
    if (input.type === 'checkbox' || input.id === 'link-add' || input.id === 'question-add') {
      const fieldset = input.closest('fieldset') || holder;
      const legend = fieldset.querySelector('legend');
      (legend ? legend.nextElementSibling : fieldset.firstChild).before(note);
    } else if (holder.classList.contains('row-q')) {
      holder.append(note);
    } else {
      input.before(note);
    }
    if (input.tagName !== 'BUTTON') {
      input.setAttribute('aria-invalid', 'true');
      const describedBy = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
      input.setAttribute('aria-describedby', [note.id, ...describedBy].join(' '));
    }
  }

  /** A duplicate question reported against another article's file: find the row it came from. */
  function rowForForeignDuplicate(problem) {
    const match = /^(['"])(.*)\1 is also a question of article '([^']+)'/.exec(problem.problem || '');
    if (!match || !state.edit || match[3] !== state.edit.id) return null;
    const key = match[2].toLowerCase().split(/\s+/).filter(Boolean).join(' ');
    const row = questionRows().find((r) => r.querySelector('textarea').value.toLowerCase().split(/\s+/).filter(Boolean).join(' ') === key);
    return row ? row.querySelector('textarea') : null;
  }

  function showProblems(problems, maps) {
    clearErrors();
    const items = [];
    const own = (file) => idFromFile(file) === state.edit.id;
    // While this article has a problem it is left out, so the bot's other messages that
    // link to it are reported too; that goes away with the real problem, so leave it out.
    const knockOn = (p) => !idFromFile(p.file) && problems.some((q) => own(q.file)) &&
      (p.problem || '').includes(`'faq:${state.edit.id}' is not a route the bot knows`);
    for (const p of problems.filter((q) => !knockOn(q))) {
      let target = null;
      let text;
      if (own(p.file)) {
        if (p.field === 'questions' && /same entry twice/.test(p.problem)) {
          // Point at each repeated question.
          const seen = new Map();
          questionRows().forEach((row, i) => {
            const input = row.querySelector('textarea');
            const value = input.value.trim();
            if (!value) return;
            if (seen.has(value)) {
              const message = `Question ${i + 1} is the same as question ${seen.get(value) + 1}. Remove one of them.`;
              markField(input, message);
              items.push({ text: message, target: input });
            } else {
              seen.set(value, i);
            }
          });
          continue;
        }
        target = fieldTarget(p.field, maps);
        text = friendly(p.field, polish(p.problem));
      } else {
        const otherId = idFromFile(p.file);
        target = rowForForeignDuplicate(p);
        if (target) {
          const otherTitle = articleTitle(otherId);
          const n = questionRows().indexOf(target.closest('li')) + 1;
          text = `Question ${n} is already a question of the article ‘${otherTitle}’. A question can lead to one answer only: remove it here or from that article.`;
        } else if (otherId) {
          text = `In another article, ‘${articleTitle(otherId)}’ (${fieldLabel(p.field) || 'the file'}): ${polish(p.problem)}. This must be fixed before anything can be published.`;
        } else {
          text = `In ${p.file}${p.field ? ` (${p.field})` : ''}: ${p.problem}. This must be fixed before anything can be published.`;
        }
      }
      if (target) markField(target, text);
      items.push({ text, target });
    }
    // In the order of the page, so the summary reads like the form.
    items.sort((a, b) => {
      if (!a.target || !b.target) return (a.target ? 0 : 1) - (b.target ? 0 : 1);
      return a.target.compareDocumentPosition(b.target) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
    const box = $('edit-errors');
    clear(box);
    const list = el('ul', { class: 'error-list' });
    for (const item of items) {
      if (item.target) {
        list.append(el('li', null, el('a', { href: `#${item.target.id}`, text: item.text })));
      } else {
        list.append(el('li', { text: item.text }));
      }
    }
    box.append(el('h2', { id: 'edit-errors-heading', text: 'There is a problem' }),
      el('p', { text: 'Nothing was published. Fix the following and publish again:' }), list);
    box.setAttribute('aria-labelledby', 'edit-errors-heading');
    box.hidden = false;
    focusOn(box);
  }

  function showFailure(message) {
    clearErrors();
    const box = $('edit-errors');
    clear(box);
    box.append(el('h2', { id: 'edit-errors-heading', text: 'Your change was not published' }), el('p', { text: message }));
    box.hidden = false;
    focusOn(box);
  }

  /** Publish the form's changes. ``added`` ({text, fromResidents}) is a resident's question
   * added with one click, named in the result. Returns true when something was published. */
  async function onPublish(event, markReviewed, added) {
    if (event) event.preventDefault();
    if (!state.edit || !state.edit.loaded || state.publishing) return false;
    const maps = readForm();
    const diff = changes();
    $('edit-done').hidden = true;
    if (!Object.keys(diff).length && !markReviewed) {
      clearErrors();
      announce('You have not changed anything yet, so there is nothing to publish.');
      $('pending').textContent = 'You have not changed anything yet, so there is nothing to publish.';
      return false;
    }
    state.publishing = true;
    const button = markReviewed ? $('mark-reviewed') : $('publish');
    const label = button.textContent;
    button.disabled = true;
    button.textContent = 'Publishing…';
    const id = state.edit.id;
    const result = await change('PUT', `/api/editor/articles/${encodeURIComponent(id)}`, diff);
    state.publishing = false;
    button.disabled = false;
    button.textContent = label;
    if (!state.edit || state.edit.id !== id) return false;
    if (result.ok && result.data) {
      const data = result.data;
      await loadArticle(id);
      renderEditHeader();
      const box = $('edit-done');
      clear(box);
      const heading = markReviewed && !(data.changed || []).length ? 'Marked as reviewed' : 'Published';
      box.append(el('h2', { text: heading }));
      if (added) box.append(el('p', { text: `You added the residents’ question “${added.text}” to this article’s questions.` }));
      if (markReviewed && !(data.changed || []).length) {
        box.append(el('p', { text: `Thank you. The article now shows as reviewed on ${day(todayIso())}.` }));
      } else {
        box.append(el('p', { text: `You changed ${listWords((data.changed || []).map((k) => FIELD_WORDS[k] || k))}. ${data.live || ''}` }));
      }
      if (data.job) {
        box.append(el('p', { text: 'The bot is now learning your new questions. You can follow its progress at the top of the page, and keep working meanwhile.' }));
      }
      if (added && added.fromResidents) box.append(el('p', null, el('a', { href: '#/residents', text: 'Back to what residents asked' })));
      box.hidden = false;
      if (data.job) startJob(data.job);
      focusOn(box);
      renderResidentsCard();
      return true;
    }
    if (result.status === 422 && result.error && result.error.problems) {
      showProblems(result.error.problems, maps);
      return false;
    }
    if (result.status === 401) return false;
    if (result.status === 403) {
      showFailure(result.error.code === 'csrf' ?
        'Your session is out of date. Reload the page (your changes will be lost) or log out and in again.' :
        'Your account is not allowed to change content.');
      return false;
    }
    showFailure(`${result.error.message} Your changes are still here; try publishing again.`);
    return false;
  }

  function onCancel() {
    if (isDirty() && !window.confirm('Throw away your changes? The published article will not change.')) return;
    if (state.edit) fillForm(state.edit.raw);
    state.edit = null;
    location.hash = '#/articles';
  }

  // ---------------------------------------------------------------------------
  // History: who changed what and when

  function addedRemoved(parent, added, removed, what) {
    const noun = what === 'lines' ? ' lines' : '';
    if (removed.length) parent.append(el('p', { class: 'hist-sub', text: `Removed${noun} (${removed.length}):` }), el('ul', { class: 'removed' }, ...removed.map((x) => el('li', { text: x }))));
    if (added.length) parent.append(el('p', { class: 'hist-sub', text: `Added${noun} (${added.length}):` }), el('ul', { class: 'added' }, ...added.map((x) => el('li', { text: x }))));
    if (!added.length && !removed.length) parent.append(el('p', { text: what === 'lines' ? 'Only spaces or blank lines changed.' : 'Changed the order only.' }));
  }

  function changeDetail(field, before, after) {
    const box = el('div', { class: 'hist-field' }, el('p', { class: 'hist-field-title', text: (FIELD_WORDS[field] || field).replace(/^the /, 'The ') }));
    if (field === 'answer') {
      const d = lineChanges(before, after);
      addedRemoved(box, d.added, d.removed, 'lines');
      box.append(el('details', { class: 'whole' }, el('summary', { text: 'Show the whole answer before and after' }),
        el('div', { class: 'before-after' },
          el('div', null, el('p', { class: 'hist-sub', text: 'Before' }), el('pre', { class: 'text-block', text: String(before || '').trim() })),
          el('div', null, el('p', { class: 'hist-sub', text: 'After' }), el('pre', { class: 'text-block', text: String(after || '').trim() })))));
    } else if (field === 'questions') {
      const d = diffList(before, after);
      addedRemoved(box, d.added, d.removed);
    } else if (field === 'links') {
      const show = (l) => `${l.title} (${l.url})`;
      const d = diffList((before || []).map(show), (after || []).map(show));
      addedRemoved(box, d.added, d.removed);
    } else if (field === 'related_requests') {
      const d = diffList((before || []).map((c) => REPORT_NAME[c] || c), (after || []).map((c) => REPORT_NAME[c] || c));
      addedRemoved(box, d.added, d.removed);
    } else if (field === 'offer_advisor') {
      box.append(el('p', { text: after ? 'Turned on.' : 'Turned off.' }));
    } else {
      box.append(el('p', null, 'From ', el('q', { text: before == null ? '' : String(before) }), ' to ', el('q', { text: after == null ? '' : String(after) }), '.'));
    }
    return box;
  }

  function historyItem(entry, withArticle) {
    const changed = entry.changed || [];
    const who = state.me && entry.who === state.me.username ? 'You' : (entry.who || 'Someone');
    const head = el('p', { class: 'hist-head' });
    head.append(el('time', { datetime: entry.at || '', class: 'hist-time', text: dateTime(entry.at) }), ' ', el('strong', { text: who }));
    const articleLink = el('a', { href: `#/articles/${encodeURIComponent(entry.article)}`, text: articleTitle(entry.article) });
    if (!changed.length) {
      head.append(' marked ');
      head.append(withArticle ? articleLink : 'it');
      head.append(' as reviewed, with no changes.');
    } else {
      head.append(` changed ${listWords(changed.map((k) => FIELD_WORDS[k] || k))}`);
      if (withArticle) head.append(' of ', articleLink);
      head.append('.');
    }
    const li = el('li', { class: 'hist-item' }, head);
    if (changed.length) {
      const details = el('details', null, el('summary', { text: 'Show what changed' }));
      for (const field of changed) details.append(changeDetail(field, (entry.before || {})[field], (entry.after || {})[field]));
      li.append(details);
    }
    return li;
  }

  function renderArticleHistory() {
    const list = $('edit-history');
    clear(list);
    const entries = state.edit.history || [];
    if (!entries.length) list.append(el('li', { class: 'empty', text: 'Nobody has changed this article with this page yet.' }));
    for (const entry of entries) list.append(historyItem(entry, false));
  }

  async function loadHistory() {
    const status = $('history-status');
    const list = $('history-list');
    status.textContent = 'Loading recent changes…';
    const result = await api('GET', '/api/editor/history');
    if (state.view !== 'history') return;
    clear(list);
    if (!result.ok) {
      status.textContent = `Recent changes could not be loaded. ${result.error.message}`;
      return;
    }
    const entries = result.data.history || [];
    status.textContent = entries.length ? `${plural(entries.length, 'change')}, newest first.` : 'Nobody has published a change with this page yet.';
    for (const entry of entries) list.append(historyItem(entry, true));
  }

  // ---------------------------------------------------------------------------
  // Check content

  const ROUTING_RUNNING = 'Checking every question against the bot… this takes about a minute.';
  const ROUTING_POLL_MS = 3000;

  function checkMeta(kind) {
    return CHECK_KINDS.find(([k]) => k === kind) || [kind, kind, ''];
  }

  /** "14:32", or "14:32 on 3 Mar 2025" when it was not today (UK time). */
  function clockTime(iso) {
    const ms = Date.parse(iso || '');
    if (!Number.isFinite(ms)) return '';
    const when = new Date(ms);
    const time = when.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
    const date = (d) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });
    return date(when) === date(new Date()) ? time : `${time} on ${date(when)}`;
  }

  /** A Python string literal (as the check writes questions) back to the text. */
  function unrepr(text) {
    return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (m, c) => {
      if (c.length > 1) return String.fromCodePoint(parseInt(c.slice(1), 16));
      return { n: ' ', t: ' ', r: ' ' }[c] || c;
    });
  }

  /** "'pay ctax' is answered by 'faq:council-tax-bands', not this article" -> {question, route}. */
  function parseRouting(problem) {
    const m = /^(['"])([\s\S]*)\1 is answered by (['"])([^'"]*)\3, not this article$/.exec(String(problem || ''));
    return m ? { question: unrepr(m[2]), route: m[4] } : null;
  }

  function routingStateOf(routing) {
    return routing ? routing.state : 'blocked';
  }

  function routingKey(routing) {
    return routing ? `${routing.state}|${routing.checked_at}|${routing.message}` : 'blocked';
  }

  async function runCheck() {
    const status = $('check-status');
    const results = $('check-results');
    const button = $('check-run');
    stopRoutingPolling();
    const seq = ++state.check.seq;
    state.check.loading = true;
    button.disabled = true;
    $('routing-run').disabled = true;
    status.textContent = 'Checking all the articles. This takes a few seconds…';
    clear(results);
    $('routing-group').hidden = true;
    const result = await api('GET', '/api/editor/check');
    if (seq !== state.check.seq) return;
    state.check.loading = false;
    button.disabled = false;
    if (state.view !== 'check') return;
    if (!result.ok) {
      status.textContent = `The checks could not be run. ${result.error.message}`;
      return;
    }
    renderCheck(result.data);
    if (routingStateOf(result.data.routing) === 'running') scheduleRoutingPoll();
  }

  function renderCheck(data) {
    const status = $('check-status');
    const results = $('check-results');
    const findings = data.findings || [];
    const routing = data.routing || null;
    const byKind = new Map(CHECK_KINDS.map(([kind]) => [kind, []]));
    for (const f of findings) {
      if (f.kind === 'routing') continue; // its own group, below: it can be running
      if (!byKind.has(f.kind)) byKind.set(f.kind, []);
      byKind.get(f.kind).push(f);
    }
    let text;
    if (!data.valid) {
      text = `Some files have problems that stop publishing. ${plural(findings.length, 'thing')} found.`;
    } else if (!findings.length) {
      text = routingStateOf(routing) === 'done' ? 'All files are valid and there is nothing to improve. Well done.' :
        'All files are valid and there is nothing to improve in them.';
    } else {
      text = `All files are valid. ${plural(findings.length, 'thing')} to improve.`;
    }
    if (routingStateOf(routing) === 'running') text += ` ${ROUTING_RUNNING}`;
    status.textContent = text;

    if (!data.valid) {
      results.append(el('div', { class: 'error-summary' },
        el('h2', { text: 'Nothing can be published until these are fixed' }),
        el('p', { text: 'The bot keeps using the last good version of the content meanwhile. Ask a developer for help if a problem is not in an article you can open here.' })));
    }

    const summary = el('ul', { class: 'check-summary' });
    for (const [kind, items] of byKind) {
      const meta = checkMeta(kind);
      summary.append(el('li', { class: items.length ? 'has-items' : '' },
        items.length ? el('a', { href: `#check-${kind}`, text: meta[1] }) : el('span', { text: meta[1] }),
        el('span', { class: `count ${items.length ? 'count-some' : 'count-none'}`, text: items.length ? String(items.length) : 'None' })));
    }
    summary.append(el('li', { id: 'summary-routing' }));
    results.append(el('h2', { class: 'visually-hidden', text: 'Summary' }), summary);

    for (const [kind, items] of byKind) {
      const meta = checkMeta(kind);
      const section = el('section', { class: 'card check-group', 'aria-labelledby': `check-${kind}` });
      section.append(el('h2', { id: `check-${kind}`, tabindex: '-1' }, meta[1], ' ', el('span', { class: 'count-inline', text: `(${items.length})` })));
      if (meta[2]) section.append(el('p', { class: 'hint', text: meta[2] }));
      if (!items.length) {
        section.append(el('p', { class: 'success-text', text: 'Nothing found.' }));
      } else {
        const list = el('ul', { class: 'findings' });
        for (const f of items) {
          const id = idFromFile(f.file);
          const li = el('li');
          if (id) {
            const href = `#/articles/${encodeURIComponent(id)}${f.field ? `?field=${encodeURIComponent(f.field)}` : ''}`;
            li.append(el('a', { href, text: articleTitle(id) }));
          } else {
            li.append(el('strong', { text: f.file }));
          }
          const label = f.field && kind !== 'review' ? `${fieldLabel(f.field)}: ` : '';
          li.append(el('span', { class: 'finding-text', text: ` — ${label}${polish(f.problem)}` }));
          list.append(li);
        }
        section.append(list);
      }
      results.append(section);
    }
    renderRouting(routing, findings.filter((f) => f.kind === 'routing'));
  }

  /** The routing group is in the page (not rebuilt), so its button keeps focus while the check runs. */
  function renderRouting(routing, findings) {
    const st = routingStateOf(routing);
    state.check.routing = routing;
    state.check.routingKey = routingKey(routing);
    const group = $('routing-group');
    const box = $('routing-state');
    const results = $('routing-results');
    const button = $('routing-run');
    const n = st === 'done' ? findings.length : 0;
    group.hidden = false;
    group.className = `card check-group routing-group is-${st}`;
    button.hidden = st === 'blocked';
    $('routing-run-hint').hidden = st === 'blocked';
    button.disabled = st === 'running';
    $('routing-count').textContent = st === 'done' ? `(${n})` : '';
    clear(box);
    clear(results);

    const checkedAt = routing && routing.checked_at ?
      el('time', { datetime: routing.checked_at, text: clockTime(routing.checked_at) }) : null;
    if (st === 'blocked') {
      box.append(el('p', { text: 'This check can run once the problems that stop publishing are fixed.' }));
    } else if (st === 'running') {
      box.append(el('p', { class: 'routing-progress' },
        el('span', { class: 'progress-dot', 'aria-hidden': 'true' }),
        el('span', { text: `${ROUTING_RUNNING} You can keep working on other pages meanwhile.` })));
    } else if (st === 'failed') {
      box.append(el('div', { class: 'routing-failed' },
        el('p', { class: 'error-text' }, 'The last check did not finish', checkedAt ? ' (at ' : '', checkedAt, checkedAt ? ')' : '', '.'),
        el('p', null, el('strong', { text: 'Details: ' }),
          String(routing.message || '').replace(/^The routing check could not run:\s*/, '')
            .replace(/^\[\s*(['"])([\s\S]*)\1\s*\]$/, '$2') || 'none given.'),
        el('p', { text: 'Try again. If it keeps happening, ask a developer.' })));
    } else if (st === 'done') {
      box.append(el('p', { class: 'routing-when' }, 'Last checked at ', checkedAt || 'an unknown time', '. ',
        n ? el('span', { text: `${plural(n, 'question')} ${n === 1 ? 'goes' : 'go'} to a different article.` }) :
          el('span', { class: 'success-text', text: 'Every question leads to its own article.' })));
      if (routing.model) box.append(el('p', { class: 'hint', text: `Bot version checked: ${routing.model}` }));
    } else if (!routing.checked_at) {
      box.append(el('p', { class: 'routing-when' }, el('strong', { text: 'Not checked yet. ' }),
        'Choose ‘Check how the bot answers every question’ to find out which questions the bot answers with a different article.'));
    } else {
      box.append(el('p', { class: 'routing-when' }, 'Not checked since ', checkedAt, '.'));
    }

    if (st === 'done' && n) results.append(routingList(findings));
    renderRoutingSummary(st, n);
  }

  function renderRoutingSummary(st, n) {
    const item = $('summary-routing');
    if (!item) return;
    clear(item);
    const name = 'Questions the bot sends to a different article';
    const pending = { blocked: 'Not checked', idle: 'Not checked', running: 'Checking…', failed: 'Not finished' }[st] || '';
    item.className = n ? 'has-items' : (pending ? 'is-pending' : '');
    item.append(n || pending ? el('a', { href: '#check-routing', text: name }) : el('span', { text: name }),
      el('span', { class: `count ${n ? 'count-some' : pending ? 'count-pending' : 'count-none'}`, text: n ? String(n) : pending || 'None' }));
  }

  /** One item per article, with each of its questions and where the bot sends it. */
  function routingList(findings) {
    const byFile = new Map();
    for (const f of findings) {
      if (!byFile.has(f.file)) byFile.set(f.file, []);
      byFile.get(f.file).push(f);
    }
    const list = el('ul', { class: 'findings routing-findings' });
    for (const [file, items] of byFile) {
      const id = idFromFile(file);
      const li = el('li');
      li.append(id ? el('a', { href: `#/articles/${encodeURIComponent(id)}`, text: articleTitle(id) }) : el('strong', { text: file }),
        el('span', { class: 'muted', text: ` (${plural(items.length, 'question')})` }));
      const questions = el('ul', { class: 'routing-questions' });
      for (const f of items) {
        const parsed = parseRouting(f.problem);
        const label = fieldLabel(f.field) || 'Question';
        const text = parsed ? `${label}: “${parsed.question}”` : label;
        const href = id ? `#/articles/${encodeURIComponent(id)}${f.field ? `?field=${encodeURIComponent(f.field)}` : ''}` : '';
        const q = el('li', null, href ? el('a', { href, text }) : el('span', { text }));
        if (!parsed) {
          q.append(el('span', { class: 'finding-text', text: ` — ${polish(f.problem)}` }));
        } else if (parsed.route.startsWith('faq:') && state.titles.has(parsed.route.slice(4))) {
          const other = parsed.route.slice(4);
          q.append(el('span', { class: 'finding-text' }, ' — the bot answers it with the article ‘',
            el('a', { href: `#/articles/${encodeURIComponent(other)}`, text: articleTitle(other) }), '’'));
        } else {
          q.append(el('span', { class: 'finding-text', text: ` — the bot answers it with ${routeName(parsed.route)}` }));
        }
        questions.append(q);
      }
      li.append(questions);
      list.append(li);
    }
    return list;
  }

  async function onRoutingRun() {
    const button = $('routing-run');
    if (button.disabled) return;
    stopRoutingPolling();
    const seq = ++state.check.seq;
    button.disabled = true;
    state.check.focusPending = true;
    const result = await change('POST', '/api/editor/check/routing');
    if (seq !== state.check.seq || state.view !== 'check') return;
    const status = $('check-status');
    if (!result.ok || !result.data) {
      button.disabled = false;
      state.check.focusPending = false;
      if (result.status !== 401) status.textContent = `The check could not be started. ${result.error ? result.error.message : ''}`;
      if (document.activeElement === document.body) button.focus();
      return;
    }
    state.check.misses = 0;
    renderRouting(result.data, []);
    if (routingStateOf(result.data) === 'running') {
      status.textContent = ROUTING_RUNNING;
      scheduleRoutingPoll();
    } else {
      pollRouting();
    }
  }

  function stopRoutingPolling() {
    clearTimeout(state.check.timer);
    state.check.timer = 0;
  }

  function scheduleRoutingPoll() {
    stopRoutingPolling();
    state.check.timer = setTimeout(pollRouting, ROUTING_POLL_MS);
  }

  /** While the routing check runs: ask again every 3 seconds; show the results when it ends. */
  async function pollRouting() {
    state.check.timer = 0;
    if (!state.me || state.view !== 'check') return;
    const seq = state.check.seq;
    const result = await api('GET', '/api/editor/check');
    if (seq !== state.check.seq || !state.me || state.view !== 'check') return;
    const status = $('check-status');
    if (!result.ok || !result.data) {
      if (result.status === 401) return;
      state.check.misses += 1;
      if (state.check.misses === 3) status.textContent = 'Cannot reach the server to see how the check is going. Still trying.';
      scheduleRoutingPoll();
      return;
    }
    state.check.misses = 0;
    const routing = result.data.routing || null;
    const st = routingStateOf(routing);
    if (routingKey(routing) !== state.check.routingKey) {
      const was = routingStateOf(state.check.routing);
      const findings = (result.data.findings || []).filter((f) => f.kind === 'routing');
      renderRouting(routing, findings);
      if (st === 'done') {
        const n = findings.length;
        status.textContent = `Finished checking every question against the bot. ${n ?
          `${plural(n, 'question')} ${n === 1 ? 'goes' : 'go'} to a different article.` :
          'Every question leads to its own article.'} Last checked at ${clockTime(routing.checked_at)}.`;
      } else if (st === 'failed') {
        status.textContent = 'The check of every question did not finish. The reason is under ‘Questions the bot sends to a different article’.';
      } else if (st === 'running' && was !== 'running') {
        status.textContent = ROUTING_RUNNING;
      }
      if (st !== 'running' && state.check.focusPending) {
        // The button was disabled while it had focus: give focus back to it.
        state.check.focusPending = false;
        const active = document.activeElement;
        if (!active || active === document.body || active === $('routing-run')) $('routing-run').focus({ preventScroll: true });
      }
    }
    if (st === 'running') scheduleRoutingPoll();
  }

  /** After a retrain switches the bot over, the server checks every question again by itself. */
  function refreshRouting() {
    if (!state.me || state.view !== 'check' || state.check.loading) return;
    stopRoutingPolling();
    pollRouting();
  }

  // ---------------------------------------------------------------------------
  // Retraining progress

  function stepStatus(job, index) {
    const order = STEPS.map(([s]) => s);
    const st = job.state;
    if (st === 'done') return 'done';
    if (st === 'waiting') return 'todo';
    if (st === 'rejected') return index < 2 ? 'done' : index === 2 ? 'failed' : 'skipped';
    if (st === 'failed') {
      const fromMessage = /(building|training|checking|switching) step failed/.exec(job.message || '');
      const at = order.indexOf(fromMessage ? fromMessage[1] : (state.job && state.job.lastActive) || 'building');
      return index < at ? 'done' : index === at ? 'failed' : 'skipped';
    }
    const current = order.indexOf(st);
    return index < current ? 'done' : index === current ? 'active' : 'todo';
  }

  const STEP_WORDS = { done: 'done', active: 'in progress', todo: 'not started yet', failed: 'did not pass', skipped: 'not done' };
  const STEP_ICON = { done: '✓', active: '●', todo: '', failed: '✕', skipped: '–' };

  /** The retrainer's words for developers, made plain. */
  function plainJob(message) {
    return String(message || '')
      .replace(/\bit routes (\S+) of the held-out questions correctly/g, 'it answered $1 of the test questions correctly')
      .replace(/held-out questions/g, 'test questions')
      .replace(/held-out accuracy/g, 'test questions answered correctly:')
      .replace(/urgent:safeguarding messages/g, 'messages about a person at risk')
      .replace(/urgent:emergency messages/g, 'emergency messages')
      .replace(/urgent:(\w+) messages/g, (_, c) => `urgent (${c.replace('_', ' ')}) messages`)
      .replace(/the safety set/g, 'the urgent test messages')
      .replace(/\s*\(recall \d+%\)/g, '');
  }

  function renderJob(job) {
    const section = $('retrain');
    const key = `${job.state}|${job.message}`;
    if (state.job.rendered === key && !section.hidden) return;
    state.job.rendered = key;
    section.hidden = !!state.job.hidden;
    section.className = `retrain is-${job.state}`;
    const lead = $('retrain-lead');
    const heading = $('retrain-heading');
    const leads = {
      waiting: 'Waiting to start. If another change is being learned, yours starts straight after it.',
      done: 'Done. The bot now understands the new questions.',
      rejected: 'The bot did not switch to the new questions.',
      failed: 'Retraining did not finish.',
    };
    heading.textContent = FINAL_STATES.has(job.state) ? 'Teaching the bot your new questions: finished' : 'Teaching the bot your new questions';
    lead.textContent = leads[job.state] || 'This takes about a minute. The bot keeps answering residents as before while it learns.';
    const steps = $('retrain-steps');
    clear(steps);
    STEPS.forEach(([, label], i) => {
      const status = stepStatus(job, i);
      steps.append(el('li', { class: `step step-${status}` },
        el('span', { class: 'step-icon', 'aria-hidden': 'true', text: STEP_ICON[status] }),
        el('span', { class: 'step-text' },
          el('span', { class: 'step-label', text: label }),
          el('span', { class: 'step-state', text: ` — ${STEP_WORDS[status]}` }))));
    });
    const message = $('retrain-message');
    clear(message);
    if (job.state === 'rejected') {
      const why = plainJob(job.message).replace(/^The new model was not switched in:\s*/, '');
      message.append(
        el('p', { text: 'The new version of the bot was not good enough, so it was not switched in. The bot keeps using the previous questions, so residents are not affected, and your answer and link changes are still live.' }),
        el('p', null, el('strong', { text: 'Why: ' }), why || 'the quality check failed.'),
        el('p', { text: 'Your new questions are saved, but the bot will not use them until a retrain passes the check. Try making the questions more different from other articles’ questions, then publish again. Ask a developer if this keeps happening.' }));
    } else if (job.state === 'failed') {
      message.append(
        el('p', { text: 'Something went wrong while the bot was learning. The bot keeps using the previous questions, so residents are not affected, and your answer and link changes are still live.' }),
        el('p', null, el('strong', { text: 'Details: ' }), String(job.message || '').replace(/^Retraining failed:\s*/, '') || 'none given.'),
        el('p', { text: 'Try publishing again later, or ask a developer to look at it.' }));
    } else if (job.state === 'done') {
      message.append(el('p', { text: plainJob(job.message) || 'The bot now uses the new questions.' }));
    }
    if (typeof job.accuracy === 'number' && job.state === 'rejected' && !/%/.test(job.message || '')) {
      message.append(el('p', { class: 'hint', text: `Quality check: it answered ${(job.accuracy * 100).toFixed(1)}% of the test questions correctly.` }));
    }
    $('retrain-hide').hidden = !FINAL_STATES.has(job.state);
  }

  function startJob(job) {
    stopJobPolling();
    state.job = { id: job.id, data: job, lastActive: null, timer: 0, hidden: false, rendered: '', misses: 0 };
    if (!FINAL_STATES.has(job.state) && job.state !== 'waiting') state.job.lastActive = job.state;
    renderJob(job);
    if (!FINAL_STATES.has(job.state)) state.job.timer = setTimeout(pollJob, 2000);
  }

  async function pollJob() {
    const job = state.job;
    if (!job || !state.me) return;
    const result = await api('GET', `/api/editor/retraining/${encodeURIComponent(job.id)}`);
    if (state.job !== job) return;
    if (result.ok && result.data) {
      job.misses = 0;
      job.data = result.data;
      if (!FINAL_STATES.has(result.data.state) && result.data.state !== 'waiting') job.lastActive = result.data.state;
      renderJob(result.data);
      if (FINAL_STATES.has(result.data.state)) {
        if (result.data.state === 'done') refreshRouting();
        announce(result.data.state === 'done' ? 'The bot has learned the new questions.' : 'The bot did not switch to the new questions. See the message at the top of the page.');
        return;
      }
    } else if (result.status === 404) {
      const message = $('retrain-message');
      clear(message);
      message.append(el('p', { class: 'error-text', text: 'We lost track of this retrain (the server may have restarted). Check content again later, or ask a developer.' }));
      $('retrain-hide').hidden = false;
      return;
    } else if (result.status === 401) {
      return;
    } else {
      job.misses += 1;
      if (job.misses === 3) announce('Cannot reach the server to check progress. Still trying.');
    }
    job.timer = setTimeout(pollJob, 2000);
  }

  function stopJobPolling() {
    if (state.job) clearTimeout(state.job.timer);
  }

  /** After logging in: if a retrain is running, show it. */
  async function resumeJob() {
    if (state.job && state.job.data && !FINAL_STATES.has(state.job.data.state)) { startJob(state.job.data); return; }
    const result = await api('GET', '/api/editor/retraining');
    if (result.ok && result.data && !FINAL_STATES.has(result.data.state)) startJob(result.data);
  }

  function hideJob() {
    if (state.job) state.job.hidden = true;
    $('retrain').hidden = true;
    const heading = document.querySelector('.view:not([hidden]) h1');
    if (heading) heading.focus();
  }

  // ---------------------------------------------------------------------------
  // What residents asked (GET /api/editor/residents-questions): the questions after which
  // residents chose one of the articles the bot offered when it was unsure, and council
  // matters with no article yet. Adding a question goes through the article's own form and
  // Publish, so a problem (the question is another article's) shows against the question.

  const RESIDENTS_FRESH_MS = 60000; // the edit page reuses an answer this recent

  const sameQuestion = (a, b) => a.replace(/\s+/g, ' ').trim().toLowerCase() === b.replace(/\s+/g, ' ').trim().toLowerCase();

  function timesAsked(n) {
    return n === 1 ? 'asked once' : `asked ${n} times`;
  }

  function capitalised(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  async function loadResidents(force) {
    const cached = state.residents;
    if (!force && cached.data && Date.now() - cached.at < RESIDENTS_FRESH_MS) return cached.data;
    const result = await api('GET', '/api/editor/residents-questions');
    if (!result.ok || !result.data) {
      state.residents = { data: null, at: 0, error: result.error ? result.error.message : '' };
      return null;
    }
    state.residents = { data: result.data, at: Date.now(), error: '' };
    for (const article of result.data.chosen || []) state.titles.set(article.article_id, article.title);
    return result.data;
  }

  /** One question per item; with ``article`` each has its "Add as a question" button. */
  function residentQuestions(questions, article) {
    const list = el('ul', { class: 'rq-list' });
    for (const q of questions) {
      const item = el('li', { class: 'rq-item' },
        el('span', { class: 'rq-text' }, el('q', { text: q.text })),
        el('span', { class: 'rq-count', text: timesAsked(q.count) }));
      if (article) {
        // The visible words start the name (WCAG 2.5.3); the rest says which question and where.
        item.append(el('button', {
          type: 'button', class: 'btn btn-small rq-add',
          onclick: () => addResidentQuestion(article.article_id, q.text, state.view === 'residents'),
        }, 'Add as a question', vh(` to ‘${article.title}’: “${q.text}”`)));
      }
      list.append(item);
    }
    return list;
  }

  async function showResidents() {
    showView('residents', 'What residents asked');
    $('residents-heading').focus();
    const status = $('residents-status');
    status.textContent = 'Loading what residents asked…';
    const data = await loadResidents(true);
    if (state.view !== 'residents') return;
    clear($('residents-chosen'));
    clear($('residents-missing'));
    if (!data) {
      status.textContent = `What residents asked could not be loaded. ${state.residents.error}`;
      return;
    }
    renderResidents(data);
  }

  function renderResidents(data) {
    const chosen = data.chosen || [];
    const missing = data.missing || [];
    const days = data.days || 30;
    const asked = chosen.reduce((n, a) => n + a.questions.length, 0);
    $('residents-status').textContent = `In the last ${days} days: ${plural(asked, 'question')} for ${plural(chosen.length, 'article')}, ` +
      `and ${plural(missing.length, 'council matter')} with no article yet.`;
    const chosenBox = $('residents-chosen');
    if (!chosen.length) chosenBox.append(el('p', { class: 'empty', text: 'Nothing to add: no resident chose an offered article, or their questions are already in the articles.' }));
    for (const article of chosen) {
      const headingId = `rq-${article.article_id}`;
      chosenBox.append(el('section', { class: 'card rq-group', 'aria-labelledby': headingId },
        el('h3', { id: headingId }, el('a', { href: `#/articles/${encodeURIComponent(article.article_id)}`, text: article.title })),
        residentQuestions(article.questions, article)));
    }
    const missingBox = $('residents-missing');
    if (!missing.length) missingBox.append(el('p', { class: 'empty', text: 'None: the bot had an article for every council matter residents asked about.' }));
    missing.forEach((topic, i) => {
      missingBox.append(el('section', { class: 'card rq-group', 'aria-labelledby': `rq-topic-${i}` },
        el('h3', { id: `rq-topic-${i}`, text: capitalised(topic.topic) }),
        residentQuestions(topic.questions, null)));
    });
  }

  /** On the edit page: the residents' questions for this article not yet among its questions. */
  async function renderResidentsCard() {
    const id = state.edit && state.edit.id;
    const data = id ? await loadResidents(false) : null;
    const card = $('residents-card');
    if (!state.edit || state.edit.id !== id || !state.edit.loaded) return;
    const article = data && (data.chosen || []).find((a) => a.article_id === id);
    const published = state.edit.base.questions;
    const questions = article ? article.questions.filter((q) => !published.some((p) => sameQuestion(p, q.text))) : [];
    const list = $('residents-card-list');
    clear(list);
    card.hidden = !questions.length;
    if (questions.length) list.append(residentQuestions(questions, article));
  }

  /** One click: open the article if needed, add the question to its form, publish as usual.
   * With other unpublished changes in the form, only add it: publishing is the editor's call. */
  async function addResidentQuestion(id, text, fromResidents) {
    if (state.publishing) return;
    if (!state.edit || state.edit.id !== id || !state.edit.loaded) {
      history.pushState(null, '', `#/articles/${encodeURIComponent(id)}`);
      state.edit = null;
      await openArticle(id, '');
      if (!state.edit || state.edit.id !== id || !state.edit.loaded) return;
    }
    const title = state.edit.raw.title;
    if (readForm().article.questions.some((q) => sameQuestion(q, text))) {
      announce(`“${text}” is already one of the questions of ‘${title}’.`);
      return;
    }
    const otherChanges = isDirty();
    addQuestion(text);
    if (otherChanges) {
      announce(`Added “${text}” at the end of the questions. You have other changes that are not published yet, so nothing was published: check them, then choose Publish changes.`);
      return;
    }
    const published = await onPublish(null, false, { text, fromResidents });
    announce(published ?
      `Added “${text}” to ‘${title}’ and published. The bot is learning it now; this takes about a minute.` :
      `“${text}” was added to the form but not published. See the problem described on the page.`);
  }

  // ---------------------------------------------------------------------------
  // Start

  function buildReports() {
    const box = $('reports-list');
    for (const [code, label] of REPORTS) {
      box.append(el('div', { class: 'check' },
        el('input', { type: 'checkbox', id: `e-report-${code}`, 'aria-describedby': 'reports-hint' }),
        el('label', { for: `e-report-${code}`, text: `‘${label}’` })));
    }
  }

  async function start() {
    try {
      const labels = await loadLabels();
      TOPICS = labels.topics || {};
      REPORTS = labels.reports || [];
      REPORT_NAME = Object.fromEntries(REPORTS);
    } catch (err) {
      announce('Report names could not be loaded. Reload the page to try again.');
    }
    buildReports();
    document.addEventListener('click', onInPageLink);
    window.addEventListener('hashchange', onHashChange);
    window.addEventListener('beforeunload', (event) => {
      if (isDirty()) { event.preventDefault(); event.returnValue = ''; }
    });
    $('logout').addEventListener('click', onLogout);
    $('f-topic').addEventListener('change', onFilterChange);
    $('f-owner').addEventListener('change', onFilterChange);
    $('f-due').addEventListener('change', onFilterChange);
    $('f-search').addEventListener('input', onSearch);
    $('filters').addEventListener('submit', (event) => { event.preventDefault(); renderList(); });
    $('f-clear').addEventListener('click', clearFilters);

    const form = $('edit-form');
    form.addEventListener('submit', (event) => onPublish(event, false));
    form.addEventListener('input', (event) => {
      const t = event.target;
      const previewToo = t.id === 'e-answer' || t.classList.contains('link-title') || t.classList.contains('link-url');
      onFormChange(previewToo);
      if (t.closest('.row-q') && t === questionRows()[0]?.querySelector('textarea')) schedulePreview();
    });
    form.addEventListener('change', (event) => {
      if (event.target.type === 'checkbox') onFormChange(true);
    });
    form.addEventListener('keydown', (event) => {
      // Enter must never publish by accident; in a question it would only add a line break.
      const t = event.target;
      if (event.key === 'Enter' && (t.tagName === 'INPUT' || t.classList.contains('q-text'))) event.preventDefault();
    });
    $('link-add').addEventListener('click', addLink);
    $('question-add').addEventListener('click', () => addQuestion(''));
    $('cancel').addEventListener('click', onCancel);
    $('mark-reviewed').addEventListener('click', () => onPublish(null, true));
    $('try-form').addEventListener('submit', onTry);
    $('check-run').addEventListener('click', runCheck);
    $('routing-run').addEventListener('click', onRoutingRun);
    $('retrain-hide').addEventListener('click', hideJob);

    const result = await api('GET', '/api/advisor/me');
    if (result.ok && isEditor(result.data)) {
      state.me = client.session.me = result.data;
      showApp();
    } else if (result.ok || result.status === 401) {
      goToSignIn(); // /staff/ signs in and comes back here, or lists the pages this account opens
    } else {
      showLogin(result.error.message);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}());
