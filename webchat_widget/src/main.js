/*
 * Front Desk web chat widget: one classic <script src=".../widget/widget.js" defer> tag,
 * bundled by esbuild (make widget) from this file, colour.js, transcript.js, durations.js
 * and the shared modules in web_shared/. Speaks the resident side of the handoff relay
 * (contracts/README.md, "Handoff relay"). Message text is never parsed as HTML: every
 * node is built with createElement/textContent.
 */
import { h } from "../../web_shared/dom.js";
import { render as renderMarkdown } from "../../web_shared/markdown.js";
import { compareIds } from "../../web_shared/stream_ids.js";
import { mix, primaryColour } from "./colour.js";
import { plainTranscript } from "./transcript.js";
import { describeDuration } from "./durations.js";
import { icon } from "./icons.js";
import { isLocationButton, locationControl } from "./location.js";
import { createPhotos, PHOTO_PAYLOAD } from "./photos.js";
import { followTarget } from "./follow.js";

(function () {
  "use strict";
  if (window.FrontDesk) return; // embedded twice: keep the first

  const script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  const data = (script && script.dataset) || {};
  const scriptUrl = new URL((script && script.src) || location.href, location.href);
  const RELAY = (data.relay || scriptUrl.origin).replace(/\/+$/, "");
  const WS_URL = RELAY.replace(/^http/i, "ws") + "/ws/resident";
  const COUNCIL = (data.council || "Council").trim();
  const GREETING = data.greeting || "Hello! How can I help you today?";
  const LEFT = (data.position || "").toLowerCase() === "left";
  const minutes = (value, fallback) => {
    const n = parseFloat(value);
    return (isFinite(n) && n > 0 ? n : fallback) * 60000;
  };
  const IDLE_MS = minutes(data.idleMinutes, 10);
  const GRACE_MS = minutes(data.idleGraceMinutes, 2);
  const KEY = "frontdesk:" + RELAY;
  const CONVERSATION = /^c_[A-Za-z0-9_-]{22}$/;
  const TOKEN = /^[A-Za-z0-9_-]{43}$/;

  // ---------------------------------------------------------------- DOM helpers

  const vh = (text) => h("span", { class: "fd-vh" }, text);
  const visible = (el) => !!el && el.getClientRects().length > 0;
  const setHidden = (el, hide) => {
    const hadFocus = hide && el.contains(document.activeElement);
    el.hidden = hide;
    return hadFocus;
  };

  function newId(prefix) {
    const bytes = new Uint8Array(6);
    (window.crypto || {}).getRandomValues ? crypto.getRandomValues(bytes) : bytes.forEach((_, i) => (bytes[i] = Math.random() * 256));
    return prefix + "-" + Date.now().toString(36) + "-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent("frontdesk:" + name, { detail }));
  }

  // ---------------------------------------------------------------- colours

  // ---------------------------------------------------------------- safe Markdown subset

  // The one renderer (web_shared/markdown.js) the console and editor use too.
  const markdown = (text) => renderMarkdown(text, { linkClass: "fd-link", telClass: "fd-tel", listClass: "fd-list-bullets", hiddenClass: "fd-vh" });

  // ---------------------------------------------------------------- state

  const st = {
    cid: null, token: null, lastSeen: "0-0", mode: null, started: false, rated: false,
    shown: new Set(), own: new Set(), outbox: [], pending: new Map(), live: [], advisorName: "",
    limit: 2000, ws: null, ready: false, gen: 0, retryDelay: 500, failures: 0, blocked: false,
    open: false, greeted: false, unread: 0, replaying: false, lastSentCid: null,
    parts: { conn: "", note: "", idle: "", typing: "", queue: "", pending: "" },
  };
  const timers = {};
  const clear = (name) => { clearTimeout(timers[name]); clearInterval(timers[name]); timers[name] = null; };

  const storage = {
    load() {
      try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
    },
    save() {
      if (!st.started) return; // nothing is stored before the resident's first message
      try {
        sessionStorage.setItem(KEY, JSON.stringify({
          conversation_id: st.cid, resume_token: st.token, last_seen: st.lastSeen,
          outbox: st.outbox.map((e) => e.frame), rated: st.rated,
        }));
      } catch (e) { /* storage full or blocked: the chat still works in this page */ }
    },
    clear() {
      try { sessionStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
    },
  };

  // ---------------------------------------------------------------- the interface

  const ids = { panel: "fd-panel", title: "fd-title", input: "fd-input", hint: "fd-hint", inputError: "fd-input-error" };
  const primary = primaryColour(data.primary);

  const root = h("aside", { class: "fd-root " + (LEFT ? "fd-left" : "fd-right"), "aria-label": "Web chat", hidden: true });
  root.style.setProperty("--fd-primary", primary);
  root.style.setProperty("--fd-primary-dark", mix(primary, [0, 0, 0], 0.3));
  root.style.setProperty("--fd-primary-tint", mix(primary, [255, 255, 255], 0.9));

  const badge = h("span", { class: "fd-badge", hidden: true });
  const launcher = h("button", {
    type: "button", class: "fd-launcher", "aria-expanded": "false", "aria-controls": ids.panel,
  }, icon("chat"), h("span", { class: "fd-launcher-text" }, "Chat with us"), badge);

  const title = h("h2", { class: "fd-title", id: ids.title }, COUNCIL + " chat");
  const endButton = h("button", { type: "button", class: "fd-btn fd-btn-header", hidden: true }, "End chat");
  const closeButton = h("button", { type: "button", class: "fd-close" }, icon("close"), vh("Close chat"));
  const header = h("div", { class: "fd-header" }, title, h("div", { class: "fd-header-actions" }, endButton, closeButton));

  const confirmYes = h("button", { type: "button", class: "fd-btn fd-btn-warning" }, "Yes, end chat");
  const confirmNo = h("button", { type: "button", class: "fd-btn fd-btn-secondary" }, "No, carry on");
  const confirmBar = h("div", { class: "fd-confirm", role: "group", "aria-labelledby": "fd-confirm-q", hidden: true },
    h("p", { id: "fd-confirm-q", class: "fd-confirm-q" }, "Do you want to end this chat?"),
    h("div", { class: "fd-button-row" }, confirmYes, confirmNo));

  // The closed-hours note takes one line (the transcript needs the room on small or zoomed
  // screens); "More" shows the rest. Screen readers always get the whole text.
  const noticeText = h("p", { id: "fd-notice-text", class: "fd-notice-text" });
  const noticeMore = h("button", {
    type: "button", class: "fd-btn-link fd-notice-more", "aria-expanded": "false", "aria-controls": "fd-notice-text", hidden: true,
  }, "More");
  const notice = h("div", { class: "fd-notice fd-notice-collapsed", hidden: true }, noticeText, noticeMore);

  const list = h("ol", { class: "fd-messages" });
  const log = h("div", {
    class: "fd-log", role: "log", "aria-relevant": "additions", "aria-label": "Chat messages", tabindex: "0",
  }, list);

  const advisorButton = h("button", { type: "button", class: "fd-btn-link" }, "Talk to an advisor");
  const stopWaitButton = h("button", { type: "button", class: "fd-btn-link", hidden: true }, "Stop waiting");
  const leaveInsteadButton = h("button", { type: "button", class: "fd-btn-link", hidden: true }, "Leave a message instead");
  const toolbar = h("div", { class: "fd-toolbar" }, advisorButton, stopWaitButton, leaveInsteadButton);

  const status = h("div", { class: "fd-status", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  const stillHere = h("button", { type: "button", class: "fd-btn fd-btn-secondary fd-still-here", hidden: true }, "I'm still here");
  const statusBar = h("div", { class: "fd-statusbar" }, status, stillHere);

  const input = h("textarea", {
    id: ids.input, class: "fd-input", rows: "2", autocomplete: "off", "aria-describedby": ids.hint,
  });
  const inputError = h("p", { id: ids.inputError, class: "fd-error", hidden: true });
  const sendButton = h("button", { type: "submit", class: "fd-btn fd-btn-primary fd-send" }, "Send");
  const composer = h("form", { class: "fd-composer", novalidate: true },
    h("label", { for: ids.input, class: "fd-label" }, "Your message"),
    inputError,
    h("div", { class: "fd-compose-row" }, input, sendButton),
    h("p", { id: ids.hint, class: "fd-hint" }, "Enter sends. Shift and Enter starts a new line."));

  const leaveArea = h("div", { class: "fd-section", hidden: true });
  const closedArea = h("div", { class: "fd-section", hidden: true });

  // "Add a photo" while the bot takes a report (photos.js).
  const photos = createPhotos({ relay: RELAY, conversation: () => ({ cid: st.cid, token: st.token }), announce: (t) => note(t), vh });
  const footer = h("div", { class: "fd-footer" }, toolbar, statusBar, leaveArea, closedArea, photos.panel, composer);
  const panel = h("div", {
    class: "fd-panel", id: ids.panel, role: "region", "aria-labelledby": ids.title, hidden: true,
  }, header, confirmBar, notice, log, footer);

  root.append(panel, launcher);

  // ---------------------------------------------------------------- status region

  const STATUS_ORDER = ["conn", "note", "idle", "typing", "queue", "pending"];
  function setPart(name, text) {
    st.parts[name] = text || "";
    const shown = STATUS_ORDER.map((k) => st.parts[k]).find(Boolean) || "";
    if (status.textContent !== shown) status.textContent = shown;
    statusBar.classList.toggle("fd-statusbar-warn", !!st.parts.idle && shown === st.parts.idle);
    statusBar.classList.toggle("fd-statusbar-empty", !shown && stillHere.hidden);
  }
  function note(text, ms) {
    setPart("note", text);
    clear("note");
    if (ms !== 0) timers.note = setTimeout(() => setPart("note", ""), ms || 12000);
  }

  // ---------------------------------------------------------------- closed-hours note

  function expandNotice(expand) {
    noticeMore.setAttribute("aria-expanded", String(expand));
    noticeMore.textContent = expand ? "Less" : "More";
    notice.classList.toggle("fd-notice-collapsed", !expand);
    fitNotice();
  }
  /** "More" only when one line cannot hold the whole note. */
  function fitNotice() {
    if (notice.hidden || panel.hidden || noticeMore.getAttribute("aria-expanded") === "true") return;
    // The room the text would have without the button beside it.
    const room = noticeText.clientWidth + (noticeMore.hidden ? 0
      : noticeMore.getBoundingClientRect().width + (parseFloat(getComputedStyle(notice).columnGap) || 0));
    if (setHidden(noticeMore, noticeText.scrollWidth <= room + 1)) input.focus();
  }
  noticeMore.addEventListener("click", () => expandNotice(noticeMore.getAttribute("aria-expanded") !== "true"));
  if (window.ResizeObserver) new ResizeObserver(fitNotice).observe(notice);

  // ---------------------------------------------------------------- transcript

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }
  // Follow the conversation while the resident is at the end of it, also when the log or
  // what is around it changes size (toolbar, status, forms, the greeting arriving on top);
  // leave them alone once they scroll away. A new turn taller than the log is shown from
  // its first line: residents read an answer from its start, not from its last link.
  let following = true;
  let turnStart = null; // first message of the latest turn not from the resident
  let placed = -1; // the scrollTop we set, so its scroll event is not taken for the resident's
  let logHeight = 0;
  function follow() {
    if (!following || panel.hidden) return;
    const at = (el, side) => el.getBoundingClientRect()[side] - log.getBoundingClientRect().top + log.scrollTop;
    const turn = turnStart && turnStart.isConnected ? turnStart : null;
    // The newest message's buttons ("Use my location", Yes/No) come into view (follow.js).
    const newest = list.lastElementChild;
    const actions = turn && newest && newest.querySelector(".fd-quick:not([hidden])");
    const target = followTarget({
      end: log.scrollHeight - log.clientHeight,
      view: log.clientHeight,
      turnTop: turn ? at(turn, "top") : null,
      actionsTop: actions ? at(actions, "top") : null,
      actionsBottom: actions ? at(actions, "bottom") : null,
    });
    if (Math.abs(log.scrollTop - target) >= 1) {
      log.scrollTop = target;
      placed = log.scrollTop;
    }
  }
  /** Append a row; ``own`` (the resident's message) always shows the end, ``startsTurn`` a new turn's start. */
  function appendRow(li, own, startsTurn) {
    list.append(li);
    if (own) turnStart = null;
    else if (startsTurn) turnStart = li;
    if (own || st.replaying) following = true;
    follow();
  }
  log.addEventListener("scroll", () => {
    // Our own scrolling, or a scroll caused by the log changing size, is not the resident's.
    if (Math.abs(log.scrollTop - placed) < 1 || log.clientHeight !== logHeight) return;
    turnStart = null;
    following = nearBottom();
  }, { passive: true });
  if (window.ResizeObserver) {
    const resized = new ResizeObserver(() => {
      logHeight = log.clientHeight;
      follow();
    });
    resized.observe(log);
    resized.observe(list);
  }

  function senderName(from, author) {
    if (from === "resident") return "You";
    if (from === "bot") return "Assistant";
    if (from === "advisor") return (author || st.advisorName || "Advisor") + (author || st.advisorName ? " (advisor)" : "");
    return COUNCIL;
  }

  // A turn is everything the bot, an advisor or the council says between two of the
  // resident's messages (or status changes); one bot turn can be several messages, each
  // with its own buttons, and all of them stay usable until the conversation moves on.
  let turnOpen = false;

  /** Buttons of older turns are switched off when the conversation moves on. */
  function retireButtons() {
    for (const group of st.live) {
      let hadFocus = false;
      for (const b of group.querySelectorAll("button")) {
        hadFocus = hadFocus || b === document.activeElement;
        b.disabled = true;
      }
      group.hidden = true;
      if (hadFocus) input.focus();
    }
    st.live = [];
  }

  function quickReplies(buttons) {
    const group = h("div", { class: "fd-quick", role: "group", "aria-label": "Suggested replies" });
    for (const b of buttons) {
      if (!b || !b.title || (!b.payload && !b.action)) continue;
      if (isLocationButton(b)) {
        const control = locationControl(b, { id: newId("fd-loc"), note, send: (at) => pressQuick(b, null, group, at) });
        group.append(control);
        continue;
      }
      if (b.payload === PHOTO_PAYLOAD) { photos.offer(); continue; } // the photo panel, not a chip
      const button = h("button", { type: "button", class: "fd-chip" }, b.title);
      button.addEventListener("click", () => pressQuick(b, button, group));
      group.append(button);
    }
    return group.childElementCount ? group : null;
  }

  function pressQuick(b, button, group, location) {
    if (b.action === "leave_message") {
      openLeaveForm(button);
      return;
    }
    // The choice shows as the resident's own message, so the buttons can go.
    for (const other of group.querySelectorAll("button")) other.disabled = true;
    group.hidden = true;
    st.live = st.live.filter((g) => g !== group);
    input.focus();
    if (b.payload) sendMessage(b.title, b.payload, location);
    else sendAction(b.action);
  }

  function addMessage(f, pendingId) {
    const name = senderName(f.from, f.author);
    const li = h("li", { class: "fd-msg fd-from-" + f.from });
    li.append(h("p", { class: "fd-sender" }, name, vh(f.from === "resident" ? " said:" : ":")));
    const bubble = h("div", { class: "fd-bubble" });
    if (f.from === "resident") bubble.append(h("p", { class: "fd-plain" }, f.text));
    else bubble.append(markdown(f.text));
    li.append(bubble);
    let group = null;
    if (Array.isArray(f.buttons) && f.buttons.length) group = quickReplies(f.buttons);
    if (group) li.append(group);
    if (pendingId) {
      const meta = h("p", { class: "fd-meta", "aria-hidden": "true" }, "Sending…");
      li.append(meta);
      st.pending.set(pendingId, { li, meta });
    }
    const own = f.from === "resident";
    if (f.from === "bot") photos.refresh();
    const startsTurn = !own && !turnOpen;
    if (own || startsTurn) retireButtons();
    turnOpen = !own;
    if (group) st.live.push(group);
    appendRow(li, own, startsTurn);
    return li;
  }

  function addEventLine(text, extraClass) {
    const li = h("li", { class: "fd-event " + (extraClass || "") }, h("p", null, text));
    appendRow(li);
    return li;
  }

  function settle(clientId, text) {
    const p = st.pending.get(clientId);
    if (!p) return;
    st.pending.delete(clientId);
    p.meta.remove();
    p.li.classList.add("fd-sent");
    const plain = p.li.querySelector(".fd-plain");
    if (text && plain && plain.textContent !== text) plain.textContent = text;
  }

  function failed(clientId, why) {
    const p = st.pending.get(clientId);
    if (!p) return;
    st.pending.delete(clientId);
    p.meta.textContent = why;
    p.meta.removeAttribute("aria-hidden");
    p.meta.classList.add("fd-meta-error");
  }

  // Beside the greeting: how long the chat is kept and the council's privacy notice, as the
  // relay's welcome says (residents should know before they type anything personal).
  const privacyNote = h("p", { class: "fd-privacy", hidden: true });
  function showPrivacy(privacy) {
    if (!privacy || !privacy.retention_days) return;
    const days = privacy.retention_days;
    const parts = [
      `We keep this chat for ${days} day${days === 1 ? "" : "s"}, then delete it. Please do not type bank card details. `,
    ];
    if (/^https?:\/\//.test(privacy.notice_url || "")) {
      parts.push(h("a", { href: privacy.notice_url, target: "_blank", rel: "noopener" },
        "How we use your information", vh(" (opens in a new tab)")));
    }
    privacyNote.replaceChildren(...parts);
    privacyNote.hidden = false;
  }

  let privacyAsked = false;
  /** Before the first message there is no connection: ask the relay what to say. */
  async function askPrivacy() {
    if (privacyAsked || !privacyNote.hidden) return;
    privacyAsked = true;
    try {
      const response = await fetch(RELAY + "/api/widget/settings", { credentials: "omit" });
      if (response.ok) showPrivacy((await response.json()).privacy);
    } catch (e) {
      privacyAsked = false; // offline: the welcome frame says it once connected
    }
  }

  function addGreeting() {
    if (st.greeted) return;
    askPrivacy();
    st.greeted = true;
    const li = h("li", { class: "fd-msg fd-from-bot fd-greeting" },
      h("p", { class: "fd-sender" }, "Assistant", vh(":")),
      h("div", { class: "fd-bubble" }, markdown(GREETING)), privacyNote);
    list.prepend(li);
    follow(); // the greeting pushes a replayed history down
  }

  // ---------------------------------------------------------------- frames in

  function onFrame(f) {
    switch (f.type) {
      case "welcome": return onWelcome(f);
      case "message":
      case "status": return onLogged(f);
      case "ack": return onAck(f);
      case "queue":
        setPart("pending", "");
        return setPart("queue", f.text);
      case "typing": return onTyping(f);
      case "error": return onError(f);
      default: return undefined; // pong and anything newer
    }
  }

  function onWelcome(f) {
    const wasDown = st.failures > 0 || st.gen > 0;
    st.cid = f.conversation_id;
    if (f.resume_token) st.token = f.resume_token;
    if (f.limits && f.limits.max_text_chars) st.limit = f.limits.max_text_chars;
    showPrivacy(f.privacy);
    if (f.contact_centre) {
      if (!f.contact_centre.open && f.contact_centre.text) {
        if (notice.hidden || noticeText.textContent !== f.contact_centre.text) {
          noticeText.textContent = f.contact_centre.text;
          expandNotice(false);
        }
        notice.hidden = false;
        fitNotice();
      } else if (setHidden(notice, true)) {
        input.focus();
      }
    }
    st.ready = true;
    st.gen += 1;
    st.retryDelay = 500;
    st.failures = 0;
    setPart("conn", "");
    if (wasDown) note("Reconnected.", 4000);
    clear("mode");
    setMode(f.mode);
    storage.save();
    clear("ping");
    timers.ping = setInterval(() => rawSend({ type: "ping" }), 25000);
    if (st.replaying) settleReplay();
    flushOutbox();
  }

  function settleReplay() {
    clear("replay");
    timers.replay = setTimeout(() => { st.replaying = false; }, 500);
  }

  function onLogged(f) {
    if (typeof f.id !== "string" || !/^\d+-\d+$/.test(f.id)) return;
    if (compareIds(f.id, st.lastSeen) > 0) st.lastSeen = f.id;
    if (st.replaying) settleReplay();
    if (st.parts.pending) setPart("pending", "");
    const echo = f.type === "message" && f.from === "resident" && !!f.client_id && st.own.has(f.client_id);
    if (st.shown.has(f.id)) {
      storage.save();
      return;
    }
    st.shown.add(f.id);
    if (f.type === "status") {
      if ((f.change === "joined" || f.change === "transferred") && f.advisor) st.advisorName = f.advisor;
      retireButtons();
      turnOpen = false;
      addEventLine(f.text, "fd-event-status");
      st.nextMode = f.mode;
      clear("mode");
      // A replayed history carries every old mode: apply only the last one of a burst.
      timers.mode = setTimeout(() => setMode(st.nextMode), 150);
    } else if (echo) {
      turnOpen = false; // in the log's order, what comes next answers this message
      settle(f.client_id, f.text);
    } else {
      if (f.from === "bot" || f.from === "advisor") setPart("typing", "");
      addMessage(f);
      if (!st.open && !st.replaying && f.from !== "resident") bumpUnread();
    }
    storage.save();
    if (f.type === "message") emit("message", f);
  }

  function onAck(f) {
    const index = st.outbox.findIndex((e) => e.frame.client_id === f.client_id);
    const entry = index >= 0 ? st.outbox.splice(index, 1)[0] : null;
    settle(f.client_id);
    if (entry && entry.frame.type === "rating") ratingThanks();
    storage.save();
  }

  function onTyping(f) {
    clear("typing");
    if (!f.active) return setPart("typing", "");
    const who = f.from === "bot" ? "Assistant" : st.advisorName || "The advisor";
    setPart("typing", who + " is typing…");
    timers.typing = setTimeout(() => setPart("typing", ""), 20000); // never stuck on a lost "stopped"
  }

  function onError(f) {
    const entry = f.client_id ? st.outbox.find((e) => e.frame.client_id === f.client_id) : null;
    const drop = () => {
      if (entry) st.outbox.splice(st.outbox.indexOf(entry), 1);
      if (f.client_id) failed(f.client_id, "Not sent");
      storage.save();
    };
    if (f.code === "invalid" && entry && entry.frame.type === "leave_message") {
      // Nothing was stored: open the form again as it was, the relay's words beside the field.
      drop();
      openLeaveForm(null, { frame: entry.frame, field: f.field || "text", message: f.message });
      return;
    }
    switch (f.code) {
      case "rate_limited": {
        const wait = Math.max(0.5, Number(f.retry_after) || 2) * 1000;
        note("You're sending messages quickly. We'll send yours in a moment.", wait + 2000);
        if (entry) {
          entry.gen = -1;
          entry.hold = Date.now() + wait;
          clear("hold");
          timers.hold = setTimeout(flushOutbox, wait + 50);
        }
        return;
      }
      case "too_large":
        if (entry && entry.frame.type === "message" && !input.value) input.value = entry.frame.text;
        drop();
        showInputError("Your message is too long. Please shorten it to " + st.limit + " characters or fewer and send it again.");
        note("Your message was not sent because it is too long. Please shorten it.", 0);
        return;
      case "unknown_conversation":
        return forgetConversation();
      case "idle": // the relay closes the quiet connection next; nothing was lost
        note(f.message);
        return;
      case "unavailable":
        if (entry && (entry.tries = (entry.tries || 0) + 1) <= 5) {
          entry.gen = -1;
          entry.hold = Date.now() + 3000;
          clear("hold");
          timers.hold = setTimeout(flushOutbox, 3050);
          note("Sorry, the chat is having problems. We'll try sending again in a moment.");
          return;
        }
        drop();
        note("Sorry, the chat is having problems. Please try again in a few minutes.", 0);
        return;
      case "not_allowed":
      case "closed":
        drop();
        note(f.message || "Sorry, that can't be done right now.");
        return;
      default:
        drop();
        note("Sorry, something went wrong. Please try again.");
    }
  }

  /** The relay no longer knows our conversation: start afresh (and say so). */
  function forgetConversation() {
    const hadOne = !!st.cid;
    st.cid = st.token = null;
    st.lastSeen = "0-0";
    st.rated = false;
    storage.clear();
    if (hadOne) addEventLine("Your previous chat has ended. Send a message to start a new one.", "fd-event-note");
    setMode(null);
    if (st.outbox.length && st.ws && st.ws.readyState === WebSocket.OPEN) {
      st.ws.send(JSON.stringify(helloFrame())); // the socket stays open after a failed hello
      storage.save();
    } else {
      st.started = st.outbox.length > 0;
      disconnect();
      storage.save();
    }
  }

  // ---------------------------------------------------------------- connection

  function helloFrame() {
    const frame = { type: "hello", page: { url: location.href.slice(0, 2000) } };
    if (document.title) frame.page.title = document.title.slice(0, 300);
    if (st.cid && st.token) {
      frame.conversation_id = st.cid;
      frame.resume_token = st.token;
      frame.last_seen = st.lastSeen;
    }
    return frame;
  }

  function connect() {
    if (st.ws || st.blocked) return;
    clear("retry");
    let ws;
    try {
      ws = new WebSocket(WS_URL);
    } catch (e) {
      return scheduleReconnect();
    }
    st.ws = ws;
    st.ready = false;
    if (!st.parts.conn) setPart("conn", st.gen || st.failures ? "Reconnecting…" : "Connecting…");
    ws.addEventListener("open", () => ws.send(JSON.stringify(helloFrame())));
    ws.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame.type === "string" && st.ws === ws) onFrame(frame);
    });
    ws.addEventListener("close", (event) => {
      if (st.ws !== ws) return;
      st.ws = null;
      st.ready = false;
      clear("ping");
      setPart("typing", "");
      onClosed(event.code);
    });
  }

  function disconnect() {
    const ws = st.ws;
    st.ws = null;
    st.ready = false;
    clear("ping");
    clear("retry");
    if (ws) try { ws.close(1000); } catch (e) { /* already closed */ }
    setPart("conn", "");
  }

  function onClosed(code) {
    if (code === 4403) {
      st.blocked = true;
      setPart("conn", "Sorry, the chat can't be used on this website.");
      return;
    }
    if (code === 4410) {
      // Closed because the chat went quiet: connect again only when the resident sends
      // something (queueFrame connects); what they type waits in the outbox until then.
      st.failures = 0;
      return setPart("conn", "");
    }
    if (code === 1009 && st.lastSentCid) {
      // The frame was bigger than the relay accepts: resending it would fail for ever.
      const index = st.outbox.findIndex((e) => e.frame.client_id === st.lastSentCid);
      if (index >= 0) st.outbox.splice(index, 1);
      failed(st.lastSentCid, "Not sent: too long");
      note("Your last message was too long to send. Please shorten it and try again.", 0);
      storage.save();
    }
    if (!st.started) return setPart("conn", "");
    st.failures += 1;
    setPart("conn", st.failures > 4
      ? "Still trying to reconnect. Your messages will be sent when the chat is back."
      : "Reconnecting…");
    scheduleReconnect();
  }

  function scheduleReconnect() {
    clear("retry");
    const delay = st.retryDelay * (0.75 + Math.random() * 0.5);
    st.retryDelay = Math.min(st.retryDelay * 2, 10000);
    timers.retry = setTimeout(connect, Math.min(delay, 10000));
  }

  function rawSend(frame) {
    if (!st.ws || !st.ready || st.ws.readyState !== WebSocket.OPEN) return false;
    try {
      st.ws.send(JSON.stringify(frame));
      if (frame.client_id) st.lastSentCid = frame.client_id;
      return true;
    } catch (e) {
      return false;
    }
  }

  function flushOutbox() {
    if (!st.ready) return;
    const now = Date.now();
    for (const entry of st.outbox) {
      if (entry.gen === st.gen) continue;
      if (entry.hold && entry.hold > now) break; // keep the order
      if (rawSend(entry.frame)) entry.gen = st.gen;
      else break;
    }
  }

  /** Frames with a client_id are kept until acknowledged and resent after reconnects. */
  function queueFrame(frame) {
    st.own.add(frame.client_id);
    st.outbox.push({ frame, gen: -1, hold: 0 });
    st.started = true;
    storage.save();
    if (!st.ws) {
      st.failures = 0;
      connect();
    }
    flushOutbox();
  }

  function sendMessage(text, payload, location) {
    const frame = { type: "message", client_id: newId("m"), text };
    if (payload) frame.payload = payload;
    if (location) frame.location = location; // "Use my location" (location.js)
    activity();
    typingStopped();
    addMessage({ from: "resident", text }, frame.client_id);
    queueFrame(frame);
  }

  function sendAction(type) {
    // Until the relay answers (a queue place, or a message saying why not).
    if (type === "request_advisor") setPart("pending", "Asking for an advisor…");
    queueFrame({ type, client_id: newId(type.charAt(0)) });
  }

  // ---------------------------------------------------------------- resident typing (advisor mode only)

  let typingSent = false;
  let typingAt = 0;
  function sendTyping(active) {
    clear("typingSend");
    if (st.mode !== "advisor" || !st.ready) return;
    if (active === typingSent && !(active && Date.now() - typingAt > 8000)) return;
    const wait = typingAt + 3000 - Date.now();
    if (wait > 0) {
      timers.typingSend = setTimeout(() => sendTyping(active), wait);
      return;
    }
    if (rawSend({ type: "typing", active })) {
      typingSent = active;
      typingAt = Date.now();
    }
  }
  function typingStarted() {
    sendTyping(true);
    clear("typingIdle");
    timers.typingIdle = setTimeout(typingStopped, 5000);
  }
  function typingStopped() {
    clear("typingIdle");
    if (typingSent || timers.typingSend) sendTyping(false);
  }

  // ---------------------------------------------------------------- idle warning (advisor mode only)

  function activity() {
    if (st.mode !== "advisor") return;
    if (!stillHere.hidden) hideIdleWarning();
    armIdle();
  }
  function armIdle() {
    clear("idle");
    clear("grace");
    timers.idle = setTimeout(showIdleWarning, IDLE_MS);
  }
  function stopIdle() {
    clear("idle");
    clear("grace");
    hideIdleWarning();
  }
  function showIdleWarning() {
    stillHere.hidden = false;
    setPart("idle", "Are you still there? This chat will close in " + describeDuration(GRACE_MS) + ".");
    if (!st.open) bumpUnread();
    timers.grace = setTimeout(() => {
      hideIdleWarning();
      addEventLine("We've closed this chat because we didn't hear from you.", "fd-event-note");
      sendAction("end_chat");
    }, GRACE_MS);
  }
  function hideIdleWarning() {
    if (setHidden(stillHere, true)) input.focus();
    setPart("idle", "");
  }

  // ---------------------------------------------------------------- modes

  function setMode(mode) {
    const previous = st.mode;
    st.mode = mode;
    render();
    if (mode === "advisor" && previous !== "advisor") armIdle();
    if (mode !== "advisor") {
      stopIdle();
      typingSent = false;
    }
    if (mode !== previous && mode) emit("status", { mode });
  }

  function render() {
    const mode = st.mode || "bot";
    let lost = false;
    lost = setHidden(endButton, !st.cid || mode === "closed") || lost;
    lost = setHidden(advisorButton, mode !== "bot") || lost;
    lost = setHidden(stopWaitButton, mode !== "queued") || lost;
    lost = setHidden(leaveInsteadButton, mode !== "queued") || lost;
    const formOpen = !leaveArea.hidden;
    toolbar.hidden = formOpen || (mode !== "bot" && mode !== "queued");
    panel.classList.toggle("fd-panel-tall-footer", mode === "closed" || formOpen);
    if (mode !== "queued") setPart("queue", "");
    if (mode === "closed") {
      photos.reset();
      lost = setHidden(confirmBar, true) || lost;
      lost = setHidden(leaveArea, true) || lost;
      lost = setHidden(composer, true) || lost;
      if (closedArea.hidden) buildClosedArea();
      closedArea.hidden = false;
      if (lost || (st.open && !visible(document.activeElement) && panel.contains(document.activeElement))) {
        closedArea.querySelector("h3").focus();
      }
    } else {
      lost = setHidden(closedArea, true) || lost;
      if (leaveArea.hidden) composer.hidden = false;
      if (lost) input.focus();
    }
  }

  // ---------------------------------------------------------------- leave a message

  let leaveOpener = null;
  function openLeaveForm(opener, refused) {
    leaveOpener = opener || null;
    if (!leaveArea.hidden) {
      leaveArea.querySelector("h3").focus();
      return;
    }
    leaveArea.textContent = "";
    const field = (id, labelText, control, hintText) => {
      const error = h("p", { id: id + "-error", class: "fd-error", hidden: true });
      const hint = hintText ? h("p", { id: id + "-hint", class: "fd-hint" }, hintText) : null;
      control.id = id;
      if (hint) control.setAttribute("aria-describedby", hint.id);
      return { wrap: h("div", { class: "fd-field" }, h("label", { for: id, class: "fd-label" }, labelText), hint, error, control), error, hint, control };
    };
    const text = field("fd-lm-text", "Your message", h("textarea", { class: "fd-input", rows: "3", maxlength: "2000" }));
    const name = field("fd-lm-name", "Your name (optional)", h("input", { type: "text", class: "fd-text", autocomplete: "name", maxlength: "100" }));
    const phone = field("fd-lm-phone", "Phone number", h("input", { type: "tel", class: "fd-text", autocomplete: "tel", maxlength: "30" }));
    const email = field("fd-lm-email", "Email address", h("input", { type: "email", class: "fd-text", autocomplete: "email", maxlength: "200", spellcheck: "false" }));
    const callBack = h("input", { type: "checkbox", id: "fd-lm-callback", class: "fd-checkbox" });
    if (input.value.trim()) text.control.value = input.value.trim().slice(0, 2000);
    const contactHint = h("p", { id: "fd-lm-contact-hint", class: "fd-hint" }, "Give a phone number or an email address (or both) so we can reply.");
    const heading = h("h3", { class: "fd-section-title", tabindex: "-1" }, "Leave a message");
    const cancel = h("button", { type: "button", class: "fd-btn fd-btn-secondary" }, "Cancel");
    const form = h("form", { class: "fd-form", novalidate: true, "aria-labelledby": "fd-lm-title" },
      text.wrap,
      name.wrap,
      h("fieldset", { class: "fd-fieldset", "aria-describedby": "fd-lm-contact-hint" },
        h("legend", { class: "fd-legend" }, "How can we contact you?"), contactHint, phone.wrap, email.wrap,
        h("div", { class: "fd-check" }, callBack, h("label", { for: "fd-lm-callback" }, "Please phone me back"))),
      h("div", { class: "fd-button-row" }, h("button", { type: "submit", class: "fd-btn fd-btn-primary" }, "Send message"), cancel));
    heading.id = "fd-lm-title";
    if (refused) {
      const fields = { text, name, phone, email };
      for (const key of Object.keys(fields)) fields[key].control.value = refused.frame[key] || "";
      callBack.checked = !!refused.frame.call_back;
    }
    leaveArea.append(heading,
      h("p", { class: "fd-section-intro" }, "An advisor will reply on the next working day. Don't include bank or card details."),
      form);

    const setError = (f, message) => {
      f.error.textContent = message ? "Error: " + message : "";
      f.error.hidden = !message;
      const described = [f.hint && f.hint.id, message && f.error.id].filter(Boolean).join(" ");
      if (described) f.control.setAttribute("aria-describedby", described);
      else f.control.removeAttribute("aria-describedby");
      if (message) f.control.setAttribute("aria-invalid", "true");
      else f.control.removeAttribute("aria-invalid");
    };
    const close = () => {
      leaveArea.hidden = true;
      leaveArea.textContent = "";
      render();
      (leaveOpener && visible(leaveOpener) && !leaveOpener.disabled ? leaveOpener : input).focus();
    };
    cancel.addEventListener("click", close);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values = {
        text: text.control.value.trim(), name: name.control.value.trim(),
        phone: phone.control.value.trim(), email: email.control.value.trim(),
      };
      const errors = [];
      const check = (f, message) => { setError(f, message); if (message) errors.push(f.control); };
      check(text, values.text ? "" : "Enter your message");
      const phoneOk = !values.phone || /^\+?[0-9 ()-]{10,20}$/.test(values.phone) && values.phone.replace(/\D/g, "").length >= 10;
      const emailOk = !values.email || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email);
      const none = !values.phone && !values.email;
      check(phone, none ? "Enter a phone number or an email address" : phoneOk ? "" : "Enter a phone number, like 01632 960 123");
      check(email, none ? "Enter an email address or a phone number" : emailOk ? "" : "Enter an email address in the correct format, like name@example.com");
      if (!errors.length && callBack.checked && !values.phone) check(phone, "Enter a phone number so we can phone you back");
      if (errors.length) {
        errors[0].focus();
        return;
      }
      const frame = { type: "leave_message", client_id: newId("l"), text: values.text };
      if (values.name) frame.name = values.name;
      if (values.phone) frame.phone = values.phone;
      if (values.email) frame.email = values.email;
      if (callBack.checked) frame.call_back = true;
      if (input.value.trim() === values.text) input.value = "";
      addMessage({ from: "resident", text: "(Message left for the contact centre) " + values.text }, frame.client_id);
      queueFrame(frame);
      if (st.mode === "queued") sendAction("cancel_wait");
      leaveOpener = null;
      close();
    });
    composer.hidden = true;
    leaveArea.hidden = false;
    render();
    const wrong = refused && { text, name, phone, email }[refused.field];
    if (wrong) {
      setError(wrong, refused.message);
      wrong.control.focus();
    } else heading.focus();
  }

  // ---------------------------------------------------------------- after the chat

  function buildClosedArea() {
    closedArea.textContent = "";
    const heading = h("h3", { class: "fd-section-title", tabindex: "-1" }, "This chat has ended");
    closedArea.append(heading);
    if (!st.rated) closedArea.append(ratingForm());
    const download = h("button", { type: "button", class: "fd-btn fd-btn-secondary" }, "Download transcript");
    download.addEventListener("click", downloadTranscript);
    download.hidden = !st.cid || !st.token;
    const again = h("button", { type: "button", class: "fd-btn fd-btn-primary" }, "Start a new chat");
    again.addEventListener("click", newChat);
    closedArea.append(h("div", { class: "fd-button-row" }, download, again));
  }

  const SCORES = ["Very poor", "Poor", "Okay", "Good", "Very good"];
  function ratingForm() {
    const error = h("p", { id: "fd-rating-error", class: "fd-error", hidden: true });
    const scale = h("div", { class: "fd-scale" });
    SCORES.forEach((words, i) => {
      const id = "fd-score-" + (i + 1);
      scale.append(h("div", { class: "fd-score" },
        h("input", { type: "radio", name: "fd-score", id, value: String(i + 1), class: "fd-radio" }),
        h("label", { for: id }, h("span", { class: "fd-score-number" }, String(i + 1)), " ", words)));
    });
    const fieldset = h("fieldset", { class: "fd-fieldset" }, h("legend", { class: "fd-legend" }, "How was this chat?"), error, scale);
    const comment = h("textarea", { id: "fd-rating-comment", class: "fd-input", rows: "2", maxlength: "1000" });
    const form = h("form", { class: "fd-form fd-rating", novalidate: true },
      fieldset,
      h("div", { class: "fd-field" }, h("label", { for: comment.id, class: "fd-label" }, "Anything else you'd like to tell us? (optional)"), comment),
      h("div", { class: "fd-button-row" }, h("button", { type: "submit", class: "fd-btn fd-btn-primary" }, "Submit rating")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = form.querySelector("input[name=fd-score]:checked");
      if (!chosen) {
        error.textContent = "Error: Choose a rating from 1 (very poor) to 5 (very good)";
        error.hidden = false;
        fieldset.setAttribute("aria-describedby", error.id);
        form.querySelector("input[name=fd-score]").focus();
        return;
      }
      error.hidden = true;
      fieldset.removeAttribute("aria-describedby");
      const frame = { type: "rating", client_id: newId("r"), score: Number(chosen.value) };
      const words = comment.value.trim().slice(0, 1000);
      if (words) frame.comment = words;
      if (form.dataset.sending) return; // one rating per chat
      form.dataset.sending = "1";
      note("Sending your rating…", 8000);
      queueFrame(frame);
    });
    return form;
  }

  function ratingThanks() {
    st.rated = true;
    const form = closedArea.querySelector(".fd-rating");
    const thanks = h("p", { class: "fd-thanks", tabindex: "-1" }, "Thank you for rating this chat.");
    note("", 1);
    if (form) {
      const hadFocus = form.contains(document.activeElement);
      form.replaceWith(thanks);
      if (hadFocus) thanks.focus();
    }
  }

  async function downloadTranscript() {
    if (!st.cid || !st.token) return;
    note("Preparing your transcript…", 0);
    try {
      const response = await fetch(RELAY + "/api/conversations/" + encodeURIComponent(st.cid) + "/transcript", {
        headers: { Authorization: "Bearer " + st.token }, credentials: "omit", cache: "no-store",
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const disposition = response.headers.get("Content-Disposition") || "";
      const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
      const filename = (named && decodeURIComponent(named[1]).replace(/[\\/]/g, "_")) || "northbridge-chat.txt";
      const text = plainTranscript(await response.text());
      const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
      const a = h("a", { href: url, download: filename, class: "fd-vh", tabindex: "-1" });
      root.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30000);
      note("Your transcript has been downloaded.");
    } catch (e) {
      note("Sorry, we couldn't download the transcript. Please try again.");
    }
  }

  function newChat() {
    disconnect();
    storage.clear();
    stopIdle();
    Object.assign(st, {
      cid: null, token: null, lastSeen: "0-0", started: false, rated: false, outbox: [], live: [],
      advisorName: "", greeted: false, failures: 0, gen: 0, retryDelay: 500,
    });
    turnOpen = false;
    turnStart = null;
    photos.reset();
    st.shown.clear();
    st.own.clear();
    st.pending.clear();
    list.textContent = "";
    notice.hidden = true;
    for (const part of STATUS_ORDER) setPart(part, "");
    setMode(null);
    emit("status", { mode: "bot" });
    input.value = "";
    input.focus();
    setTimeout(addGreeting, 100);
  }

  // ---------------------------------------------------------------- open, close, send

  function bumpUnread() {
    st.unread += 1;
    badge.textContent = "";
    badge.append(h("span", { "aria-hidden": "true" }, String(st.unread)),
      vh(st.unread === 1 ? " (1 new message)" : " (" + st.unread + " new messages)"));
    badge.hidden = false;
  }

  function open(options) {
    const focus = !options || options.focus !== false;
    if (!st.open) {
      st.open = true;
      panel.hidden = false;
      root.classList.add("fd-is-open");
      launcher.setAttribute("aria-expanded", "true");
      st.unread = 0;
      badge.hidden = true;
      following = true; // opening shows the latest turn, wherever the log was left
      follow();
      // After the log is visible, so screen readers hear the greeting as it arrives.
      if (!st.greeted) setTimeout(addGreeting, 100);
      emit("open", {});
    }
    if (focus) {
      if (st.mode === "closed") closedArea.querySelector("h3").focus();
      else if (!leaveArea.hidden) leaveArea.querySelector("h3").focus();
      else input.focus();
    }
  }

  function close(options) {
    if (!st.open) return;
    const hadFocus = panel.contains(document.activeElement);
    st.open = false;
    panel.hidden = true;
    confirmBar.hidden = true;
    root.classList.remove("fd-is-open");
    launcher.setAttribute("aria-expanded", "false");
    if (hadFocus || (options && options.focus)) launcher.focus();
    emit("close", {});
  }

  function showInputError(message) {
    inputError.textContent = message ? "Error: " + message : "";
    inputError.hidden = !message;
    input.setAttribute("aria-describedby", message ? ids.inputError + " " + ids.hint : ids.hint);
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function submit() {
    const text = input.value.trim();
    if (!text) {
      showInputError("Type your message first");
      input.focus();
      return;
    }
    if (text.length > st.limit) {
      showInputError("Your message is " + text.length + " characters long. Please shorten it to " + st.limit + " characters or fewer.");
      input.focus();
      return;
    }
    showInputError("");
    if (st.parts.note) note("", 1);
    input.value = "";
    autosize();
    sendMessage(text);
  }

  function autosize() {
    input.style.height = "auto";
    if (input.value) input.style.height = Math.min(input.scrollHeight + 4, 200) + "px";
    else input.style.removeProperty("height");
  }

  launcher.addEventListener("click", () => (st.open ? close({ focus: true }) : open()));
  closeButton.addEventListener("click", () => close({ focus: true }));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) {
      event.preventDefault();
      close({ focus: true });
    }
  });
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", () => {
    autosize();
    if (!inputError.hidden && input.value.trim()) showInputError("");
    activity();
    if (input.value.trim()) typingStarted();
    else typingStopped();
  });
  endButton.addEventListener("click", () => {
    confirmBar.hidden = false;
    confirmYes.focus();
  });
  confirmNo.addEventListener("click", () => {
    confirmBar.hidden = true;
    endButton.focus();
  });
  confirmYes.addEventListener("click", () => {
    confirmBar.hidden = true;
    stopIdle();
    sendAction("end_chat");
    input.focus();
  });
  advisorButton.addEventListener("click", () => {
    retireButtons();
    sendAction("request_advisor");
  });
  stopWaitButton.addEventListener("click", () => sendAction("cancel_wait"));
  leaveInsteadButton.addEventListener("click", () => openLeaveForm(leaveInsteadButton));
  stillHere.addEventListener("click", () => {
    activity();
    input.focus();
    note("Thanks. The chat will stay open.", 5000);
  });
  window.addEventListener("online", () => {
    if (st.started && !st.ws && !st.blocked) {
      st.retryDelay = 500;
      connect();
    }
  });

  // ---------------------------------------------------------------- start

  function showWhenStyled() {
    const existing = Array.from(document.querySelectorAll('link[rel~="stylesheet"]'))
      .find((l) => /(^|\/)widget\.css(\?|#|$)/.test(l.getAttribute("href") || ""));
    const reveal = () => { root.hidden = false; };
    setTimeout(reveal, 3000); // unstyled but usable beats invisible
    if (existing) {
      if (existing.sheet) reveal();
      else existing.addEventListener("load", reveal);
      return;
    }
    const css = h("link", { rel: "stylesheet", href: new URL("widget.css", scriptUrl).href });
    css.addEventListener("load", reveal);
    css.addEventListener("error", reveal);
    document.head.append(css);
  }

  function start() {
    document.documentElement.classList.add("fd-has-launcher");
    document.body.append(root);
    showWhenStyled();
    setPart("conn", "");
    render();
    const saved = storage.load();
    if (saved && typeof saved === "object") {
      const valid = CONVERSATION.test(saved.conversation_id || "") && TOKEN.test(saved.resume_token || "");
      const outbox = Array.isArray(saved.outbox) ? saved.outbox.filter((f) => f && typeof f.type === "string") : [];
      if (valid || outbox.length) {
        if (valid) {
          st.cid = saved.conversation_id;
          st.token = saved.resume_token;
        }
        st.rated = !!saved.rated;
        st.outbox = outbox.map((frame) => ({ frame, gen: -1, hold: 0 }));
        st.started = true;
        st.replaying = true; // a fresh page: the whole history comes back (last_seen 0-0)
        render();
        connect();
      } else {
        storage.clear();
      }
    }
  }

  window.FrontDesk = Object.freeze({
    open: () => open(),
    close: () => close(),
  });

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
