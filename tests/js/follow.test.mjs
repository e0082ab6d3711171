// Where the transcript rests when the bot's turn arrives (webchat_widget/src/follow.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { followTarget } from '../../webchat_widget/src/follow.js';

test('a turn that fits is shown to its end', () => {
  assert.equal(followTarget({ end: 500, view: 300, turnTop: 600 }), 500);
  assert.equal(followTarget({ end: 500, view: 300 }), 500);
});

test('a long answer without buttons is shown from its first line', () => {
  assert.equal(followTarget({ end: 900, view: 300, turnTop: 400 }), 392);
});

test('a question whose buttons would fall below the fold brings the buttons into view', () => {
  // The turn starts at 400; its buttons end at 760: from 392 the log shows only up to 692.
  assert.equal(followTarget({ end: 900, view: 300, turnTop: 400, actionsTop: 700, actionsBottom: 760 }), 468);
});

test('buttons already in view leave the turn shown from its start', () => {
  assert.equal(followTarget({ end: 900, view: 300, turnTop: 400, actionsTop: 600, actionsBottom: 650 }), 392);
});

test('buttons taller than the log are shown from their top', () => {
  assert.equal(followTarget({ end: 900, view: 300, turnTop: 100, actionsTop: 500, actionsBottom: 1000 }), 492);
});

test('the log never rests past its end', () => {
  assert.equal(followTarget({ end: 450, view: 300, turnTop: 100, actionsTop: 700, actionsBottom: 790 }), 450);
});
