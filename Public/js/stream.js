// The admin Server-Sent Events stream (GET /admin/stream): `stats`, `delivery`, `inspector` and
// `webhooks` events, re-emitted on the bus as `sse:<event>`. Read with fetch (so the token travels
// as `Authorization: Bearer`, not in the URL, and a 401/404 can be told apart from a network error).
// Reconnects with capped exponential backoff; a 404 means this server has no stream (the page then
// polls /stats instead); a 401 marks the token rejected.

import { emit, on } from './bus.js';
import { getToken, tokenRejected, tokenAccepted, tokenStatus } from './api.js';

const PATH = '/admin/stream';
const BACKOFF_START = 1000;
const BACKOFF_MAX = 30000;
const IDLE_MS = 15000; // `stats` arrives every 2 s: silence this long means a dead connection

let state = 'off';
let detail = '';
let controller = null;
let retryTimer = null;
let countdownTimer = null;
let idleTimer = null;
let backoff = BACKOFF_START;
let generation = 0;

/** 'off' | 'connecting' | 'open' | 'reconnecting' | 'unavailable' | 'unauthorized'. */
export const streamState = () => state;

function setState(next, text = '') {
  state = next; detail = text;
  emit('stream-state', { state, detail });
}

function stop() {
  generation += 1;
  clearTimeout(retryTimer); clearInterval(countdownTimer); clearTimeout(idleTimer);
  retryTimer = null;
  if (controller) { controller.abort(); controller = null; }
}

/** (Re)starts the stream for the current token; off without one. */
export function restartStream() {
  stop();
  backoff = BACKOFF_START;
  if (!getToken()) { setState('off', 'no admin token'); return; }
  if (tokenStatus() === 'rejected') { setState('unauthorized', 'token refused (401)'); return; }
  open(generation);
}

function scheduleRetry(gen, why) {
  if (gen !== generation) return;
  const delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
  backoff = Math.min(backoff * 2, BACKOFF_MAX);
  const due = Date.now() + delay;
  const show = () => setState('reconnecting', `${why}; retry in ${Math.max(0, Math.ceil((due - Date.now()) / 1000))} s`);
  show();
  countdownTimer = setInterval(show, 1000);
  retryTimer = setTimeout(() => { clearInterval(countdownTimer); if (gen === generation) open(gen); }, delay);
}

async function open(gen) {
  const token = getToken();
  const ctrl = new AbortController();
  controller = ctrl;
  setState('connecting');
  let res;
  try {
    res = await fetch(PATH, {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
      cache: 'no-store', signal: ctrl.signal,
    });
  } catch {
    if (gen === generation) scheduleRetry(gen, 'connection failed');
    return;
  }
  if (gen !== generation) { ctrl.abort(); return; }
  if (res.status === 401) { tokenRejected(token); setState('unauthorized', 'token refused (401)'); ctrl.abort(); return; }
  if (res.status === 404) { setState('unavailable', 'this server has no /admin/stream'); ctrl.abort(); return; }
  const type = res.headers.get('content-type') || '';
  if (!res.ok || !res.body || !type.includes('text/event-stream')) {
    ctrl.abort();
    scheduleRetry(gen, `HTTP ${res.status}`);
    return;
  }
  tokenAccepted(token);
  setState('open');
  try {
    await read(res.body, gen, ctrl);
  } catch { /* aborted or broken: handled below */ }
  clearTimeout(idleTimer);
  if (gen === generation) { ctrl.abort(); scheduleRetry(gen, 'stream ended'); }
}

async function read(body, gen, ctrl) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { type: '', data: [] };
  const armIdle = () => { clearTimeout(idleTimer); idleTimer = setTimeout(() => ctrl.abort(), IDLE_MS); };
  armIdle();
  for (;;) {
    const { value, done } = await reader.read();
    if (done || gen !== generation) return;
    armIdle();
    buffer += value;
    let nl;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      if (buffer[nl] === '\r' && nl === buffer.length - 1) break; // maybe half of a CRLF: wait
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer[nl] === '\r' && buffer[nl + 1] === '\n' ? 2 : 1));
      if (line === '') { dispatch(event); event = { type: '', data: [] }; continue; }
      if (line.startsWith(':')) continue; // comment / keep-alive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? '' : line.slice(colon + 1);
      if (val.startsWith(' ')) val = val.slice(1);
      if (field === 'event') event.type = val;
      else if (field === 'data') event.data.push(val);
    }
  }
}

function dispatch(event) {
  if (!event.data.length) return;
  backoff = BACKOFF_START; // a working stream resets the backoff
  const raw = event.data.join('\n');
  let data;
  try { data = JSON.parse(raw); } catch { data = raw; }
  emit(`sse:${event.type || 'message'}`, data);
}

/** Starts the stream and follows token changes. */
export function initStream() {
  on('token', restartStream);
  restartStream();
}

