/**
 * Staff pages' JSON API helper and session: one fetch wrapper (same-origin cookie, CSRF
 * header on changes, errors in the API's {"error": {code, message}} shape), used by the
 * advisor console, the content editor and the staff sign-in page.
 */

const NO_SESSION_PATHS = new Set(['/api/advisor/login', '/api/advisor/me']);

/**
 * A client for one page. `onSessionEnded()` is called when a request other than
 * login/me answers 401 (the session expired or was ended elsewhere).
 */
export function createApi({ onSessionEnded = () => {}, serverErrorMessage = 'Something went wrong on the server. Try again.',
  networkMessage = 'Cannot reach the server. Check your connection and try again.' } = {}) {
  const session = { me: null };

  /** One request: {ok, status, data, error}; never throws. status 0 = network, -1 = aborted. */
  async function call(method, path, body, options) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && session.me) headers['X-CSRF-Token'] = session.me.csrf_token;
    let response;
    try {
      response = await fetch(path, {
        method, headers, credentials: 'same-origin', signal: options && options.signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (err && err.name === 'AbortError') return { ok: false, status: -1, data: null, error: { code: 'aborted', message: '' } };
      return { ok: false, status: 0, data: null, error: { code: 'network', message: networkMessage } };
    }
    let data = null;
    const type = response.headers.get('Content-Type') || '';
    if (response.status !== 204 && type.includes('json')) {
      try { data = await response.json(); } catch (err) { data = null; }
    }
    const error = response.ok ? null : ((data && data.error) || { code: `http_${response.status}`, message: serverErrorMessage });
    if (response.status === 401 && !NO_SESSION_PATHS.has(path)) onSessionEnded();
    return { ok: response.ok, status: response.status, data, error };
  }

  /** A state-changing request; if the CSRF token went stale (signed in elsewhere), fetch it again once. */
  async function change(method, path, body) {
    let result = await call(method, path, body);
    if (result.status === 403 && result.error && result.error.code === 'csrf') {
      const me = await call('GET', '/api/advisor/me');
      if (me.ok && me.data) {
        session.me = me.data;
        result = await call(method, path, body);
      }
    }
    return result;
  }

  /** Who is signed in ({username, name, roles, csrf_token}), or null. */
  async function whoAmI() {
    const result = await call('GET', '/api/advisor/me');
    session.me = result.ok ? result.data : null;
    return result.ok ? session.me : (result.status === 401 ? null : Promise.reject(result.error));
  }

  async function signIn(username, password) {
    const result = await call('POST', '/api/advisor/login', { username, password });
    if (result.ok) session.me = result.data;
    return result;
  }

  async function signOut() {
    const result = await call('POST', '/api/advisor/logout');
    if (result.ok || result.status === 401) session.me = null;
    return result;
  }

  return { session, call, change, whoAmI, signIn, signOut };
}

/** True when the signed-in person has `role`. */
export function hasRole(me, role) {
  return !!me && (me.roles || []).includes(role);
}

/** 404 from a route that does not exist yet (the relay answers http_404 for unknown /api/ paths). */
export function missingEndpoint(result) {
  return result.status === 404 && (!result.error || result.error.code === 'http_404');
}

/**
 * The staff sign-in page, coming back to this page (path, query and hash) afterwards.
 * `notice` is a code the sign-in page words: 'ended' (the session ended).
 */
export function signInUrl(notice) {
  const next = location.pathname + location.search + location.hash;
  const params = new URLSearchParams({ next });
  if (notice) params.set('notice', notice);
  return `/staff/?${params}`;
}

/** Go to the staff sign-in page (replacing this page in the history). */
export function goToSignIn(notice) {
  location.replace(signInUrl(notice));
}
