// The one Markdown renderer (web_shared/markdown.js) against the XSS table that
// tests/e2e/test_shared_modules.py also runs in Chromium on the rendered DOM.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { links, parse, plainText, safeUrl } from '../../web_shared/markdown.js';

const CASES = JSON.parse(readFileSync(new URL('./xss_cases.json', import.meta.url), 'utf8'));
const SAFE = /^(https?:|mailto:|tel:)/;

// What a reader gets: link titles, and " (opens in new tab)" after web links (screen readers).
function readerText(blocks) {
  const inline = (nodes) => nodes.map((n) => {
    if (n.type === 'strong') return inline(n.children);
    if (n.type === 'link' && n.external) return `${n.text} (opens in new tab)`;
    return n.text;
  }).join('');
  return blocks.map((b) => (b.type === 'p' ? b.lines : b.items).map(inline).join('\n')).join('\n\n');
}

for (const c of CASES) {
  test(`XSS table: ${c.name}`, () => {
    const blocks = parse(c.input);
    assert.deepEqual(links(blocks), c.links);
    for (const [, href] of links(blocks)) assert.match(href, SAFE);
    assert.equal(readerText(blocks), c.text);
  });
}

test('paragraphs, line breaks and lists', () => {
  const blocks = parse('First line\nsecond line\n\n- one\n- **two**\n\nLast');
  assert.deepEqual(blocks.map((b) => b.type), ['p', 'ul', 'p']);
  assert.equal(blocks[0].lines.length, 2);
  assert.equal(blocks[1].items[1][0].type, 'strong');
  assert.equal(plainText(blocks), 'First line\nsecond line\n\none\ntwo\n\nLast');
});

test('only absolute http, https, mailto and tel addresses are safe', () => {
  assert.equal(safeUrl('https://northbridge.example/a b'), 'https://northbridge.example/a%20b');
  for (const bad of ['javascript:alert(1)', ' javascript:alert(1)', 'data:text/html,x', '/relative', '//evil.example', 'file:///etc/passwd']) {
    assert.equal(safeUrl(bad), null, bad);
  }
});

test('text that is not a string is shown, not thrown on', () => {
  assert.deepEqual(parse(null), []);
  assert.equal(plainText(parse(42)), '42');
});
