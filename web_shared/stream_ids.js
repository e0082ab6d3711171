/**
 * Redis stream ids ("1733400000000-0"): milliseconds, a dash, a sequence number. Both
 * parts can pass 2^53, so they are compared as BigInt, never as floats or strings
 * ("9-0" < "10-0" as numbers, not as text).
 */

const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;

/** True for a well-formed stream id. */
export function isStreamId(id) {
  return typeof id === 'string' && STREAM_ID.test(id);
}

/**
 * -1, 0 or 1 as stream id `a` comes before, is, or comes after `b`. A malformed id sorts
 * before every real one ("0-0" is the start).
 */
export function compareIds(a, b) {
  const ma = STREAM_ID.exec(a || '');
  const mb = STREAM_ID.exec(b || '');
  if (!ma || !mb) return ma ? 1 : (mb ? -1 : 0);
  const [a1, a2, b1, b2] = [ma[1], ma[2], mb[1], mb[2]].map(BigInt);
  if (a1 !== b1) return a1 < b1 ? -1 : 1;
  if (a2 !== b2) return a2 < b2 ? -1 : 1;
  return 0;
}

/** The later of two stream ids. */
export function laterId(a, b) {
  return compareIds(a, b) >= 0 ? a : b;
}
