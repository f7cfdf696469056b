// The REST API as the console calls it: same-origin fetch with the session cookie and the X-Orch-Console header (the
// API accepts the cookie only with that header: a cross-site form cannot send it). A 401 anywhere signs the console out.

const CONSOLE_HEADER = { 'X-Orch-Console': '1' };

export class ApiError extends Error {
  constructor(status, problem) {
    const errors = ((problem && problem.errors) || []).map((e) => `${e.path}: ${e.message}`).join('; ');
    const base = (problem && (problem.detail || problem.title)) || `HTTP ${status}`;
    super(errors && !base.includes(errors) ? `${base} (${errors})` : base);
    this.status = status;
    this.problem = problem;
  }
}

let unauthorized = () => {};

/** Called when the API answers 401 (a revoked or expired token, or no session). */
export function onUnauthorized(handler) { unauthorized = handler; }

async function problemOf(res) {
  try { return await res.json(); } catch { return null; }
}

export async function api(path, { method = 'GET', body, signal, text = false, headers: extra = {} } = {}) {
  const headers = { ...CONSOLE_HEADER, Accept: text ? 'text/plain' : 'application/json', ...extra };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, signal, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    const problem = await problemOf(res);
    if (res.status === 401 && !path.startsWith('/console/')) unauthorized();
    throw new ApiError(res.status, problem);
  }
  if (res.status === 204) return null;
  return text ? res.text() : res.json();
}

export const signIn = (token) => api('/console/session', { method: 'POST', body: { token } });
export const signOut = () => api('/console/session', { method: 'DELETE' });

/**
 * Follows a server-sent event stream over fetch (EventSource cannot send the console's header). onEvent(name, data)
 * for each event with data; resolves when the server sends `end` (or `gone`; `unauthorized` signs the console out),
 * reconnects after a drop with Last-Event-ID, and stops when signal aborts.
 */
export async function follow(path, onEvent, signal) {
  let lastId = '';
  while (!signal.aborted) {
    try {
      const headers = { ...CONSOLE_HEADER, Accept: 'text/event-stream' };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const res = await fetch(path, { headers, signal, credentials: 'same-origin', cache: 'no-store' });
      if (res.status === 401) { unauthorized(); return; }
      if (!res.ok) throw new ApiError(res.status, await problemOf(res));
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let at;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          let event = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            let v = colon < 0 ? '' : line.slice(colon + 1);
            if (v.startsWith(' ')) v = v.slice(1);
            if (field === 'event') event = v;
            else if (field === 'data') data.push(v);
            else if (field === 'id') lastId = v;
          }
          if (event === 'unauthorized') { unauthorized(); return; } // the token was revoked or expired meanwhile
          if (event === 'end' || event === 'gone') { onEvent(event, null); return; }
          if (data.length) onEvent(event, JSON.parse(data.join('\n')));
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && e.status < 500) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000)); // dropped: reconnect (the server's retry hint)
  }
}

const implies = (held, needed) => held === needed || held === 'admin' || needed === 'viewer';

/** Whether the caller (from /api/v1/me) holds `role`, or one implying it, on namespace `ns` (or on '*'). */
export function allows(me, ns, role) {
  const grants = (me && me.grants) || {};
  return [...(grants[ns] || []), ...(grants['*'] || [])].some((held) => implies(held, role));
}

/**
 * Follows a live view of one thing (GET …/events: `eventName` with the endpoint's reply whenever it changed): draws
 * each; resolves once the first is drawn, rejects if the stream is refused before that (404: it is not there);
 * `gone()` once it was deleted.
 */
export function followOne(path, eventName, draw, gone, signal) {
  return new Promise((resolve, reject) => {
    follow(path, (event, data) => {
      if (event === 'gone') { gone(); resolve(); return; }
      if (event !== eventName) return;
      draw(data);
      resolve();
    }, signal).then(resolve, reject);
  });
}

/**
 * Follows a live list (GET /api/v1/events/…: a `page` event with the list endpoint's reply whenever it changed) and
 * draws each page; resolves once the first page is drawn, rejects if the stream is refused before that (a bad filter's
 * 400 names the field).
 */
export const followPages = (path, draw, signal) => followOne(path, 'page', draw, () => {}, signal);
