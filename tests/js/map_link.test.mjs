// The advisors' map link for a case placed by "Use my location" (advisor_console/map_link.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { mapUrl, positionText } from '../../advisor_console/map_link.js';

test('a case with a position links to OpenStreetMap with a marker there', () => {
  assert.equal(
    mapUrl(52.452137, -1.501249),
    'https://www.openstreetmap.org/?mlat=52.45214&mlon=-1.50125#map=18/52.45214/-1.50125',
  );
  assert.equal(positionText(52.452137, -1.501249), '52.45214, -1.50125');
});

test('a case without a usable position gets no link', () => {
  for (const [lat, long] of [[null, null], [undefined, 1], ['52.4', '-1.5'], [NaN, 0], [91, 0]]) {
    assert.equal(mapUrl(lat, long), '');
    assert.equal(positionText(lat, long), '');
  }
});
