// Where a case is, for advisors: the shared position as words and an OpenStreetMap link
// (the same link the bot gives the resident; contracts/location.py map_url).

/** An OpenStreetMap link with a marker, or '' when the case has no usable position. */
export function mapUrl(lat, long) {
  if (typeof lat !== 'number' || typeof long !== 'number' || !isFinite(lat) || !isFinite(long)) return '';
  if (Math.abs(lat) > 90 || Math.abs(long) > 180) return '';
  const la = lat.toFixed(5);
  const lo = long.toFixed(5);
  return `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=18/${la}/${lo}`;
}

/** "52.45214, -1.50125": short enough to read out on the phone. */
export function positionText(lat, long) {
  return mapUrl(lat, long) ? `${lat.toFixed(5)}, ${long.toFixed(5)}` : '';
}
