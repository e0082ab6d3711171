// The resident's photos in the side panel: thumbnails, each a link to the full photo.
// The front door serves them to an advisor who may read the chat (its session cookie);
// contracts/README.md, "Photos".
import { clear, h as el } from '/shared/dom.js';

function photoUrl(cid, id, thumb) {
  return `/api/conversations/${encodeURIComponent(cid)}/photos/${encodeURIComponent(id)}${thumb ? '?size=thumb' : ''}`;
}

/** The photo list's words and links, without the DOM (for a test, and for the list below). */
export function photoItems(cid, listing) {
  const items = [];
  const add = (photo, how) => {
    const n = items.length + 1;
    items.push({
      href: photoUrl(cid, photo.id, false),
      src: photoUrl(cid, photo.id, true),
      alt: `Photo ${n} from the resident, ${how}`,
      label: `Photo ${n} (${photo.width}×${photo.height}, ${how})`,
    });
  };
  for (const photo of listing.sent || []) add(photo, `sent with ${photo.case}`);
  for (const photo of listing.waiting || []) add(photo, 'not sent yet');
  return items;
}

// The side panel is redrawn on many events: look again at most every 15 s per chat, so
// the audit trail and the front door are not asked on every message.
const AGAIN_MS = 15000;
let shown = { cid: '', at: 0 };

/** Fill `list` with the chat's photos; `isCurrent()` says whether the chat is still shown. */
export async function renderPhotos(list, cid, isCurrent) {
  if (shown.cid === cid && Date.now() - shown.at < AGAIN_MS && list.childElementCount) return;
  shown = { cid, at: Date.now() };
  clear(list);
  let listing = null;
  try {
    const response = await fetch(`/api/conversations/${encodeURIComponent(cid)}/photos`, { credentials: 'same-origin', cache: 'no-store' });
    if (response.ok) listing = await response.json();
  } catch (e) {
    listing = null;
  }
  if (!isCurrent()) return;
  clear(list);
  const items = listing ? photoItems(cid, listing) : [];
  if (!items.length) {
    list.append(el('li', { class: 'muted', text: listing ? 'No photos in this chat.' : 'Photos could not be loaded.' }));
    return;
  }
  for (const item of items) {
    list.append(el('li', { class: 'photo' },
      el('a', { href: item.href, target: '_blank', rel: 'noopener' },
        el('img', { src: item.src, alt: item.alt, width: '120', height: '120', loading: 'lazy' })),
      el('span', { class: 'muted', text: item.label })));
  }
}
