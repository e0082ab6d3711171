/**
 * Building DOM nodes without HTML: every app builds its page with `h`, so nothing from the
 * server or a person is ever parsed as markup.
 */

/**
 * An element with attributes and children. Attributes are set one by one: `class`,
 * `text` (textContent), `hidden`, `on<event>` functions as listeners, anything else with
 * setAttribute (never a style attribute, never HTML). Children may be nodes or text;
 * null, undefined and false are skipped.
 */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'hidden') node.hidden = true;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Remove every child of `node`. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** Text only screen readers read (the class is the app's visually-hidden style). */
export function visuallyHidden(text, className = 'visually-hidden') {
  return h('span', { class: className, text });
}

/** A random id with a prefix, for client_id and the like. */
export function newId(prefix) {
  const random = (globalThis.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, '')
    : Math.random().toString(36).slice(2) + Date.now().toString(36);
  return `${prefix}-${random.slice(0, 24)}`;
}
