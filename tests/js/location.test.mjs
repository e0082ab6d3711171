// "Use my location" in the widget (webchat_widget/src/location.js) against the contract.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { LOCATION_PAYLOAD, isLocationButton, locate, problemText, toLocation } from '../../webchat_widget/src/location.js';

const common = JSON.parse(readFileSync(new URL('../../contracts/relay/common.schema.json', import.meta.url)));
const schema = common.$defs.location;
const example = JSON.parse(
  readFileSync(new URL('../../contracts/examples/relay/resident_client.message_location.json', import.meta.url)),
);

const position = (latitude, longitude, accuracy) => ({ coords: { latitude, longitude, accuracy } });
const browser = (outcome) => ({
  getCurrentPosition(ok, fail, options) {
    this.options = options;
    if (outcome.code) fail({ code: outcome.code });
    else ok(outcome);
  },
});

function conforms(location) {
  assert.deepEqual(Object.keys(location).sort(), [...schema.required].sort());
  for (const [key, rule] of Object.entries(schema.properties)) {
    assert.equal(typeof location[key], 'number', key);
    assert.ok(location[key] >= rule.minimum && location[key] <= rule.maximum, key);
  }
}

test('the widget recognises the payload the contract names, and only that', () => {
  assert.equal(LOCATION_PAYLOAD, example.payload);
  assert.ok(isLocationButton({ title: 'Use my location', payload: 'use my location' }));
  assert.ok(!isLocationButton({ title: 'Skip', payload: 'skip' }));
  assert.ok(!isLocationButton({ title: 'Talk to an advisor', action: 'request_advisor' }));
});

test('a browser position becomes the contract location, rounded', () => {
  const location = toLocation(position(52.45213456789, -1.50121212, 19.64));
  assert.deepEqual(location, { lat: 52.452135, long: -1.501212, accuracy: 19.6 });
  conforms(location);
  conforms(example.location);
});

test('a position with numbers out of range or missing is not sent', () => {
  assert.equal(toLocation(position(95, 0, 10)), null);
  assert.equal(toLocation(position(52, NaN, 10)), null);
  assert.equal(toLocation(position(52, -1, undefined)), null);
  assert.equal(toLocation({}), null);
});

test('the browser is asked once, precisely, with a time limit', async () => {
  const geo = browser(position(52.4521, -1.5012, 20));
  assert.deepEqual(await locate(geo), { lat: 52.4521, long: -1.5012, accuracy: 20 });
  assert.equal(geo.options.enableHighAccuracy, true);
  assert.ok(geo.options.timeout > 0 && geo.options.timeout <= 30000);
});

test('refused, unavailable, slow and unsupported each get their own words', async () => {
  for (const [code, words] of [[1, 'chose not to share'], [2, "couldn't find"], [3, 'took too long']]) {
    await assert.rejects(locate(browser({ code })), (got) => got === code);
    assert.match(problemText(code), new RegExp(words));
    assert.match(problemText(code), /type the street/);
  }
  await assert.rejects(locate(undefined), (got) => got === 'unsupported');
  assert.match(problemText('unsupported'), /can't share a location/);
});
