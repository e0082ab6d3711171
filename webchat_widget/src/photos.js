/*
 * "Add a photo" for a report (contracts/README.md, "Photos"). The bot offers it with a
 * button whose payload is PHOTO_PAYLOAD; the widget shows this panel instead of that
 * button. Each photo goes straight to the front door (POST /api/conversations/{id}/photos
 * with the resume token), which checks it, strips its EXIF and GPS, and tells the bot
 * about it; the bot sends the photos with the report. Nothing here parses HTML.
 */
import { h } from "../../web_shared/dom.js";

export const PHOTO_PAYLOAD = "/add_photo";
export const MAX_PHOTOS = 3;

/** The words for an upload that failed, from the front door's JSON error or the status. */
export function uploadError(status, body) {
  const message = body && body.error && typeof body.error.message === "string" ? body.error.message : "";
  if (message) return message;
  if (status === 413) return "That photo is too big. Please choose a smaller one.";
  if (status === 0) return "We couldn't send your photo. Check your connection and try again.";
  return "Sorry, we couldn't add that photo. Please try again.";
}

/** The panel's one-line summary once photos are added: "1 added", "2 added". */
export function photosSummary(count) {
  return count ? ": " + count + " added" : " (optional, up to " + MAX_PHOTOS + ")";
}

/**
 * The photo panel. It keeps to one line so the transcript keeps its room at 200% zoom and
 * on phones: "Photos (optional, up to 3) [Add a photo]" before the first photo, then
 * "Photos: 2 added [Change]", whose disclosure opens a row of thumbnails (scrolling
 * sideways) with their Remove buttons and "Add another photo".
 * @param {object} o
 * @param {string} o.relay the front door's address
 * @param {() => {cid: string|null, token: string|null}} o.conversation
 * @param {(text: string) => void} o.announce a line for the polite status region
 * @param {(text: string) => HTMLElement} o.vh visually hidden text
 */
export function createPhotos({ relay, conversation, announce, vh }) {
  const photos = []; // {id, number, thumb}
  let busy = false;
  let offered = false;
  let expanded = false;

  const gallery = h("input", { type: "file", accept: "image/*", class: "fd-vh", tabindex: "-1", "aria-hidden": "true" });
  // With `capture`, phones open the camera at once; without it they offer camera or library.
  const camera = h("input", {
    type: "file", accept: "image/*", capture: "environment", class: "fd-vh", tabindex: "-1", "aria-hidden": "true",
  });
  const addButton = h("button", { type: "button", class: "fd-btn fd-btn-secondary" }, "Add a photo");
  const cameraButton = h("button", { type: "button", class: "fd-btn fd-btn-secondary", hidden: true }, "Take a photo");
  const coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  cameraButton.hidden = !coarse;
  const adding = h("div", { class: "fd-photo-add" }, addButton, cameraButton);
  const error = h("p", { class: "fd-error", hidden: true });
  const list = h("ul", { class: "fd-photo-list", "aria-label": "Photos added" });
  const summary = h("span", { class: "fd-photos-count" });
  const title = h("p", { class: "fd-photos-title", id: "fd-photos-title" }, h("strong", {}, "Photos"), summary);
  // Small copies of the photos on the folded line, for the eye only: the count is the words.
  const minis = h("span", { class: "fd-photo-minis", "aria-hidden": "true" });
  const body = h("div", { class: "fd-photos-body", id: "fd-photos-body", hidden: true }, list);
  const toggle = h("button", {
    type: "button", class: "fd-btn-link fd-photos-toggle", "aria-expanded": "false", "aria-controls": "fd-photos-body",
    hidden: true,
  }, "Change", vh(" photos"));
  const head = h("div", { class: "fd-photos-head" }, minis, title, toggle);
  const panel = h("div", { class: "fd-photos", role: "group", "aria-labelledby": "fd-photos-title", hidden: true },
    head, error, body, gallery, camera);

  addButton.addEventListener("click", () => gallery.click());
  cameraButton.addEventListener("click", () => camera.click());
  toggle.addEventListener("click", () => {
    expanded = !expanded;
    renderList();
  });
  for (const input of [gallery, camera]) {
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      input.value = "";
      if (file) upload(file);
    });
  }

  /** Move focus to ``target`` only if it was in the panel (or nowhere, after the file
   * chooser): never away from someone typing their message meanwhile. */
  function keepFocus(...targets) {
    const active = document.activeElement;
    if (active && active !== document.body && !panel.contains(active)) return;
    const usable = targets.find((t) => t && !t.disabled && t.getClientRects().length);
    if (usable) usable.focus();
  }

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
    if (text) announce(text);
  }

  function url(path) {
    const { cid } = conversation();
    return relay + "/api/conversations/" + encodeURIComponent(cid) + "/photos" + (path || "");
  }

  function headers(extra) {
    return Object.assign({ Authorization: "Bearer " + conversation().token }, extra || {});
  }

  function renderList() {
    const hadFocus = panel.contains(document.activeElement) ? document.activeElement : null;
    // The list is rebuilt (a thumbnail arriving, a photo removed): keep a Remove button's
    // focus on the button in the same place.
    const removeAt = hadFocus ? [...list.querySelectorAll("button")].indexOf(hadFocus) : -1;
    list.textContent = "";
    minis.textContent = "";
    photos.forEach((p, i) => {
      const n = i + 1;
      // The words beside it name the photo; the picture itself adds nothing read aloud.
      const img = h("img", { class: "fd-photo-thumb", alt: "", width: "48", height: "48" });
      if (p.thumb) img.src = p.thumb;
      const remove = h("button", { type: "button", class: "fd-btn-link" }, "Remove", vh(" photo " + n));
      remove.addEventListener("click", () => removePhoto(p, n));
      list.append(h("li", { class: "fd-photo" }, img, h("span", { class: "fd-photo-words" }, h("span", {}, "Photo " + n), remove)));
      const mini = h("img", { class: "fd-photo-mini", alt: "", width: "28", height: "28" });
      if (p.thumb) mini.src = p.thumb;
      minis.append(mini);
    });
    const count = photos.length;
    summary.textContent = photosSummary(count);
    if (!count) expanded = false;
    toggle.hidden = !count;
    toggle.setAttribute("aria-expanded", String(expanded));
    toggle.firstChild.textContent = expanded ? "Done" : "Change";
    body.hidden = !expanded;
    minis.hidden = !count || expanded;
    // Before the first photo the buttons sit on the panel's one line; after it, behind "Change".
    if (count && adding.parentNode !== body) body.append(adding);
    else if (!count && adding.parentNode !== head) head.append(adding);
    const full = count >= MAX_PHOTOS;
    addButton.disabled = cameraButton.disabled = busy || full;
    addButton.textContent = count ? "Add another photo" : "Add a photo";
    // A control that moved or went away takes the resident's focus with it to the toggle.
    const removes = list.querySelectorAll("button");
    if (removeAt >= 0 && removes.length && expanded) removes[Math.min(removeAt, removes.length - 1)].focus();
    else if (hadFocus && !panel.contains(document.activeElement)) keepFocus(count ? toggle : addButton);
  }

  async function thumbnail(id) {
    // A data: URL, not blob:, so council pages whose policy allows only data: images show it.
    const response = await fetch(url("/" + encodeURIComponent(id) + "?size=thumb"), {
      headers: headers(), credentials: "omit", cache: "no-store",
    });
    if (!response.ok) return "";
    const blob = await response.blob();
    return await new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => resolve("");
      reader.readAsDataURL(blob);
    });
  }

  async function upload(file) {
    if (busy || photos.length >= MAX_PHOTOS || !conversation().token) return;
    busy = true;
    showError("");
    renderList();
    announce("Sending photo " + (photos.length + 1) + "…");
    let status = 0;
    let body = null;
    try {
      const response = await fetch(url(), {
        method: "POST", body: file, credentials: "omit",
        headers: headers({ "Content-Type": file.type || "application/octet-stream" }),
      });
      status = response.status;
      body = await response.json().catch(() => null);
    } catch (e) {
      status = 0;
    }
    if (status === 201 && body && body.id) {
      const photo = { id: body.id, thumb: "" };
      photos.push(photo);
      busy = false;
      expanded = false;
      renderList();
      keepFocus(toggle);
      announce("Photo " + photos.length + " added. It will be sent with your report.");
      photo.thumb = await thumbnail(body.id).catch(() => "");
      renderList();
    } else {
      busy = false;
      renderList();
      showError(uploadError(status, body));
      keepFocus(addButton, toggle);
    }
  }

  async function removePhoto(photo, n) {
    showError("");
    let ok = false;
    try {
      const response = await fetch(url("/" + encodeURIComponent(photo.id)), {
        method: "DELETE", headers: headers(), credentials: "omit",
      });
      ok = response.ok || response.status === 404;
      if (!ok) showError(uploadError(response.status, await response.json().catch(() => null)));
    } catch (e) {
      showError("We couldn't remove that photo. Check your connection and try again.");
    }
    if (!ok) return;
    photos.splice(photos.indexOf(photo), 1);
    renderList();
    announce("Photo " + n + " removed.");
    if (!list.contains(document.activeElement)) keepFocus(addButton, toggle);
  }

  /** The bot offers photos: show the panel (once per report). */
  function offer() {
    offered = true;
    panel.hidden = false;
    renderList();
  }

  /** After each bot message: photos the bot sent with a report leave the panel. The relay
   * marks them sent just after it logs the bot's reply, so look again shortly after. */
  async function refresh(again = true) {
    if (!offered || !photos.length || !conversation().token) return;
    try {
      const response = await fetch(url(), { headers: headers(), credentials: "omit", cache: "no-store" });
      if (!response.ok) return;
      const body = await response.json();
      const sent = new Set((body.sent || []).map((p) => p.id));
      if (photos.every((p) => sent.has(p.id))) {
        announce(photos.length === 1 ? "Your photo was sent with your report." : "Your photos were sent with your report.");
        reset();
      } else if (again) {
        setTimeout(() => refresh(false), 1500);
      }
    } catch (e) {
      /* the next message tries again */
    }
  }

  function reset() {
    photos.length = 0;
    offered = false;
    busy = false;
    expanded = false;
    showError("");
    panel.hidden = true;
    renderList();
  }

  renderList();
  return { panel, offer, refresh, reset };
}
