/* Times as advisors read them: UK clock times, dates and how long something has waited. */

export function parseTime(iso) {
  const ms = Date.parse(iso || '');
  return Number.isFinite(ms) ? ms : null;
}

export function clock(iso) {
  const ms = parseTime(iso);
  if (ms === null) return '';
  return new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
}

export function dateTime(iso) {
  const ms = parseTime(iso);
  if (ms === null) return iso || '';
  return new Date(ms).toLocaleString('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London',
  });
}

/** "under 1 min", "4 min", "1 hr 12 min". */
export function duration(fromIso) {
  const ms = parseTime(fromIso);
  if (ms === null) return '';
  const minutes = Math.floor(Math.max(0, Date.now() - ms) / 60000);
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} hr ${rest} min` : `${hours} hr`;
}
