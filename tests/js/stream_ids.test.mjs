// Stream ids are compared one way everywhere (web_shared/stream_ids.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compareIds, isStreamId, laterId } from '../../web_shared/stream_ids.js';

test('ids compare by time, then sequence, as numbers not text', () => {
  assert.equal(compareIds('9-0', '10-0'), -1);
  assert.equal(compareIds('10-0', '9-0'), 1);
  assert.equal(compareIds('5-10', '5-9'), 1);
  assert.equal(compareIds('5-1', '5-1'), 0);
  assert.equal(compareIds('0-0', '1733400000000-0'), -1);
});

test('ids past 2^53 keep their order (no float rounding)', () => {
  assert.equal(compareIds('9007199254740993-0', '9007199254740992-0'), 1);
  assert.equal(compareIds('1-9007199254740993', '1-9007199254740992'), 1);
});

test('malformed ids sort first and are recognised', () => {
  assert.equal(compareIds('nonsense', '0-0'), -1);
  assert.equal(compareIds('1-0', ''), 1);
  assert.equal(compareIds(undefined, null), 0);
  assert.equal(isStreamId('1733400000000-3'), true);
  assert.equal(isStreamId('1733400000000'), false);
  assert.equal(laterId('2-0', '10-0'), '10-0');
});
