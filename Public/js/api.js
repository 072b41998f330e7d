// HTTP access and the admin token.
// The token comes from `?token=` (then removed from the address bar), a pasted value, or
// sessionStorage; admin calls send it as `Authorization: Bearer`. A 401 marks it rejected.

import { emit } from './bus.js';

const TOKEN_KEY = 'gateway.adminToken';
let token = null;
/** 'missing' (none), 'unknown' (not tried yet), 'ok' (accepted), 'rejected' (401). */
let status = 'missing';

function store(value) {
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* storage blocked: keep it in memory only */ }
}

/** Reads the token from `?token=` (and strips it from the URL) or from sessionStorage. */
export function initToken() {
  const params = new URLSearchParams(location.search);
  if (params.has('token')) {
    const fromUrl = params.get('token').trim();
    if (fromUrl) store(fromUrl);
    params.delete('token');
    const query = params.toString();
    history.replaceState(history.state, '', location.pathname + (query ? `?${query}` : '') + location.hash);
    if (fromUrl) token = fromUrl;
  }
  if (!token) {
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch { token = null; }
  }
  status = token ? 'unknown' : 'missing';
}

export const getToken = () => token;
export const tokenStatus = () => status;

function setStatus(next) {
  if (status === next) return;
  status = next;
  emit('token-status', status);
}

/** Replaces the token (empty clears it), checks it once, then tells every module. */
export async function setToken(value) {
  token = (value || '').trim() || null;
  store(token);
  status = token ? 'unknown' : 'missing';
  emit('token-status', status);
  await verifyToken();
  emit('token', token);
}

/**
 * Checks the token with one cheap admin call, so that a wrong token costs one 401 rather than one
 * per panel (admin calls are not sent while the token is marked rejected).
 */
export async function verifyToken() {
  if (!token || status !== 'unknown') return status;
  await call('GET', '/webhooks?limit=1', { admin: true });
  return status;
}

/** Called by code that got a 401 for `used` (the stream, for instance). */
export function tokenRejected(used) { if (used && used === token) setStatus('rejected'); }
/** Called by code that got an authorized answer for `used`. */
export function tokenAccepted(used) { if (used && used === token) setStatus('ok'); }

/**
 * One HTTP call. Never throws: a network failure answers `{ ok: false, status: 0, error }`.
 * Returns `{ ok, status, statusText, headers, data, ms, sent }`, `data` parsed from JSON when possible,
 * `sent` the request as made (for the REST console; the token is masked there).
 * Options: `body` (JSON-encoded), `headers`, `admin`: true sends the token (without a usable one,
 * answers 401 without a request); 'optional' sends it when there is a usable one.
 */
export async function call(method, path, { body, headers = {}, admin = false, signal } = {}) {
  const sentHeaders = { Accept: 'application/json', ...headers };
  const used = token;
  if (admin === 'optional') {
    // Open routes (the console, /broadcast): send a usable token along (for auth.protectBroadcast), never block.
    if (used && status !== 'rejected') sentHeaders.Authorization = `Bearer ${used}`;
  } else if (admin) {
    // Without a token, or with one the server already refused, answer 401 here: no request (and no console noise).
    if (!used || status === 'rejected') {
      const message = used ? 'the admin token was refused: paste the right one in the field at the top' : 'no admin token: paste it in the field at the top';
      return { ok: false, status: 401, statusText: 'Unauthorized', noToken: !used, headers: new Headers(), data: { error: { code: 'unauthorized', message } }, ms: 0, sent: { method, path, headers: sentHeaders, body } };
    }
    sentHeaders.Authorization = `Bearer ${used}`;
  }
  const init = { method, headers: { ...sentHeaders }, signal, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    sentHeaders['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const masked = { ...sentHeaders };
  if (masked.Authorization) masked.Authorization = `Bearer ${mask(used)}`;
  const sent = { method, path, headers: masked, body };
  const started = performance.now();
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    return { ok: false, status: 0, statusText: 'Network error', error: e.message, headers: new Headers(), data: null, ms: Math.round(performance.now() - started), sent };
  }
  const text = await res.text().catch(() => '');
  const ms = Math.round(performance.now() - started);
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch { data = text; } }
  if (sentHeaders.Authorization) {
    if (res.status === 401) tokenRejected(used);
    else if (!routeMissing({ status: res.status, data })) tokenAccepted(used);
  }
  return { ok: res.ok, status: res.status, statusText: res.statusText, headers: res.headers, data, ms, sent };
}

/** An admin call (sends the token). */
export const admin = (method, path, options = {}) => call(method, path, { ...options, admin: true });

/** "abcd…wxyz" for showing a token. */
export function mask(value) {
  if (!value) return '';
  return value.length <= 8 ? '••••' : `${value.slice(0, 4)}…${value.slice(-4)}`;
}

/** Human message for a failed answer: the server's `error.message` when present. */
export function errorText(r) {
  if (!r) return 'no answer';
  if (r.status === 0) return `network error${r.error ? `: ${r.error}` : ''} (is the server running?)`;
  const err = r.data && typeof r.data === 'object' ? r.data.error : null;
  if (err) return `${r.status} ${err.code || ''}: ${err.message || ''}`.trim();
  if (typeof r.data === 'string' && r.data.trim()) return `HTTP ${r.status}: ${r.data.slice(0, 200)}`;
  return `HTTP ${r.status} ${r.statusText || ''}`.trim();
}

/** True when this server build has no such route (404 "no route for …"), as opposed to a missing resource. */
export function routeMissing(r) {
  if (r.status !== 404) return false;
  const message = r.data && typeof r.data === 'object' && r.data.error ? String(r.data.error.message || '') : '';
  return !message || /^no route/i.test(message);
}

/** `path` with the non-empty `params` as a query string. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Path segment escaping for ids. */
export const seg = (id) => encodeURIComponent(String(id));
