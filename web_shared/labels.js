/**
 * Names people read for codes (report buttons, topics), fetched once from GET /api/labels,
 * so the service list lives in the knowledge base's messages.yml and nowhere in the pages.
 */

let loaded = null;

/** {reports: [[code, "Report a pothole"], ...], topics: {slug: "Bins and recycling"}}. */
export function loadLabels(fetchJson = defaultFetch) {
  if (!loaded) {
    loaded = fetchJson('/api/labels').catch((err) => {
      loaded = null; // try again next time
      throw err;
    });
  }
  return loaded;
}

async function defaultFetch(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`labels: HTTP ${response.status}`);
  return response.json();
}
