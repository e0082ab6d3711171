/* Front Desk advisor console. An ES module, no build step: the shared modules (sign-in,
 * API helper, Markdown renderer, stream ids, DOM helpers) come from /shared/ (web_shared/).
 *
 * Wire formats: contracts/relay/advisor_client.schema.json (what we send) and
 * advisor_server.schema.json (what we receive); contracts/README.md "Handoff relay".
 *
 * Safety: every piece of text from a resident, the bot or the server is put in the
 * page with textContent or createTextNode, never innerHTML. Bot text goes through the
 * one renderer residents see it with (web_shared/markdown.js).
 */
import { createApi, goToSignIn, hasRole, missingEndpoint } from '/shared/api.js';
import { clear, h as el, newId } from '/shared/dom.js';
import { render, renderPlain, safeUrl as safeHref } from '/shared/markdown.js';
import { mountSignIn } from '/shared/signin.js';
import { compareIds } from '/shared/stream_ids.js';
import { clock, dateTime, duration, parseTime } from './times.js';
import { ERROR_TEXT, EXTENDED_STATUS, PRESENCE, PRIORITIES, SPEAKERS } from './wording.js';
import { beep } from './sound.js';
import { setUpAnswerSearch } from './answers.js';
import { mapUrl, positionText } from './map_link.js';
import { renderPhotos } from './photos.js';

(function () {
  'use strict';

  // ---------------------------------------------------------------------------
  // Wording (plain UK English, one place)

  // Urgent categories first, worded as knowledge_base/urgent.py `label` (kept in step by
  // tests/live_handoff/unit/test_console_wording.py).
  const REASONS = {
    crisis: 'Crisis: suicide, self-harm or mental health',
    domestic_abuse: 'Domestic abuse',
    safeguarding: 'Safeguarding: a child or adult at risk',
    danger: 'Danger: crime, violence or someone hurt now',
    gas: 'Gas leak or carbon monoxide',
    power: 'Power cut or damaged power line',
    emergency: 'Council emergency',
    complaint: 'Complaint',
    resident_asked: 'Asked for a person',
    repeated_misunderstanding: 'Bot did not understand',
    service_unavailable: 'Service down',
    bot_unavailable: 'Bot unavailable',
  };
  const CASE_REF = /\b[A-Z]{2}-\d{4}-\d{6}\b/g;
  const CASE_REF_ONE = /^[A-Z]{2}-\d{4}-\d{6}$/;
  const USERNAME = /^[a-z0-9._-]{2,40}$/;
  const MAX_TEXT = 2000; // RELAY_MAX_TEXT_CHARS default; the relay answers too_large past its own limit
  const TITLE = 'Front Desk console';

  // ---------------------------------------------------------------------------
  // State

  const state = {
    me: null, // {username, name, roles, csrf_token}
    advisor: null, // from welcome: {username, name, presence, capacity}
    guides: {}, // from welcome: urgent category -> "What to do" text
    presence: 'away', // what the advisor chose on this page; starts Away
    ws: null,
    connected: false,
    wantSocket: false,
    retries: 0,
    retryTimer: 0,
    countdownTimer: 0,
    pingTimer: 0,
    pongTimer: 0,
    everConnected: false,
    queue: [], // summaries in serving order
    queueSeen: new Set(), // conversation ids we have already announced
    queueEls: new Map(), // cid -> li
    claiming: new Set(),
    opening: new Set(), // cids a supervisor asked to read, not yet shown
    chats: new Map(), // cid -> Chat
    order: [], // cids in tab order
    active: null,
    answersAbort: null,
  };

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------------------
  // Small DOM helpers

  let announceTimer = 0;
  /** Polite announcement for screen readers (one shared status region). */
  function announce(text) {
    const region = $('announcer');
    clearTimeout(announceTimer);
    region.textContent = '';
    announceTimer = setTimeout(() => { region.textContent = text; }, 60);
  }

  function shortId(cid) {
    return cid.slice(2, 6);
  }

  // ---------------------------------------------------------------------------
  // Times

  // ---------------------------------------------------------------------------
  // Text: bot, advisor and council text as residents see it; what residents type as typed

  const markdown = (text) => render(text, { linkClass: 'chat-link', telClass: 'chat-tel' });
  const plain = (text) => renderPlain(text);

  // ---------------------------------------------------------------------------
  // HTTP

  const client = createApi({ onSessionEnded: () => sessionEnded('Your session has ended. Please log in again.'),
    serverErrorMessage: 'Request failed.', networkMessage: 'Cannot reach the server. Check your connection.' });
  const api = (method, path, body) => client.call(method, path, body);

  // ---------------------------------------------------------------------------
  // Login and logout

  /** Sign in again in place (the session ended mid-shift); a first visit goes to /staff/. */
  function showLogin(notice) {
    stopSocket();
    resetConsole();
    state.me = null;
    client.session.me = null;
    $('console-view').hidden = true;
    $('session-controls').hidden = true;
    $('away-banner').hidden = true;
    setBanner('');
    $('login-view').hidden = false;
    $('skip-link').hidden = true;
    document.title = `Log in — ${TITLE}`;
    const form = mountSignIn($('login-view'), {
      api: client, heading: 'Log in to the advisor console', notice,
      intro: 'Use the username and password the contact centre manager gave you.',
      onSignedIn: (me) => {
        if (!hasRole(me, 'advisor')) {
          form.showError('This account is not an advisor account.');
          return;
        }
        state.me = me;
        showConsole();
      },
    });
    form.focus();
  }

  function showConsole() {
    $('open-by-id').hidden = !hasRole(state.me, 'supervisor');
    $('login-view').hidden = true;
    $('console-view').hidden = false;
    $('session-controls').hidden = false;
    $('skip-link').hidden = false;
    $('advisor-name').textContent = state.me.name || state.me.username;
    setPresenceUi(state.presence);
    updateTitle();
    // Busy until the relay's welcome: the queue and chats are not there yet.
    if (!state.everConnected) $('console-view').setAttribute('aria-busy', 'true');
    startSocket();
    $('chats-heading').focus();
  }

  function sessionEnded(message) {
    if (!state.me) return;
    showLogin(message);
  }

  async function onLogout() {
    if (state.ws && state.connected) send({ type: 'presence', status: 'away' });
    const result = await client.signOut();
    if (!result.ok && result.status !== 401) {
      flashGlobal(`You could not be logged out: ${result.error.message}`);
      return;
    }
    stopSocket();
    location.assign('/staff/');
  }

  // ---------------------------------------------------------------------------
  // Websocket

  function socketUrl() {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/advisor`;
  }

  function startSocket() {
    state.wantSocket = true;
    connect();
  }

  function stopSocket() {
    state.wantSocket = false;
    clearTimeout(state.retryTimer);
    clearInterval(state.countdownTimer);
    clearInterval(state.pingTimer);
    clearTimeout(state.pongTimer);
    if (state.ws) {
      const ws = state.ws;
      state.ws = null;
      try { ws.close(1000, 'bye'); } catch (err) { /* already closed */ }
    }
    state.connected = false;
  }

  function connect() {
    clearTimeout(state.retryTimer);
    clearInterval(state.countdownTimer);
    if (!state.wantSocket) return;
    if (state.everConnected) setBanner('Reconnecting…', false);
    let ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (err) {
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    let closeCode = 0;
    let notAllowed = '';
    ws.addEventListener('open', () => {
      state.connected = true;
      state.retries = 0;
      clearInterval(state.pingTimer);
      state.pingTimer = setInterval(ping, 25000);
    });
    ws.addEventListener('message', (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (err) { return; }
      if (frame && frame.type === 'error' && frame.code === 'not_allowed' && !frame.conversation_id && !state.advisorWelcomed) {
        notAllowed = frame.message;
      }
      try {
        handleFrame(frame);
      } catch (err) {
        // One odd frame must not stop the console.
        if (window.console) console.error('Could not handle a frame', frame && frame.type, err);
      }
    });
    ws.addEventListener('close', (event) => {
      closeCode = event.code;
      if (state.ws !== ws) return; // replaced or stopped on purpose
      state.ws = null;
      state.connected = false;
      state.advisorWelcomed = false;
      clearInterval(state.pingTimer);
      clearTimeout(state.pongTimer);
      for (const chat of state.chats.values()) setTyping(chat, false);
      if (closeCode === 4401) {
        sessionEnded('Your session has ended. Please log in again.');
        return;
      }
      if (closeCode === 4403) {
        state.wantSocket = false;
        setBanner(notAllowed || 'Open the console from the relay’s own address.', true);
        return;
      }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (!state.wantSocket) return;
    state.retries += 1;
    // 1, 2, 4, 8, 16, 30 s, with a little jitter so a room of consoles does not reconnect at once.
    const base = Math.min(30, 2 ** (state.retries - 1));
    const delay = Math.round((base * (0.8 + Math.random() * 0.4)) * 1000);
    const until = Date.now() + delay;
    const tick = () => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      $('conn-text').textContent = `Connection lost. Reconnecting${left > 1 ? ` in ${left} s` : ''}…`;
    };
    setBanner('Connection lost. Reconnecting…', true);
    tick();
    clearInterval(state.countdownTimer);
    state.countdownTimer = setInterval(tick, 1000);
    state.retryTimer = setTimeout(connect, delay);
  }

  function ping() {
    if (!state.connected) return;
    send({ type: 'ping' });
    clearTimeout(state.pongTimer);
    // No pong in 10 s: the connection is dead even if the browser has not noticed.
    state.pongTimer = setTimeout(() => { if (state.ws) state.ws.close(4000, 'no pong'); }, 10000);
  }

  function send(frame) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return false;
    state.ws.send(JSON.stringify(frame));
    return true;
  }

  function setBanner(text, showButton) {
    const banner = $('conn-banner');
    $('conn-text').textContent = text;
    banner.classList.toggle('is-shown', Boolean(text));
    $('reconnect-now').hidden = !showButton || !state.wantSocket;
  }

  // ---------------------------------------------------------------------------
  // Frames from the relay

  function handleFrame(frame) {
    switch (frame.type) {
      case 'welcome': onWelcome(frame); break;
      case 'queue': renderQueue(frame.items || []); break;
      case 'chats': onChats(frame.items || []); break;
      case 'conversation': onConversation(frame.conversation, frame); break;
      case 'message':
      case 'status':
      case 'note': onEvent(frame); break;
      case 'typing': onTyping(frame); break;
      case 'ack': onAck(frame); break;
      case 'error': onError(frame); break;
      case 'pong': clearTimeout(state.pongTimer); break;
      default: break; // newer relay, older console: ignore what we do not know
    }
  }

  function onWelcome(frame) {
    const first = !state.everConnected;
    state.everConnected = true;
    $('console-view').removeAttribute('aria-busy');
    state.advisorWelcomed = true;
    state.advisor = frame.advisor;
    setBanner('');
    if (!first) announce('Reconnected.');
    $('advisor-name').textContent = frame.advisor.name || frame.advisor.username;
    state.guides = (frame.guides && typeof frame.guides === 'object') ? frame.guides : {};
    for (const chat of state.chats.values()) renderGuide(chat); // the guides may have been edited since
    // The console starts Away until the advisor chooses; after a reconnect, their choice stands.
    send({ type: 'presence', status: state.presence });
    renderQueue(frame.queue || [], first);
    onChats(frame.chats || [], true);
    for (const chat of state.chats.values()) {
      if (chat.reading) openConversation(chat);
    }
    // Anything not yet acknowledged goes again with the same client_id: the relay never logs it twice.
    for (const chat of state.chats.values()) {
      for (const pending of chat.pending.values()) {
        if (!pending.failed) send(pending.frame);
      }
    }
  }

  // ---------------------------------------------------------------------------
  // Queue

  function renderQueue(items, quiet) {
    const before = state.queueSeen;
    const fresh = items.filter((item) => !before.has(item.conversation_id));
    state.queue = items;
    state.queueSeen = new Set(items.map((item) => item.conversation_id));
    const list = $('queue-list');
    const keep = new Map();
    items.forEach((item, index) => {
      let li = state.queueEls.get(item.conversation_id);
      if (li) updateQueueItem(li, item); else li = buildQueueItem(item);
      keep.set(item.conversation_id, li);
      if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
    });
    for (const [cid, li] of state.queueEls) {
      if (!keep.has(cid)) {
        if (li.contains(document.activeElement)) $('queue-heading').focus();
        li.remove();
      }
    }
    state.queueEls = keep;
    $('queue-empty').hidden = items.length > 0;
    const urgent = items.filter((item) => item.priority === 'urgent').length;
    $('queue-count').textContent = `(${items.length} waiting${urgent ? `, ${urgent} urgent` : ''})`;
    const badge = $('queue-badge');
    badge.hidden = items.length === 0;
    badge.classList.toggle('has-urgent', urgent > 0);
    $('queue-badge-count').textContent = String(items.length);
    $('queue-badge-label').textContent = urgent ? `waiting, ${urgent} urgent` : 'waiting';
    updateTitle();
    if (!quiet && fresh.length) {
      const first = fresh[0];
      const what = fresh.length === 1 ?
        `New chat in the queue: ${reasonText(first.reason)}, ${priorityText(first.priority)} priority.` :
        `${fresh.length} new chats in the queue.`;
      announce(`${what} ${items.length} waiting.`);
      beep(fresh.some((item) => item.priority === 'urgent'));
      for (const item of fresh) {
        const li = keep.get(item.conversation_id);
        if (li) {
          li.classList.add('is-new');
          setTimeout(() => li.classList.remove('is-new'), 4000);
        }
      }
    } else if (quiet && items.length) {
      announce(`${items.length} ${items.length === 1 ? 'chat' : 'chats'} waiting in the queue.`);
    }
  }

  function reasonText(reason) {
    return REASONS[reason] || 'Chat';
  }

  function priorityText(priority) {
    return PRIORITIES[priority] || 'Normal';
  }

  function routeText(summary) {
    if (!summary || !summary.route) return '';
    const confidence = typeof summary.confidence === 'number' ? ` · ${Math.round(summary.confidence * 100)}%` : '';
    return `${summary.route}${confidence}`;
  }

  function pageText(page) {
    if (!page) return '';
    try {
      const url = new URL(page);
      const path = url.pathname === '/' ? '' : url.pathname;
      return `${url.host}${path}`;
    } catch (err) {
      return page;
    }
  }

  function priorityPill(priority) {
    const p = PRIORITIES[priority] ? priority : 'normal';
    return el('span', { class: `pill pill-${p}` }, el('span', { class: 'visually-hidden', text: 'Priority: ' }), priorityText(p));
  }

  function detailsList(details) {
    const entries = Object.entries(details || {}).filter(([, v]) => v !== null && v !== undefined && v !== '');
    if (!entries.length) return null;
    const dl = el('dl', { class: 'kv' });
    for (const [key, value] of entries) {
      const label = key.replace(/_/g, ' ');
      dl.append(el('dt', { text: label.charAt(0).toUpperCase() + label.slice(1) }), el('dd', { text: String(value) }));
    }
    return dl;
  }

  /** A button press reaches the summary as its intent ("/handoff"): say so in words. */
  function turnText(text) {
    const intent = /^\/([a-z0-9_]+)(\{.*\})?$/i.exec(String(text || '').trim());
    return intent ? `(chose a button: ${intent[1].replace(/_/g, ' ')})` : text;
  }

  function turnsList(turns) {
    const ol = el('ol', { class: 'turns' });
    for (const turn of turns || []) {
      const who = turn.from === 'bot' ? 'Bot' : 'Resident';
      ol.append(el('li', { class: `turn turn-${turn.from === 'bot' ? 'bot' : 'resident'}` },
        el('span', { class: 'turn-who', text: who }),
        turn.from === 'bot' ? el('div', { class: 'turn-text' }, markdown(turn.text)) : el('div', { class: 'turn-text' }, plain(turnText(turn.text)))));
    }
    return ol;
  }

  function buildQueueItem(item) {
    const li = el('li', { class: 'q-item' });
    li.dataset.cid = item.conversation_id;
    updateQueueItem(li, item);
    return li;
  }

  function updateQueueItem(li, item) {
    const summary = item.summary || null;
    const key = JSON.stringify([item.reason, item.priority, item.page, summary, item.queued_at, item.position, item.cases]);
    const claiming = state.claiming.has(item.conversation_id);
    if (li.dataset.key === key && li.dataset.claiming === String(claiming)) {
      return;
    }
    // Keep the "conversation so far" disclosure open or closed as the advisor left it.
    const wasOpen = li.querySelector('details') ? li.querySelector('details').open : false;
    const hadFocus = li.contains(document.activeElement) ? document.activeElement.dataset.role : null;
    li.dataset.key = key;
    li.dataset.claiming = String(claiming);
    clear(li);
    li.className = `q-item q-${PRIORITIES[item.priority] ? item.priority : 'normal'}`;
    const headingId = `q-h-${item.conversation_id}`;
    const since = item.queued_at || item.created_at;
    const head = el('div', { class: 'q-head' },
      priorityPill(item.priority),
      el('span', { class: 'q-wait' }, el('span', { class: 'q-wait-label', text: 'Waiting ' }),
        el('span', { class: 'wait-time', 'data-since': since, text: duration(since) })));
    li.append(head, el('h3', { id: headingId, class: 'q-reason', text: reasonText(item.reason) }));
    const meta = el('dl', { class: 'q-meta' });
    if (item.position) meta.append(el('dt', { text: 'Position' }), el('dd', { text: String(item.position) }));
    if (item.page) meta.append(el('dt', { text: 'Page' }), el('dd', { class: 'q-page', title: item.page, text: pageText(item.page) }));
    if (summary && summary.route) meta.append(el('dt', { text: 'Bot route' }), el('dd', { class: 'mono', text: routeText(summary) }));
    if (meta.children.length) li.append(meta);
    const details = summary && detailsList(summary.details);
    if (details) li.append(el('p', { class: 'q-sub', text: 'Details given' }), details);
    const turns = (summary && summary.last_turns) || [];
    if (turns.length) {
      const lastResident = [...turns].reverse().find((turn) => turn.from === 'resident' && !/^\//.test(turn.text.trim()));
      if (lastResident) li.append(el('p', { class: 'q-quote' }, el('span', { class: 'visually-hidden', text: 'Resident said: ' }), `“${lastResident.text}”`));
      const disclosure = el('details', { class: 'q-turns' },
        el('summary', { text: `Bot conversation so far (${turns.length} ${turns.length === 1 ? 'message' : 'messages'})` }),
        turnsList(turns));
      disclosure.open = wasOpen;
      li.append(disclosure);
    } else if (!summary) {
      li.append(el('p', { class: 'q-sub', text: 'The resident asked for a person before the bot could help.' }));
    }
    const button = el('button', {
      type: 'button', class: 'btn btn-primary btn-claim', 'data-role': 'claim',
      'aria-describedby': headingId,
      onclick: () => claim(item.conversation_id),
    }, claiming ? 'Claiming…' : 'Claim');
    if (claiming) button.setAttribute('aria-disabled', 'true');
    li.append(el('div', { class: 'q-actions' }, button));
    if (hadFocus === 'claim') button.focus();
  }

  function claim(cid) {
    if (state.claiming.has(cid)) return;
    if (!send({ type: 'claim', conversation_id: cid })) {
      queueNotice('You are offline, so the chat was not claimed. Wait for the console to reconnect.');
      return;
    }
    state.claiming.add(cid);
    const li = state.queueEls.get(cid);
    const item = state.queue.find((q) => q.conversation_id === cid);
    if (li && item) updateQueueItem(li, item);
    setTimeout(() => {
      if (state.claiming.delete(cid)) {
        const stillLi = state.queueEls.get(cid);
        const stillItem = state.queue.find((q) => q.conversation_id === cid);
        if (stillLi && stillItem) updateQueueItem(stillLi, stillItem);
      }
    }, 10000);
  }

  let queueNoticeTimer = 0;
  function queueNotice(text) {
    const box = $('queue-notice');
    box.textContent = text;
    box.classList.toggle('is-shown', Boolean(text));
    clearTimeout(queueNoticeTimer);
    if (text) queueNoticeTimer = setTimeout(() => queueNotice(''), 10000);
  }

  // Supervisors: read any chat by its id (the relay checks the role and records the read).
  const CONVERSATION_ID = /^c_[A-Za-z0-9_-]{22}$/;

  function onOpenById(event) {
    event.preventDefault();
    const cid = $('open-cid').value.trim();
    if (!CONVERSATION_ID.test(cid)) {
      openNotice('A chat id is “c_” and 22 letters, digits, dashes or underscores.');
      $('open-cid').focus();
      return;
    }
    if (state.chats.has(cid)) { openNotice(''); activate(cid, true); return; }
    state.opening.add(cid);
    if (!send({ type: 'open', conversation_id: cid, last_seen: '0-0' })) {
      state.opening.delete(cid);
      openNotice('You are offline. Wait for the console to reconnect.');
      return;
    }
    openNotice('Opening…');
  }

  function openNotice(text) {
    $('open-notice').textContent = text;
  }

  function tickWaits() {
    document.querySelectorAll('.wait-time[data-since]').forEach((node) => {
      const text = duration(node.dataset.since);
      if (node.textContent !== text) node.textContent = text;
    });
  }

  // ---------------------------------------------------------------------------
  // Chats and tabs

  function onChats(items, fromWelcome) {
    const live = new Set(items.map((item) => item.conversation_id));
    for (const item of items) {
      const cid = item.conversation_id;
      let chat = state.chats.get(cid);
      if (!chat) {
        chat = createChat(item);
        if (!state.claiming.has(cid)) openConversation(chat);
        if (!state.active) activate(cid, false);
        if (!fromWelcome && !state.claiming.has(cid)) {
          announce(`A chat was passed to you: ${reasonText(item.reason)}.`);
          beep(item.priority === 'urgent');
          if (state.active !== cid) { chat.unread += 1; renderTab(chat); updateTitle(); }
        }
      } else {
        chat.summary = item;
        if (chat.reading) setReading(chat, false);
        if (chat.ended) {
          revive(chat);
          if (!state.claiming.has(cid)) openConversation(chat);
        } else if (fromWelcome) {
          openConversation(chat); // after a reconnect: only the gap
        }
        renderTab(chat);
        renderChatHead(chat);
      }
    }
    for (const chat of state.chats.values()) {
      if (!live.has(chat.cid) && !chat.ended && !chat.reading) endChat(chat);
    }
    updateCounts();
    if (state.active) renderSide();
  }

  function onConversation(summary, frame) {
    if (!summary) return;
    const cid = summary.conversation_id;
    let chat = state.chats.get(cid);
    const claimed = state.claiming.delete(cid);
    const asked = state.opening.delete(cid);
    if (!chat && (claimed || asked || summary.advisor === (state.advisor && state.advisor.username))) {
      chat = createChat(summary);
    }
    if (!chat) return;
    chat.summary = summary;
    // A chat shown read only (a supervisor reading it) has no composer and no actions.
    if (frame && frame.access === 'read_only' && (asked || chat.reading) && !chat.ended) {
      setReading(chat, true, Boolean(frame.may_note));
      if (asked) {
        openNotice('');
        activate(cid, true);
        announce(`Reading chat #${shortId(cid)}, read only.`);
      }
    }
    if (chat.ended && summary.mode === 'advisor' && summary.advisor === state.advisor.username) revive(chat);
    renderTab(chat);
    renderChatHead(chat);
    if (claimed) {
      queueNotice('');
      activate(cid, true);
      announce(`You have claimed the chat: ${reasonText(summary.reason)}.`);
    }
    if (state.active === cid) renderSide();
    updateCounts();
  }

  function openConversation(chat) {
    // From the start it is history; after a reconnect the gap is news (and counts as unread).
    if (!chat.lastId) {
      chat.replaying = true;
      kickReplay(chat);
    }
    send({ type: 'open', conversation_id: chat.cid, last_seen: chat.lastId || '0-0' });
  }

  /** History arrives in one burst: it is done when nothing has come for a moment. */
  function kickReplay(chat) {
    clearTimeout(chat.replayTimer);
    chat.log.setAttribute('aria-busy', 'true');
    chat.replayTimer = setTimeout(() => {
      chat.replaying = false;
      chat.log.setAttribute('aria-busy', 'false');
      scrollToEnd(chat, true);
    }, 400);
  }

  function createChat(summary) {
    const cid = summary.conversation_id;
    const chat = {
      cid,
      summary,
      shown: new Set(),
      lastId: '',
      pending: new Map(), // client_id -> {frame, li, failed}
      unread: 0,
      ended: false,
      endedText: '',
      lastAction: '',
      lastStatus: null,
      replaying: true,
      replayTimer: 0,
      noteMode: false,
      typingSentAt: 0,
      typingActive: false,
      typingIdleTimer: 0,
      residentTypingTimer: 0,
      mentioned: new Set(),
      caseResult: null,
      guideKey: null, // what the "What to do" box shows now
    };
    buildChatDom(chat);
    kickReplay(chat);
    state.chats.set(cid, chat);
    state.order.push(cid);
    renderTab(chat);
    updateCounts();
    return chat;
  }

  function buildChatDom(chat) {
    const cid = chat.cid;
    const tabId = `tab-${cid}`;
    const panelId = `panel-${cid}`;
    chat.tab = el('button', {
      type: 'button', role: 'tab', id: tabId, class: 'tab', 'aria-selected': 'false', 'aria-controls': panelId, tabindex: '-1',
      onclick: () => activate(cid, false),
    });
    chat.tab.addEventListener('keydown', onTabKey);
    $('tablist').append(chat.tab);

    chat.heading = el('h2', { class: 'chat-title', id: `title-${cid}`, tabindex: '-1' });
    chat.meta = el('p', { class: 'chat-meta' });
    chat.endedBox = el('div', { class: 'ended-box', hidden: true });
    chat.readingBox = el('div', { class: 'ended-box reading-box', hidden: true },
      el('p', {}, el('strong', { text: 'Read only.' }),
        ' You are reading this chat as a supervisor; this is recorded. Its advisor writes to the resident.'),
      el('button', { type: 'button', class: 'btn', onclick: () => dismissChat(chat) }, 'Stop reading'));
    chat.errorBox = el('div', { class: 'chat-error', role: 'status', 'aria-live': 'polite' });
    // Urgent chats: what to do, read before the conversation. Deliberately not a live region.
    chat.guideBox = el('section', { class: 'guide', 'aria-labelledby': `guide-h-${cid}`, hidden: true });

    // Actions
    chat.transferBtn = el('button', { type: 'button', class: 'btn btn-small', onclick: () => showStep(chat, 'transfer') }, 'Transfer');
    chat.handbackBtn = el('button', { type: 'button', class: 'btn btn-small', onclick: () => showStep(chat, 'handback') }, 'Hand back to bot');
    chat.closeBtn = el('button', { type: 'button', class: 'btn btn-small btn-danger-outline', onclick: () => showStep(chat, 'close') }, 'Close chat');
    chat.transcript = el('a', {
      class: 'btn btn-small btn-link', href: `/api/conversations/${encodeURIComponent(cid)}/transcript`, download: '',
    }, 'Download transcript');
    const actions = el('div', { class: 'chat-actions', role: 'group', 'aria-label': 'Chat actions' },
      chat.transferBtn, chat.handbackBtn, chat.closeBtn, chat.transcript);
    chat.step = el('div', { class: 'chat-step', hidden: true });
    chat.step.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { event.preventDefault(); hideStep(chat, true); }
    });

    // Transcript
    chat.list = el('ol', { class: 'messages' });
    chat.log = el('div', { class: 'log', role: 'log', 'aria-label': 'Conversation', 'aria-busy': 'true', tabindex: '0' }, chat.list);
    chat.typingBox = el('p', { class: 'typing', role: 'status', 'aria-live': 'polite' });

    // Composer
    const textareaId = `text-${cid}`;
    const hintId = `hint-${cid}`;
    chat.modeReply = el('input', { type: 'radio', name: `mode-${cid}`, id: `reply-${cid}`, value: 'reply', checked: true });
    chat.modeNote = el('input', { type: 'radio', name: `mode-${cid}`, id: `note-${cid}`, value: 'note' });
    chat.modeReply.addEventListener('change', () => setNoteMode(chat, false));
    chat.modeNote.addEventListener('change', () => setNoteMode(chat, true));
    const modes = el('fieldset', { class: 'modes' },
      el('legend', { class: 'visually-hidden', text: 'What are you writing?' }),
      el('span', { class: 'mode' }, chat.modeReply, el('label', { for: `reply-${cid}`, text: 'Reply to resident' })),
      el('span', { class: 'mode mode-note' }, chat.modeNote, el('label', { for: `note-${cid}`, text: 'Add private note' })));
    chat.textLabel = el('label', { for: textareaId, class: 'visually-hidden', text: 'Message to the resident' });
    chat.textarea = el('textarea', {
      id: textareaId, rows: '2', maxlength: String(MAX_TEXT), 'aria-describedby': hintId, autocomplete: 'off',
    });
    chat.hint = el('p', { class: 'hint', id: hintId, text: 'Enter sends. Shift + Enter: new line.' });
    chat.counter = el('span', { class: 'counter', 'aria-hidden': 'true' });
    chat.sendBtn = el('button', { type: 'submit', class: 'btn btn-primary btn-send' }, 'Send');
    chat.form = el('form', { class: 'composer', novalidate: true },
      el('div', { class: 'composer-top' }, modes, chat.hint),
      chat.textLabel,
      el('div', { class: 'composer-main' }, chat.textarea, el('div', { class: 'composer-side' }, chat.counter, chat.sendBtn)));
    chat.form.addEventListener('submit', (event) => { event.preventDefault(); submit(chat); });
    chat.textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey && !event.isComposing) {
        event.preventDefault();
        submit(chat);
      }
    });
    chat.textarea.addEventListener('input', () => { onComposerInput(chat); });

    chat.panel = el('section', {
      role: 'tabpanel', id: panelId, class: 'panel', 'aria-labelledby': tabId, hidden: true,
    },
    el('div', { class: 'chat-head' }, el('div', { class: 'chat-head-text' }, chat.heading, chat.meta), actions),
    chat.step, chat.endedBox, chat.readingBox, chat.errorBox, chat.guideBox, chat.log, chat.typingBox, chat.form);
    $('panels').append(chat.panel);
    renderChatHead(chat);
  }

  function chatTitle(chat) {
    const s = chat.summary || {};
    const name = s.summary && s.summary.details && (s.summary.details.name || s.summary.details.full_name);
    return name ? `${name} · ${reasonText(s.reason)}` : reasonText(s.reason);
  }

  function renderTab(chat) {
    const s = chat.summary || {};
    const tab = chat.tab;
    clear(tab);
    tab.className = `tab${s.priority === 'urgent' ? ' tab-urgent' : ''}${chat.ended ? ' tab-ended' : ''}`;
    const index = state.order.indexOf(chat.cid) + 1;
    tab.append(el('span', { class: 'tab-title', title: chatTitle(chat), text: chatTitle(chat) }),
      el('span', { class: 'visually-hidden', text: ', ' }));
    const sub = [`#${shortId(chat.cid)}`];
    if (s.priority && s.priority !== 'normal') sub.unshift(priorityText(s.priority));
    if (chat.ended) sub.push('Ended');
    else if (chat.reading) sub.push('Read only');
    tab.append(el('span', { class: 'tab-sub', text: sub.join(' · ') }));
    if (chat.unread > 0) {
      tab.append(el('span', { class: 'visually-hidden', text: ', ' }), el('span', { class: 'unread' }, String(chat.unread),
        el('span', { class: 'visually-hidden', text: chat.unread === 1 ? ' unread message' : ' unread messages' })));
    }
    if (index > 0 && index < 10) tab.setAttribute('aria-keyshortcuts', `Alt+Shift+${index}`);
  }

  function renderChatHead(chat) {
    const s = chat.summary || {};
    clear(chat.heading);
    chat.heading.append(chatTitle(chat), ' ', priorityPill(s.priority));
    clear(chat.meta);
    const parts = [`Chat #${shortId(chat.cid)}`];
    if (s.page) parts.push(`from ${pageText(s.page)}`);
    if (s.created_at) parts.push(`started ${clock(s.created_at)}`);
    chat.meta.textContent = parts.join(' · ');
    const disabled = chat.ended || chat.reading;
    for (const button of [chat.transferBtn, chat.handbackBtn, chat.closeBtn]) button.disabled = disabled;
    renderGuide(chat);
  }

  /** The relay's "What to do" guide for a chat whose reason is an urgent category. Text
   * only (textContent); paragraphs are split on blank lines. */
  function renderGuide(chat) {
    const reason = (chat.summary || {}).reason;
    const guide = reason && Object.prototype.hasOwnProperty.call(state.guides, reason) &&
      typeof state.guides[reason] === 'string' ? state.guides[reason].trim() : '';
    const key = guide ? `${reason}\n${guide}` : '';
    if (chat.guideKey === key) return;
    chat.guideKey = key;
    clear(chat.guideBox);
    chat.guideBox.hidden = !guide;
    if (!guide) return;
    chat.guideBox.append(el('h3', { id: `guide-h-${chat.cid}`, class: 'guide-title', text: `What to do: ${reasonText(reason)}` }));
    for (const paragraph of guide.split(/\n\s*\n/)) {
      if (paragraph.trim()) chat.guideBox.append(el('p', { class: 'guide-text', text: paragraph.trim() }));
    }
  }

  function onTabKey(event) {
    const tabs = state.order.map((cid) => state.chats.get(cid).tab);
    const at = tabs.indexOf(event.currentTarget);
    let next = -1;
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') next = (at + 1) % tabs.length;
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') next = (at - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    activate(state.order[next], true);
  }

  function activate(cid, focusTab) {
    const chat = state.chats.get(cid);
    if (!chat) return;
    state.active = cid;
    for (const other of state.chats.values()) {
      const on = other.cid === cid;
      other.tab.setAttribute('aria-selected', String(on));
      other.tab.tabIndex = on ? 0 : -1;
      other.panel.hidden = !on;
    }
    $('chats-empty').hidden = true;
    if (chat.unread) { chat.unread = 0; renderTab(chat); }
    if (focusTab) chat.tab.focus();
    scrollToEnd(chat, true);
    renderSide();
    updateTitle();
  }

  function updateCounts() {
    // Chats being read (supervisors) take no place: capacity counts chats one has.
    const open = [...state.chats.values()].filter((chat) => !chat.ended && !chat.reading).length;
    const capacity = state.advisor ? state.advisor.capacity : null;
    $('chats-count').textContent = capacity ? `(${open} of ${capacity})` : `(${open})`;
    $('chats-empty').hidden = state.chats.size > 0;
    $('tablist').hidden = state.chats.size === 0;
    state.order.forEach((cid) => renderTabShortcut(state.chats.get(cid)));
  }

  function renderTabShortcut(chat) {
    const index = state.order.indexOf(chat.cid) + 1;
    if (index > 0 && index < 10) chat.tab.setAttribute('aria-keyshortcuts', `Alt+Shift+${index}`);
    else chat.tab.removeAttribute('aria-keyshortcuts');
  }

  function endChat(chat) {
    const stick = nearEnd(chat);
    const focusHere = chat.lastAction && (chat.panel.contains(document.activeElement) || document.activeElement === document.body);
    chat.ended = true;
    showChatError(chat, '');
    setTyping(chat, false);
    stopOwnTyping(chat);
    const text = endedText(chat);
    hideStep(chat, false);
    clear(chat.endedBox);
    const dismiss = el('button', { type: 'button', class: 'btn', onclick: () => dismissChat(chat) }, 'Remove from my chats');
    chat.endedStrong = el('strong', { text });
    chat.endedBox.append(el('p', {}, chat.endedStrong,
      ' You can still read it here, or download the transcript.'), dismiss);
    chat.endedBox.hidden = false;
    // Notes and messages belong to whoever has the chat now (the relay refuses the rest).
    chat.form.hidden = true;
    chat.modeReply.disabled = true;
    renderChatHead(chat);
    renderTab(chat);
    if (state.active === chat.cid) renderSide();
    if (stick) scrollToEnd(chat);
    // The advisor did this from the panel: keep their place rather than dropping focus on the page.
    if (focusHere && state.active === chat.cid) dismiss.focus();
    announce(`${chatTitle(chat)}: ${text}`);
  }

  function endedText(chat) {
    const status = chat.lastStatus;
    let text;
    if (chat.lastAction === 'close') text = 'You closed this chat.';
    else if (chat.lastAction === 'handback') text = 'You handed this chat back to the bot.';
    else if (chat.lastAction.startsWith('transfer:')) text = `You transferred this chat to ${chat.lastAction.slice(9)}.`;
    else if (status && status.change === 'closed') text = 'The resident ended the chat.';
    else if (status && status.change === 'transferred') text = `This chat was transferred to ${status.advisor || 'another advisor'}.`;
    else if (status && status.change === 'handed_back') text = 'This chat went back to the bot.';
    else text = 'This chat is no longer with you.';
    chat.endedText = text;
    return text;
  }

  function revive(chat) {
    chat.ended = false;
    chat.lastAction = '';
    chat.endedBox.hidden = true;
    chat.form.hidden = false;
    chat.modeReply.disabled = false;
    setNoteMode(chat, false);
    renderChatHead(chat);
    renderTab(chat);
  }

  /** Shown read only (``on``) or the advisor's own again. A reader may add notes only when
   * the relay says so (``may_note``: supervisors). */
  function setReading(chat, on, mayNote) {
    chat.reading = on;
    chat.readingBox.hidden = !on;
    chat.form.hidden = on && !mayNote;
    chat.modeReply.disabled = on;
    setNoteMode(chat, on);
    renderChatHead(chat);
    renderTab(chat);
    updateCounts();
  }

  function dismissChat(chat) {
    const at = state.order.indexOf(chat.cid);
    state.order.splice(at, 1);
    state.chats.delete(chat.cid);
    chat.tab.remove();
    chat.panel.remove();
    clearTimeout(chat.replayTimer);
    clearTimeout(chat.typingIdleTimer);
    clearTimeout(chat.residentTypingTimer);
    if (state.active === chat.cid) {
      state.active = null;
      const next = state.order[Math.min(at, state.order.length - 1)];
      if (next) activate(next, true);
      else { renderSide(); $('chats-heading').focus(); }
    }
    updateCounts();
    updateTitle();
  }

  // ---------------------------------------------------------------------------
  // Events in a conversation

  function onEvent(frame) {
    const chat = state.chats.get(frame.conversation_id);
    if (!chat || !frame.id) return;
    if (chat.replaying) kickReplay(chat);
    // The matching pending message (ours) becomes the real one.
    const pending = frame.client_id ? chat.pending.get(frame.client_id) : null;
    if (chat.shown.has(frame.id)) return;
    chat.shown.add(frame.id);
    if (!chat.lastId || compareIds(frame.id, chat.lastId) > 0) chat.lastId = frame.id;
    const stick = nearEnd(chat);
    const li = renderEvent(chat, frame);
    if (pending) {
      pending.li.replaceWith(li);
      chat.pending.delete(frame.client_id);
    } else {
      insertInOrder(chat, li, frame.id);
    }
    if (frame.type === 'status') {
      chat.lastStatus = frame;
      if (chat.summary) chat.summary.mode = frame.mode;
      // The status can come just after the chats list that ended the chat: say what happened.
      if (chat.ended && chat.endedStrong && !chat.lastAction && !chat.replaying) {
        chat.endedStrong.textContent = endedText(chat);
        if (state.active === chat.cid) renderSide();
      }
    }
    if (frame.type === 'message' && frame.from === 'resident') setTyping(chat, false);
    noteCaseRefs(chat, frame.text);
    const mine = frame.type === 'note' || frame.from === 'advisor';
    if (!chat.replaying && !mine && !chat.ended && (state.active !== chat.cid || document.hidden)) {
      chat.unread += 1;
      renderTab(chat);
      updateTitle();
    }
    if (stick || mine) scrollToEnd(chat, chat.replaying);
  }

  function insertInOrder(chat, li, id) {
    // Events normally arrive in order; after a reconnect a late one still lands in its place.
    const items = chat.list.children;
    for (let i = items.length - 1; i >= 0; i -= 1) {
      const other = items[i].dataset.id;
      if (other && compareIds(other, id) < 0) {
        items[i].after(li);
        return;
      }
      if (other) continue;
    }
    const firstWithId = [...items].find((item) => item.dataset.id);
    if (firstWithId) chat.list.insertBefore(li, firstWithId);
    else chat.list.insertBefore(li, chat.list.querySelector('.is-pending') || null);
  }

  function renderEvent(chat, frame) {
    const time = clock(frame.at);
    const timeEl = el('time', { datetime: frame.at || '', text: time });
    let li;
    if (frame.type === 'status') {
      li = el('li', { class: 'ev ev-status' }, el('p', {},
        el('span', { class: 'visually-hidden', text: 'Status: ' }), frame.text, ' ', el('span', { class: 'ev-time' }, timeEl)));
    } else if (frame.type === 'note') {
      li = el('li', { class: 'ev ev-note' },
        el('p', { class: 'ev-meta' }, el('strong', { text: 'Private note — resident cannot see this' }),
          ` · ${frame.author || 'Advisor'} · `, timeEl),
        el('div', { class: 'ev-body' }, plain(frame.text)));
    } else {
      const from = SPEAKERS[frame.from] ? frame.from : 'system';
      let who = SPEAKERS[from];
      if (from === 'advisor') {
        const mine = state.advisor && frame.author && state.advisor.name && state.advisor.name.split(' ')[0] === frame.author;
        who = frame.author ? `${frame.author} (advisor${mine ? ', you' : ''})` : 'Advisor';
      }
      const body = el('div', { class: 'ev-body' });
      body.append(from === 'resident' ? plain(frame.text) : markdown(frame.text));
      li = el('li', { class: `ev ev-msg ev-${from}` },
        el('p', { class: 'ev-meta' }, el('strong', { text: who }), ' · ', timeEl), body);
      if (frame.buttons && frame.buttons.length) {
        li.append(el('p', { class: 'ev-buttons' }, 'Buttons offered: ',
          ...frame.buttons.map((button) => el('span', { class: 'chip', text: button.title }))));
      }
    }
    li.dataset.id = frame.id;
    return li;
  }

  function nearEnd(chat) {
    const log = chat.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function scrollToEnd(chat) {
    chat.log.scrollTop = chat.log.scrollHeight;
  }

  function noteCaseRefs(chat, text) {
    if (!text) return;
    const found = String(text).match(CASE_REF) || [];
    let added = false;
    for (const ref of found) {
      if (!chat.mentioned.has(ref)) { chat.mentioned.add(ref); added = true; }
    }
    if (added && state.active === chat.cid) renderCaseRefs(chat);
  }

  // Typing ---------------------------------------------------------------------

  function onTyping(frame) {
    const chat = state.chats.get(frame.conversation_id);
    if (!chat || frame.from !== 'resident') return;
    setTyping(chat, frame.active);
  }

  function setTyping(chat, active) {
    clearTimeout(chat.residentTypingTimer);
    const text = active && !chat.ended ? 'Resident is typing…' : '';
    if (chat.typingBox.textContent !== text) chat.typingBox.textContent = text;
    chat.tab.classList.toggle('tab-typing', Boolean(text));
    // If the "stopped" frame is lost, do not say "typing" for ever.
    if (text) chat.residentTypingTimer = setTimeout(() => setTyping(chat, false), 12000);
  }

  function fitTextarea(box) {
    box.style.height = 'auto';
    box.style.height = `${Math.min(box.scrollHeight + 2, 220)}px`;
  }

  function onComposerInput(chat) {
    fitTextarea(chat.textarea);
    const length = chat.textarea.value.length;
    chat.counter.textContent = length > MAX_TEXT - 200 ? `${length} / ${MAX_TEXT}` : '';
    if (chat.noteMode || chat.ended) return;
    if (!chat.textarea.value.trim()) { stopOwnTyping(chat); return; }
    const now = Date.now();
    // Throttled: at most one "typing" every 4 s, and "stopped" after 3 s without a key.
    if (!chat.typingActive || now - chat.typingSentAt > 4000) {
      if (send({ type: 'typing', conversation_id: chat.cid, active: true })) {
        chat.typingActive = true;
        chat.typingSentAt = now;
      }
    }
    clearTimeout(chat.typingIdleTimer);
    chat.typingIdleTimer = setTimeout(() => stopOwnTyping(chat), 3000);
  }

  function stopOwnTyping(chat) {
    clearTimeout(chat.typingIdleTimer);
    if (chat.typingActive) {
      chat.typingActive = false;
      if (!chat.ended) send({ type: 'typing', conversation_id: chat.cid, active: false });
    }
  }

  // Sending ----------------------------------------------------------------------

  function setNoteMode(chat, on) {
    if ((chat.ended || chat.reading) && !on) return;
    chat.noteMode = on;
    chat.modeNote.checked = on;
    chat.modeReply.checked = !on;
    chat.form.classList.toggle('is-note', on);
    chat.textLabel.textContent = on ? 'Private note (only advisors see it)' : 'Message to the resident';
    chat.sendBtn.textContent = on ? 'Add note' : 'Send';
    chat.hint.textContent = on ?
      'Only advisors see notes. Enter adds it.' :
      'Enter sends. Shift + Enter: new line.';
    if (on) stopOwnTyping(chat);
  }

  function submit(chat) {
    const text = chat.textarea.value.trim();
    if (!text) {
      showChatError(chat, chat.noteMode ? 'Write the note first.' : 'Write a message first.');
      chat.textarea.focus();
      return;
    }
    if (text.length > MAX_TEXT) {
      showChatError(chat, `That is too long. Keep it under ${MAX_TEXT} characters.`);
      return;
    }
    const asNote = chat.noteMode;
    if (!asNote && chat.ended) return;
    const clientId = newId(asNote ? 'n' : 'a');
    const frame = asNote ?
      { type: 'note', conversation_id: chat.cid, client_id: clientId, text } :
      { type: 'message', conversation_id: chat.cid, client_id: clientId, text };
    if (!asNote) stopOwnTyping(chat);
    const li = renderPending(chat, frame);
    chat.pending.set(clientId, { frame, li, failed: false });
    chat.list.append(li);
    scrollToEnd(chat);
    chat.textarea.value = '';
    fitTextarea(chat.textarea);
    chat.counter.textContent = '';
    showChatError(chat, '');
    if (!send(frame)) {
      setPendingState(chat, clientId, 'Waiting for the connection… it will be sent when the console reconnects.');
    }
  }

  function renderPending(chat, frame) {
    const isNote = frame.type === 'note';
    const status = el('span', { class: 'ev-pending-text', text: 'Sending…' });
    const body = el('div', { class: 'ev-body' }, isNote ? plain(frame.text) : markdown(frame.text));
    const li = el('li', { class: `ev ${isNote ? 'ev-note' : 'ev-msg ev-advisor'} is-pending` },
      el('p', { class: 'ev-meta' },
        el('strong', { text: isNote ? 'Private note — resident cannot see this' : 'You (advisor)' }), ' · ', status),
      body);
    li.dataset.client = frame.client_id;
    return li;
  }

  function setPendingState(chat, clientId, text, failed) {
    const pending = chat.pending.get(clientId);
    if (!pending) return;
    pending.failed = Boolean(failed);
    const li = pending.li;
    li.classList.toggle('is-failed', Boolean(failed));
    const statusEl = li.querySelector('.ev-pending-text');
    if (statusEl) statusEl.textContent = text;
    const old = li.querySelector('.retry');
    if (old) old.remove();
    if (failed) {
      li.append(el('p', { class: 'retry' },
        el('button', { type: 'button', class: 'btn btn-small', onclick: () => retryPending(chat, clientId) }, 'Try again'),
        ' ',
        el('button', { type: 'button', class: 'btn btn-small btn-link', onclick: () => discardPending(chat, clientId) }, 'Remove')));
    }
  }

  function retryPending(chat, clientId) {
    const pending = chat.pending.get(clientId);
    if (!pending) return;
    setPendingState(chat, clientId, 'Sending…', false);
    if (!send(pending.frame)) setPendingState(chat, clientId, 'Waiting for the connection…', false);
    chat.textarea.focus();
  }

  function discardPending(chat, clientId) {
    const pending = chat.pending.get(clientId);
    if (!pending) return;
    // Put the text back so nothing the advisor wrote is lost.
    if (!chat.textarea.value.trim()) chat.textarea.value = pending.frame.text;
    pending.li.remove();
    chat.pending.delete(clientId);
    chat.textarea.focus();
  }

  function onAck(frame) {
    const chat = state.chats.get(frame.conversation_id);
    if (!chat) return;
    const pending = chat.pending.get(frame.client_id);
    if (!pending || !frame.id) return;
    if (chat.shown.has(frame.id)) {
      pending.li.remove();
      chat.pending.delete(frame.client_id);
      return;
    }
    // The event itself may not come (a note after the chat left us): show it from the ack.
    const event = pending.frame.type === 'note' ?
      { type: 'note', conversation_id: chat.cid, id: frame.id, at: new Date().toISOString(), author: (state.advisor && state.advisor.name) || 'You', text: pending.frame.text, client_id: frame.client_id } :
      { type: 'message', conversation_id: chat.cid, id: frame.id, at: new Date().toISOString(), from: 'advisor', author: state.advisor ? state.advisor.name.split(' ')[0] : '', text: pending.frame.text, client_id: frame.client_id };
    onEvent(event);
  }

  // Actions: transfer, hand back, close ------------------------------------------

  function showStep(chat, which) {
    hideStep(chat, false);
    const step = chat.step;
    clear(step);
    step.hidden = false;
    step.dataset.which = which;
    if (which === 'transfer') {
      const inputId = `transfer-${chat.cid}`;
      const hintId = `transfer-hint-${chat.cid}`;
      const input = el('input', {
        id: inputId, type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', 'aria-describedby': hintId,
      });
      const form = el('form', { class: 'step-form', novalidate: true },
        el('h3', { text: 'Transfer this chat' }),
        el('label', { for: inputId, text: 'Colleague’s username' }),
        el('p', { class: 'hint', id: hintId, text: 'For example: priya. They must be Available and have room for another chat.' }),
        el('div', { class: 'inline-field' }, input,
          el('button', { type: 'submit', class: 'btn btn-primary' }, 'Transfer'),
          el('button', { type: 'button', class: 'btn', onclick: () => hideStep(chat, true) }, 'Cancel')));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const to = input.value.trim().toLowerCase();
        if (!USERNAME.test(to)) {
          input.setAttribute('aria-invalid', 'true');
          showChatError(chat, 'Enter a username: 2 to 40 lowercase letters, numbers, dots, dashes or underscores.');
          input.focus();
          return;
        }
        if (state.advisor && to === state.advisor.username) {
          showChatError(chat, 'That is you. Enter a colleague’s username.');
          input.focus();
          return;
        }
        input.removeAttribute('aria-invalid');
        chat.lastAction = `transfer:${to}`;
        if (send({ type: 'transfer', conversation_id: chat.cid, to })) {
          showChatError(chat, `Transferring to ${to}…`, true);
        } else {
          showChatError(chat, 'You are offline. Try again when the console has reconnected.');
        }
      });
      step.append(form);
      input.focus();
    } else {
      const isClose = which === 'close';
      const question = isClose ?
        'Close this chat? The resident is told the chat has ended and can rate it.' :
        'Hand this chat back to the bot? The resident carries on with the bot, which will know what you said.';
      const yes = el('button', {
        type: 'button', class: `btn ${isClose ? 'btn-danger' : 'btn-primary'}`,
        onclick: () => {
          chat.lastAction = which;
          if (send({ type: which, conversation_id: chat.cid })) {
            hideStep(chat, false);
            chat.heading.focus();
            showChatError(chat, isClose ? 'Closing…' : 'Handing back…', true);
          } else {
            showChatError(chat, 'You are offline. Try again when the console has reconnected.');
          }
        },
      }, isClose ? 'Yes, close chat' : 'Yes, hand back');
      step.append(el('div', { class: 'step-confirm', role: 'group', 'aria-label': isClose ? 'Confirm closing' : 'Confirm hand back' },
        el('p', { text: question }), yes,
        el('button', { type: 'button', class: 'btn', onclick: () => hideStep(chat, true) }, 'Cancel')));
      yes.focus();
    }
  }

  function hideStep(chat, restoreFocus) {
    const which = chat.step.dataset.which;
    chat.step.hidden = true;
    clear(chat.step);
    delete chat.step.dataset.which;
    if (restoreFocus && which) {
      const back = { transfer: chat.transferBtn, handback: chat.handbackBtn, close: chat.closeBtn }[which];
      if (back && !back.disabled) back.focus(); else chat.textarea.focus();
    }
  }

  function showChatError(chat, text, isInfo) {
    chat.errorBox.textContent = text || '';
    chat.errorBox.classList.toggle('is-shown', Boolean(text));
    chat.errorBox.classList.toggle('is-info', Boolean(isInfo));
  }

  // Errors from the relay --------------------------------------------------------

  function errorText(frame) {
    if (frame.code === 'at_capacity') {
      const capacity = state.advisor ? state.advisor.capacity : null;
      return capacity ? `You already have ${capacity} ${capacity === 1 ? 'chat' : 'chats'}, your limit. Close or hand one back first.` : frame.message;
    }
    if (frame.code === 'rate_limited') {
      return `Sending too quickly. Trying again in ${Math.ceil(frame.retry_after || 2)} s.`;
    }
    return ERROR_TEXT[frame.code] || frame.message || 'That did not work.';
  }

  function onError(frame) {
    const cid = frame.conversation_id;
    const chat = cid ? state.chats.get(cid) : null;
    const text = errorText(frame);
    if (chat && frame.client_id && chat.pending.has(frame.client_id)) {
      if (frame.code === 'rate_limited' || frame.code === 'unavailable') {
        const wait = Math.max(1, frame.retry_after || 3) * 1000;
        setPendingState(chat, frame.client_id, `${text}`, false);
        setTimeout(() => retryPending(chat, frame.client_id), wait);
      } else {
        setPendingState(chat, frame.client_id, `Not sent: ${text}`, true);
      }
      return;
    }
    if (cid && state.opening.delete(cid)) {
      openNotice(text);
      return;
    }
    if (cid && state.claiming.has(cid)) {
      state.claiming.delete(cid);
      queueNotice(text);
      const li = state.queueEls.get(cid);
      const item = state.queue.find((q) => q.conversation_id === cid);
      if (li && item) updateQueueItem(li, item);
      return;
    }
    if (chat) {
      if (frame.code === 'rate_limited') return; // a typing frame: harmless
      if (chat.lastAction.startsWith('transfer:')) chat.lastAction = '';
      if (chat.lastAction === 'close' || chat.lastAction === 'handback') chat.lastAction = '';
      showChatError(chat, text);
      return;
    }
    if (cid) {
      queueNotice(text);
      return;
    }
    if (frame.code === 'rate_limited') return;
    flashGlobal(text);
  }

  function flashGlobal(text) {
    queueNotice(text);
    announce(text);
  }

  // ---------------------------------------------------------------------------
  // Side panel: summary, cases, canned answers

  function renderSide() {
    const chat = state.active ? state.chats.get(state.active) : null;
    const box = $('side-details');
    clear(box);
    $('side-empty').hidden = Boolean(chat);
    if (!chat) {
      clear($('chat-photos'));
      clear($('case-refs'));
      clear($('case-result'));
      return;
    }
    const s = chat.summary || {};
    const summary = s.summary || null;
    const section = el('section', { class: 'side-section', 'aria-labelledby': 'summary-heading' },
      el('h3', { id: 'summary-heading', text: `Bot’s summary: ${chatTitle(chat)}` }));
    const dl = el('dl', { class: 'kv' });
    dl.append(el('dt', { text: 'Reason' }), el('dd', { text: reasonText(s.reason) }));
    dl.append(el('dt', { text: 'Priority' }), el('dd', {}, priorityPill(s.priority)));
    if (summary && summary.route) dl.append(el('dt', { text: 'Bot route' }), el('dd', { class: 'mono', text: routeText(summary) }));
    if (s.page) {
      const href = safeHref(s.page);
      dl.append(el('dt', { text: 'Page' }), el('dd', {}, href && /^https?:/.test(href) ?
        el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: pageText(s.page) }) : pageText(s.page)));
    }
    if (s.created_at) dl.append(el('dt', { text: 'Started' }), el('dd', { text: dateTime(s.created_at) }));
    if (s.queued_at) dl.append(el('dt', { text: 'Queued' }), el('dd', { text: dateTime(s.queued_at) }));
    section.append(dl);
    const details = summary && detailsList(summary.details);
    section.append(el('h4', { text: 'Details the resident gave' }),
      details || el('p', { class: 'muted', text: 'None collected by the bot.' }));
    if (chat.ended) section.append(el('p', { class: 'muted', text: chat.endedText }));
    box.append(section);
    renderCaseRefs(chat);
    renderCaseResult(chat);
    renderPhotos($('chat-photos'), chat.cid, () => state.active === chat.cid);
  }

  function chatCaseRefs(chat) {
    const s = chat.summary || {};
    const refs = new Map();
    for (const ref of s.cases || []) refs.set(ref, 'created in this chat');
    for (const ref of chat.mentioned) if (!refs.has(ref)) refs.set(ref, 'mentioned in the chat');
    return refs;
  }

  function renderCaseRefs(chat) {
    const list = $('case-refs');
    clear(list);
    const refs = chatCaseRefs(chat);
    if (!refs.size) {
      list.append(el('li', { class: 'muted', text: 'No cases in this chat yet.' }));
      return;
    }
    for (const [ref, how] of refs) {
      list.append(el('li', { class: 'case-ref' },
        el('span', {}, el('span', { class: 'mono', text: ref }), el('span', { class: 'muted', text: ` (${how})` })),
        el('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Check status of ${ref}`, onclick: () => lookupCase(ref, chat) }, 'Check status')));
    }
  }

  async function lookupCase(ref, chat) {
    const target = chat || (state.active ? state.chats.get(state.active) : null);
    const box = $('case-result');
    clear(box);
    box.append(el('p', { class: 'muted', text: `Looking up ${ref}…` }));
    const result = await api('GET', `/api/advisor/cases/${encodeURIComponent(ref)}`);
    let view;
    if (result.ok && result.data) view = { ref, data: result.data };
    else if (missingEndpoint(result)) view = { ref, error: 'Case look-up is not available yet. Check the case in the back office.' };
    else if (result.status === 404) view = { ref, error: `There is no case ${ref}.` };
    else view = { ref, error: (result.error && result.error.message) || 'The case could not be looked up.' };
    if (target) target.caseResult = view;
    if (!target || state.active === target.cid) showCase(view);
  }

  function renderCaseResult(chat) {
    if (chat.caseResult) showCase(chat.caseResult); else clear($('case-result'));
  }

  function showCase(view, message) {
    const box = $('case-result');
    clear(box);
    if (view.error) {
      box.append(el('p', { class: 'error-text', text: view.error }));
      return;
    }
    const c = view.data;
    const ref = c.service_request_id || view.ref;
    const card = el('div', { class: 'case-card' },
      el('h4', {}, 'Case ', el('span', { class: 'mono', text: ref })));
    if (message) card.append(el('p', { class: 'success-text', text: message }));
    const dl = el('dl', { class: 'kv' });
    const add = (label, value) => { if (value) dl.append(el('dt', { text: label }), el('dd', { text: String(value) })); };
    add('Service', c.service_name);
    dl.append(el('dt', { text: 'Status' }), el('dd', {},
      el('span', { class: `status-pill status-${String(c.status || '').toLowerCase()}`, text: EXTENDED_STATUS[c.extended_status] || c.extended_status || c.status || 'Unknown' }),
      c.status ? ` (${c.status})` : ''));
    add('Status notes', c.status_notes);
    add('Reported', c.requested_datetime ? dateTime(c.requested_datetime) : '');
    add('Last updated', c.updated_datetime ? dateTime(c.updated_datetime) : '');
    add('Address', c.address);
    if (mapUrl(c.lat, c.long)) {
      dl.append(el('dt', { text: 'Map location' }), el('dd', {}, `${positionText(c.lat, c.long)} `,
        el('a', { href: mapUrl(c.lat, c.long), target: '_blank', rel: 'noopener noreferrer', text: 'Open in OpenStreetMap' })));
    }
    add('Description', c.description);
    card.append(dl);

    const selectId = `case-status-${ref}`;
    const noteId = `case-note-${ref}`;
    const select = el('select', { id: selectId });
    for (const [value, label] of Object.entries(EXTENDED_STATUS)) {
      const option = el('option', { value, text: label });
      if (value === c.extended_status) option.selected = true;
      select.append(option);
    }
    const note = el('textarea', { id: noteId, rows: '2', maxlength: '1000' });
    const formError = el('p', { class: 'error-text', role: 'alert' });
    const submitBtn = el('button', { type: 'submit', class: 'btn btn-primary' }, 'Update status');
    const form = el('form', { class: 'case-update', novalidate: true },
      el('h5', { text: 'Update the status' }),
      el('div', { class: 'field' }, el('label', { for: selectId, text: 'New status' }), select),
      el('div', { class: 'field' }, el('label', { for: noteId, text: 'Note (why, and what happens next)' }), note),
      formError, submitBtn);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      formError.textContent = '';
      if (!note.value.trim()) {
        formError.textContent = 'Add a note saying why the status changed.';
        note.setAttribute('aria-invalid', 'true');
        note.focus();
        return;
      }
      note.removeAttribute('aria-invalid');
      submitBtn.disabled = true;
      submitBtn.textContent = 'Updating…';
      const result = await api('POST', `/api/advisor/cases/${encodeURIComponent(ref)}/status`,
        { extended_status: select.value, note: note.value.trim() });
      submitBtn.disabled = false;
      submitBtn.textContent = 'Update status';
      if (result.ok && result.data) {
        const updated = { ref, data: result.data };
        const chat = state.active ? state.chats.get(state.active) : null;
        if (chat) chat.caseResult = updated;
        const label = EXTENDED_STATUS[result.data.extended_status] || result.data.extended_status;
        showCase(updated, `Status updated to ${label}.`);
        announce(`Case ${ref}: status updated to ${label}.`);
      } else if (missingEndpoint(result)) {
        formError.textContent = 'Updating cases is not available yet.';
      } else {
        formError.textContent = (result.error && result.error.message) || 'The status could not be updated.';
      }
    });
    card.append(form);
    box.append(card);
  }

  function onCaseLookup(event) {
    event.preventDefault();
    const input = $('case-ref');
    const ref = input.value.trim().toUpperCase();
    if (!CASE_REF_ONE.test(ref)) {
      input.setAttribute('aria-invalid', 'true');
      const box = $('case-result');
      clear(box);
      box.append(el('p', { class: 'error-text', text: 'Enter a reference like NB-2026-000123.' }));
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    input.value = ref;
    lookupCase(ref, null);
  }

  // Canned answers --------------------------------------------------------------

  function insertAnswer(answer) {
    const chat = state.active ? state.chats.get(state.active) : null;
    if (!chat || chat.ended) {
      $('answers-status').textContent = 'Open one of your chats first, then insert the answer.';
      return;
    }
    setNoteMode(chat, false);
    const box = chat.textarea;
    const text = String(answer.answer || '');
    box.value = box.value.trim() ? `${box.value.replace(/\s+$/, '')}\n\n${text}` : text;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    onComposerInput(chat);
    announce(`Inserted “${answer.title}” in the message box. Edit it, then press Enter to send.`);
  }

  // ---------------------------------------------------------------------------
  // Presence, sound, title

  function setPresenceUi(status) {
    $('presence').value = status;
    $('presence-dot').className = `presence-dot is-${status}`;
    $('away-banner').hidden = status === 'available';
    $('away-state').textContent = PRESENCE[status];
  }

  function onPresence() {
    const status = $('presence').value;
    state.presence = status;
    setPresenceUi(status);
    send({ type: 'presence', status });
    announce(`Your status is now ${PRESENCE[status]}.`);
  }

  function updateTitle() {
    if (!state.me) return;
    const waiting = state.queue.length;
    let unread = 0;
    for (const chat of state.chats.values()) unread += chat.unread;
    const parts = [];
    if (waiting) parts.push(`(${waiting}) Queue`);
    if (unread) parts.push(`${unread} unread`);
    document.title = parts.length ? `${parts.join(' · ')} — ${TITLE}` : TITLE;
  }

  function resetConsole() {
    for (const chat of state.chats.values()) {
      clearTimeout(chat.replayTimer);
      clearTimeout(chat.typingIdleTimer);
      clearTimeout(chat.residentTypingTimer);
      chat.tab.remove();
      chat.panel.remove();
    }
    state.chats.clear();
    state.order = [];
    state.active = null;
    state.queue = [];
    state.queueSeen = new Set();
    state.queueEls.clear();
    state.claiming.clear();
    state.opening.clear();
    state.everConnected = false;
    state.advisor = null;
    state.guides = {};
    state.presence = 'away';
    clear($('queue-list'));
    clear($('answers-list'));
    $('answers-status').textContent = '';
    $('answers-q').value = '';
    clear($('case-result'));
    clear($('case-refs'));
    $('case-ref').value = '';
    queueNotice('');
    renderSide();
    updateCounts();
  }

  // ---------------------------------------------------------------------------
  // Keyboard shortcuts (Alt + Shift + key; e.code so they work on every layout)

  function onShortcut(event) {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
    if ($('console-view').hidden) return;
    const code = event.code || '';
    const active = state.active ? state.chats.get(state.active) : null;
    if (/^Digit[1-9]$/.test(code)) {
      const cid = state.order[Number(code.slice(5)) - 1];
      if (cid) { event.preventDefault(); activate(cid, true); }
    } else if (code === 'KeyQ') {
      event.preventDefault();
      const first = document.querySelector('#queue-list .btn-claim');
      (first || $('queue-heading')).focus();
    } else if (code === 'KeyM') {
      if (active && !active.form.hidden) { event.preventDefault(); active.textarea.focus(); }
    } else if (code === 'KeyN') {
      if (active && !active.form.hidden) {
        event.preventDefault();
        setNoteMode(active, active.ended || active.reading ? true : !active.noteMode);
        active.textarea.focus();
        announce(active.noteMode ? 'Private note mode. The resident will not see this.' : 'Reply mode. The resident will see this.');
      }
    } else if (code === 'KeyA') {
      event.preventDefault();
      $('answers-q').focus();
    }
  }

  // ---------------------------------------------------------------------------
  // Start

  async function start() {
    $('logout').addEventListener('click', onLogout);
    $('presence').addEventListener('change', onPresence);
    $('reconnect-now').addEventListener('click', () => { state.retries = 0; connect(); });
    $('case-lookup').addEventListener('submit', onCaseLookup);
    $('open-by-id').addEventListener('submit', onOpenById);
    setUpAnswerSearch({ api, markdown, onInsert: insertAnswer });
    $('shortcuts-open').addEventListener('click', () => $('shortcuts').showModal());
    $('sound').addEventListener('change', () => {
      try { localStorage.setItem('frontdesk.sound', $('sound').checked ? '1' : '0'); } catch (err) { /* private mode */ }
      if ($('sound').checked) beep(false); // let the advisor hear it (and unlock audio with this click)
    });
    try { $('sound').checked = localStorage.getItem('frontdesk.sound') === '1'; } catch (err) { /* private mode */ }
    document.addEventListener('keydown', onShortcut);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && state.active) {
        const chat = state.chats.get(state.active);
        if (chat && chat.unread) { chat.unread = 0; renderTab(chat); updateTitle(); }
      }
    });
    setInterval(tickWaits, 10000);

    const result = await api('GET', '/api/advisor/me');
    if (result.ok && hasRole(result.data, 'advisor')) {
      state.me = client.session.me = result.data;
      showConsole();
    } else if (result.status === 401 || result.ok) {
      goToSignIn(); // /staff/ signs in and comes back here, or lists the pages this account opens
    } else {
      showLogin(result.error.message);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}());
