/* Durations in words for residents. */

export function describeDuration(ms) {
  if (ms >= 60000) {
    const n = Math.round(ms / 60000);
    return n + (n === 1 ? " minute" : " minutes");
  }
  const s = Math.max(1, Math.round(ms / 1000));
  return s + (s === 1 ? " second" : " seconds");
}
