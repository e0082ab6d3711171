// The widget's words when a photo upload fails (webchat_widget/src/photos.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_PHOTOS, PHOTO_PAYLOAD, photosSummary, uploadError } from '../../webchat_widget/src/photos.js';

test('the front door\'s own words are shown when it gives them', () => {
  const body = { error: { code: 'not_an_image', message: 'That file is not a photo we can take.' } };
  assert.equal(uploadError(422, body), 'That file is not a photo we can take.');
});

test('a refusal without words still says what to do', () => {
  assert.match(uploadError(413, null), /too big.*smaller/);
  assert.match(uploadError(0, null), /connection/);
  assert.match(uploadError(500, { error: {} }), /try again/);
});

test('the photo offer and its limit match the bot\'s (actions/reports/photos.py)', () => {
  assert.equal(PHOTO_PAYLOAD, '/add_photo');
  assert.equal(MAX_PHOTOS, 3);
});

test('the panel\'s one line says how many photos are added, or that they are optional', () => {
  assert.equal('Photos' + photosSummary(0), 'Photos (optional, up to 3)');
  assert.equal('Photos' + photosSummary(2), 'Photos: 2 added');
});
