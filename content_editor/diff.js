/* What changed between two versions of an article: lists and lines. */

export function diffList(before, after) {
  const b = new Set(before || []);
  const a = new Set(after || []);
  return { added: [...a].filter((x) => !b.has(x)), removed: [...b].filter((x) => !a.has(x)) };
}

/** Lines removed and added between two texts (longest common subsequence of lines). */
export function lineChanges(before, after) {
  const a = String(before || '').split('\n').map((l) => l.trim()).filter(Boolean);
  const b = String(after || '').split('\n').map((l) => l.trim()).filter(Boolean);
  const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const added = [];
  const removed = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { i += 1; j += 1; } else if (table[i + 1][j] >= table[i][j + 1]) { removed.push(a[i]); i += 1; } else { added.push(b[j]); j += 1; }
  }
  return { added: added.concat(b.slice(j)), removed: removed.concat(a.slice(i)) };
}
