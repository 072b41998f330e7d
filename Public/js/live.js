// Live tab: the WebSocket hub. Connect/disconnect, automatic reconnect with capped exponential
// backoff, own client id from the welcome, chat / ping / private, a filtered colored message log.

import { $, el, fmtTime, cssToken } from './dom.js';

const MAX_ROWS = 500;
const BACKOFF_START = 1000;
const BACKOFF_MAX = 30000;
const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const CLOSE_REASONS = {
  1000: 'normal closure', 1001: 'server shutting down', 1005: 'closed without a code', 1006: 'connection lost',
  1008: 'policy: rate limit or unusable client id', 1009: 'message too big', 1011: 'server error',
  1013: 'hub full, try again later', 4001: 'evicted: read too slowly (outbox overflowed)',
};

let ws = null;               // the current socket, null when none
let wantConnected = true;    // false after the user pressed Disconnect
let backoff = BACKOFF_START;
let attempt = 0;
let retryTimer = null;
let countdownTimer = null;
let welcomed = false;

function setState(state, detail = '') {
  const badge = $('conn-state');
  badge.dataset.state = state;
  badge.textContent = state;
  badge.title = detail;
  $('conn-detail').textContent = detail;
  const busy = state === 'connected' || state === 'connecting' || state === 'reconnecting';
  $('conn-toggle').textContent = busy && wantConnected ? 'Disconnect' : 'Connect';
  $('send-button').disabled = state !== 'connected';
  $('ping-button').disabled = state !== 'connected';
}

function wsUrl() {
  const desired = $('desired-id').value.trim();
  const base = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
  return base + '/ws' + (desired ? `/${encodeURIComponent(desired)}` : '');
}

function connect() {
  clearTimeout(retryTimer); clearInterval(countdownTimer);
  const desired = $('desired-id').value.trim();
  if (desired && !ID_PATTERN.test(desired)) {
    wantConnected = false;
    setState('closed', 'client id: 1 to 64 of A-Z a-z 0-9 . _ -');
    $('desired-id').focus();
    return;
  }
  welcomed = false;
  attempt += 1;
  const sock = new WebSocket(wsUrl());
  ws = sock;
  setState('connecting', attempt > 1 ? `attempt ${attempt}` : '');
  sock.onopen = () => {
    if (ws !== sock || !wantConnected) { sock.close(1000, 'user disconnect'); return; }
    backoff = BACKOFF_START; attempt = 0;
    setState('connected');
  };
  sock.onmessage = (ev) => { if (ws === sock) handleFrame(ev.data); };
  sock.onclose = (ev) => {
    if (ws !== sock) return;
    ws = null;
    $('client-id').textContent = '—';
    const why = CLOSE_REASONS[ev.code] || 'closed';
    const text = `${ev.code} ${why}${ev.reason ? ` (${ev.reason})` : ''}`;
    if (welcomed || ev.code !== 1006) localRow(`Connection closed: ${text}`, ev.code === 1000 ? 'system' : 'error');
    // 1008 before the welcome is an unusable client id: retrying cannot help.
    if (ev.code === 1008 && !welcomed) wantConnected = false;
    setState('closed', text);
    if (wantConnected) scheduleReconnect();
  };
}

function scheduleReconnect() {
  const delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
  backoff = Math.min(backoff * 2, BACKOFF_MAX);
  const due = Date.now() + delay;
  const show = () => {
    const left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
    setState('reconnecting', `in ${left} s (backoff, max ${BACKOFF_MAX / 1000} s)`);
  };
  show();
  countdownTimer = setInterval(show, 1000);
  retryTimer = setTimeout(() => { clearInterval(countdownTimer); if (wantConnected) connect(); }, delay);
}

function disconnect() {
  wantConnected = false;
  clearTimeout(retryTimer); clearInterval(countdownTimer);
  if (ws && ws.readyState === WebSocket.OPEN) { ws.close(1000, 'user disconnect'); setState('closing'); }
  else if (ws) setState('closing'); // still connecting: onopen closes it (closing now logs a browser error)
  else setState('closed', 'disconnected');
}

function handleFrame(raw) {
  let msg = null;
  try { msg = JSON.parse(raw); } catch { /* not JSON */ }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) { addRow({ message: String(raw), message_type: 'raw' }); return; }
  if (msg.message_type === 'welcome' && msg.client_id) {
    welcomed = true;
    $('client-id').textContent = String(msg.client_id);
  }
  addRow(msg);
}

// ------------------------------------------------------------------ message log

function rowMatches(li, needle) {
  return !needle || li.dataset.search.includes(needle);
}

function addRow({ message = '', sender = '', timestamp, message_type: type = 'unknown', to }) {
  const list = $('messages');
  const typeText = String(type ?? 'unknown');
  const text = typeof message === 'string' ? message : JSON.stringify(message ?? '');
  const senderText = String(sender ?? '');
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const li = el('li', { class: `msg msg-${cssToken(typeText)}`, 'data-testid': 'message', 'data-type': typeText },
    el('time', { class: 'msg-time', datetime: timestamp || new Date().toISOString(), title: String(timestamp || '') }, fmtTime(timestamp || new Date())),
    el('span', { class: 'msg-type' }, typeText),
    el('span', { class: 'msg-sender' }, senderText + (to ? ` → ${to}` : '')),
    el('span', { class: 'msg-text' }, text));
  li.dataset.search = `${typeText} ${senderText} ${to || ''} ${text}`.toLowerCase();
  li.hidden = !rowMatches(li, $('msg-filter').value.trim().toLowerCase());
  list.append(li);
  while (list.children.length > MAX_ROWS) list.firstElementChild.remove();
  if (nearBottom) list.scrollTop = list.scrollHeight;
  updateCount();
}

/** A row written by the page itself (not from the server). */
function localRow(message, type = 'local', to) {
  addRow({ message, sender: '(this page)', message_type: type, to, timestamp: new Date().toISOString() });
}

function updateCount() {
  const list = $('messages');
  const shown = [...list.children].filter((li) => !li.hidden).length;
  const total = list.children.length;
  $('msg-count').textContent = shown === total ? `${total} messages` : `${shown} of ${total} messages`;
}

function applyFilter() {
  const needle = $('msg-filter').value.trim().toLowerCase();
  for (const li of $('messages').children) li.hidden = !rowMatches(li, needle);
  updateCount();
}

// ------------------------------------------------------------------ sending

function send(frame) {
  if (!ws || ws.readyState !== WebSocket.OPEN) { localRow('Not connected: nothing sent.', 'error'); return false; }
  ws.send(JSON.stringify(frame));
  return true;
}

function onTypeChange() {
  const isPrivate = $('send-type').value === 'private';
  $('send-to-wrap').hidden = !isPrivate;
  $('send-to').required = isPrivate;
}

/** Wires the Live tab and connects. */
export function initLive() {
  $('conn-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (wantConnected) { disconnect(); return; }
    wantConnected = true; backoff = BACKOFF_START; attempt = 0;
    if (ws && ws.readyState === WebSocket.OPEN) ws.close(1000, 'reconnect');
    ws = null; // a socket still connecting closes itself in onopen (it is no longer `ws`)
    connect();
  });
  $('send-type').addEventListener('change', onTypeChange);
  onTypeChange();
  $('send-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $('send-text').value;
    if (!text.trim()) { $('send-text').focus(); return; }
    if ($('send-type').value === 'private') {
      const to = $('send-to').value.trim();
      if (!to) { $('send-to').focus(); return; }
      if (send({ message_type: 'private', to, message: text })) {
        localRow(text, 'private-out', to); // private messages are not echoed to the sender
        $('send-text').value = '';
      }
    } else if (send({ message: text })) {
      $('send-text').value = '';
    }
  });
  $('ping-button').addEventListener('click', () => send({ message_type: 'ping' }));
  $('msg-filter').addEventListener('input', applyFilter);
  $('messages-clear').addEventListener('click', () => { $('messages').replaceChildren(); updateCount(); });
  updateCount();
  connect();
}
