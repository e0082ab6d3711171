/**
 * The one renderer for the bot's Markdown subset, used by the residents' widget, the
 * advisor console and the editors' preview, so everyone sees bot text the same way.
 *
 * Paragraphs (blank lines), "- " lists, **bold**, [title](url), bare web addresses and UK
 * phone numbers (tel: links, so a resident on a phone can call 999 or Samaritans with one
 * tap). Only http, https, mailto and tel links are made; anything else stays plain text.
 *
 * `parse` is pure (no DOM: node's test runner checks it); `render` builds nodes with
 * createElement and text nodes only. Nothing from a message ever goes through innerHTML.
 */

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:', 'tel:']);

// UK numbers starting 0 (with spaces as written), 116 123, the short codes 999, 111, 101,
// 105, and 18001 text relay prefixes.
const PHONE = String.raw`(?<![\w£$€.,/:-])((?:18001 )?(?:0\d{4} ?\d{6}|0\d{3} ?\d{3} ?\d{3,4}|0\d{3} ?\d{4} ?\d{3}|0\d{4} ?\d{3} ?\d{3}|0\d{2} ?\d{4} ?\d{4}|0\d{3} ?\d{2} ?\d{2} ?\d{2})|116 ?\d{3}|999|111|101|105)(?![\w/£-]|[.,]?\d| \d)`;
const INLINE = new RegExp(String.raw`\*\*(.+?)\*\*|\[([^\]\n]+)\]\(([^()\s]+)\)|\b((?:https?:\/\/|www\.)[^\s<>"]+)|` + PHONE, 'gi');

/** The address if it is absolute and http, https, mailto or tel; otherwise null. */
export function safeUrl(raw) {
  try {
    const url = new URL(raw);
    if (SAFE_SCHEMES.has(url.protocol)) return url.href;
  } catch (err) { /* relative or malformed: shown as text */ }
  return null;
}

/**
 * Inline nodes of one line: {type: 'text', text}, {type: 'strong', children},
 * {type: 'link', text, href, external} and {type: 'tel', text, href}.
 */
export function parseInline(text) {
  const out = [];
  const push = (t) => {
    if (!t) return;
    const prev = out[out.length - 1];
    if (prev && prev.type === 'text') prev.text += t;
    else out.push({ type: 'text', text: t });
  };
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) push(text.slice(last, m.index));
    if (m[1] !== undefined) {
      out.push({ type: 'strong', children: parseInline(m[1]) });
    } else if (m[2] !== undefined) {
      const href = safeUrl(m[3]);
      if (href) out.push({ type: 'link', text: m[2], href, external: /^https?:/i.test(href) });
      else push(m[0]);
    } else if (m[5] !== undefined) {
      out.push({ type: 'tel', text: m[5], href: 'tel:' + m[5].replace(/\D/g, '') });
    } else {
      let url = m[4];
      const trail = (url.match(/[.,;:!?)'\]]+$/) || [''])[0];
      url = url.slice(0, url.length - trail.length);
      const href = url ? safeUrl(/^www\./i.test(url) ? 'https://' + url : url) : null;
      if (href) out.push({ type: 'link', text: url, href, external: /^https?:/i.test(href) });
      else push(url);
      push(trail);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) push(text.slice(last));
  return out;
}

/**
 * Blocks: {type: 'p', lines: [inline nodes per line]} and {type: 'ul', items: [inline nodes]}.
 */
export function parse(text) {
  const blocks = [];
  for (const block of String(text ?? '').replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    let list = null;
    let para = null;
    for (const raw of block.split('\n')) {
      const line = raw.trim();
      const item = /^[-*•]\s+(.*)$/.exec(line);
      if (item) {
        para = null;
        if (!list) blocks.push((list = { type: 'ul', items: [] }));
        list.items.push(parseInline(item[1]));
      } else if (line) {
        list = null;
        if (!para) blocks.push((para = { type: 'p', lines: [] }));
        para.lines.push(parseInline(line));
      }
    }
  }
  return blocks;
}

/** The text a reader gets from parsed blocks (links as their titles), one line per block line. */
export function plainText(blocks) {
  const inline = (nodes) => nodes.map((n) => (n.type === 'strong' ? inline(n.children) : n.text)).join('');
  return blocks.map((b) => (b.type === 'p' ? b.lines.map(inline) : b.items.map(inline)).join('\n')).join('\n\n');
}

/** Every link in parsed blocks, as [text, href]. */
export function links(blocks) {
  const found = [];
  const walk = (nodes) => {
    for (const n of nodes) {
      if (n.type === 'strong') walk(n.children);
      else if (n.type === 'link' || n.type === 'tel') found.push([n.text, n.href]);
    }
  };
  for (const b of blocks) for (const line of (b.type === 'p' ? b.lines : b.items)) walk(line);
  return found;
}

/**
 * A DocumentFragment for `text`. Options name each app's classes: `linkClass`,
 * `telClass` (added to linkClass), `listClass` and `hiddenClass` (visually hidden text:
 * web links say "(opens in new tab)" to screen readers).
 */
export function render(text, options = {}) {
  const o = { linkClass: '', telClass: '', listClass: '', hiddenClass: 'visually-hidden', ...options };
  const doc = o.document || document;
  const el = (tag, className) => {
    const node = doc.createElement(tag);
    if (className) node.className = className;
    return node;
  };
  const inline = (parent, nodes) => {
    for (const n of nodes) {
      if (n.type === 'text') {
        parent.append(doc.createTextNode(n.text));
      } else if (n.type === 'strong') {
        const strong = el('strong');
        inline(strong, n.children);
        parent.append(strong);
      } else {
        const a = el('a', [o.linkClass, n.type === 'tel' ? o.telClass : ''].filter(Boolean).join(' '));
        a.setAttribute('href', n.href);
        a.append(doc.createTextNode(n.text));
        if (n.external) {
          a.target = '_blank';
          a.rel = 'noopener noreferrer';
          const note = el('span', o.hiddenClass);
          note.textContent = ' (opens in new tab)';
          a.append(note);
        }
        parent.append(a);
      }
    }
  };
  const frag = doc.createDocumentFragment();
  for (const block of parse(text)) {
    if (block.type === 'ul') {
      const ul = el('ul', o.listClass);
      for (const item of block.items) {
        const li = el('li');
        inline(li, item);
        ul.append(li);
      }
      frag.append(ul);
    } else {
      const p = el('p');
      block.lines.forEach((line, i) => {
        if (i) p.append(el('br'));
        inline(p, line);
      });
      frag.append(p);
    }
  }
  return frag;
}

/** What people type: plain text in one paragraph, line breaks kept, nothing linked. */
export function renderPlain(text, options = {}) {
  const doc = options.document || document;
  const p = doc.createElement('p');
  String(text ?? '').split('\n').forEach((line, i) => {
    if (i) p.append(doc.createElement('br'));
    if (line) p.append(doc.createTextNode(line));
  });
  return p;
}
