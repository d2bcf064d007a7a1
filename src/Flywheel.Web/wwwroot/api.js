// The API through the console's session cookie: same-origin credentials on every call, the session's antiforgery token on writes.
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (error) {
    // A proxy's HTML error page: report the status, not a JSON syntax error.
    if (response.ok) throw error;
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

function remember(session) {
  csrfToken = session?.csrf_token ?? null;
  return session;
}

/** The signed-in session ({key_id, name, role, permissions[], csrf_token, ...}) or null when there is none. */
export async function currentSession() {
  try {
    return remember(await call('GET', '/v1/session'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function signIn(key) {
  return remember(await call('POST', '/v1/session', { key }));
}

export async function signOut() {
  try {
    await call('DELETE', '/v1/session');
  } finally {
    csrfToken = null;
  }
}

export function get(path) {
  return call('GET', path);
}

/** A JSON POST whose answer is a file (an export): the response body as a Blob, or an ApiError with the server's problem. */
export async function postForBlob(path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiError(response.status, problem);
  }
  return response.blob();
}

/** A JSON write: sent with the session's X-CSRF-Token (the server refuses a console write without it). */
export function post(path, body) {
  return call('POST', path, body);
}
