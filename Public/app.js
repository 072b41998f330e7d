// Gateway browser page: live WebSocket log, stats, REST console, webhooks panel.
// All server data goes into the DOM through textContent / text nodes only.

const $ = (id) => document.getElementById(id);
const MAX_ROWS = 500;
const TOKEN_KEY = 'gateway.token';

/** Create an element; strings among children become text nodes (safe). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

/** fetch wrapper: JSON in, { ok, status, statusText, data } out. Throws only on network failure. */
async function api(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch { data = text; } }
  return { ok: res.ok, status: res.status, statusText: res.statusText, data };
}

/** Human message for a failed response: the server's {"error":{"message"}} when present. */
function errorText(r) {
  if (r.data && typeof r.data === 'object' && r.data.error) {
    return r.data.error.message || r.data.error.code || `HTTP ${r.status}`;
  }
  if (typeof r.data === 'string' && r.data.trim()) return `HTTP ${r.status}: ${r.data.slice(0, 200)}`;
  return `HTTP ${r.status} ${r.statusText}`.trim();
}

const pad = (n) => String(n).padStart(2, '0');
function clock(date) { return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`; }

// ---------------------------------------------------------------- live messages
const list = $('messages');

/** Append one row; `type` drives the CSS class msg-<type>. */
function addRow({ message = '', sender = '', timestamp, message_type: type = 'unknown' }) {
  const date = timestamp ? new Date(timestamp) : new Date();
  const time = Number.isNaN(date.getTime()) ? String(timestamp) : clock(date);
  const safeType = String(type).replace(/[^a-z0-9_-]/gi, '') || 'unknown';
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(el('li', { class: `msg msg-${safeType}` },
    el('time', { class: 'msg-time', datetime: timestamp || date.toISOString(), title: String(timestamp || '') }, time),
    el('span', { class: 'msg-type' }, safeType),
    el('span', { class: 'msg-sender' }, String(sender ?? '')),
    el('span', { class: 'msg-text' }, typeof message === 'string' ? message : JSON.stringify(message ?? ''))));
  while (list.children.length > MAX_ROWS) list.firstElementChild.remove();
  if (nearBottom) list.scrollTop = list.scrollHeight;
}
const localRow = (message, type = 'local') => addRow({ message, sender: '(page)', message_type: type });

$('messages-clear').addEventListener('click', () => list.replaceChildren());

// ---------------------------------------------------------------- WebSocket
const CLOSE_REASONS = {
  1000: 'normal closure', 1001: 'server shutting down', 1006: 'connection lost',
  1008: 'rate limit exceeded', 1009: 'message too big', 1011: 'server error',
  4001: 'evicted: outbound queue overflowed (slow consumer)',
};
const WS_BASE = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host;
let ws = null;             // current socket (null when closed)
let wantConnected = true;  // false once the user pressed Disconnect
let backoff = 1000;        // next reconnect delay, ms
let retryTimer = null;

function setState(state, detail = '') {
  const badge = $('conn-state');
  badge.className = `badge state-${state}`;
  badge.textContent = detail ? `${state} ${detail}` : state;
  $('conn-toggle').textContent = wantConnected ? 'Disconnect' : 'Connect';
}

function connect() {
  clearTimeout(retryTimer);
  $('conn-retry').textContent = '';
  const desired = $('desired-id').value.trim();
  const sock = new WebSocket(WS_BASE + '/ws' + (desired ? '/' + encodeURIComponent(desired) : ''));
  let opened = false;
  ws = sock;
  setState('connecting');
  sock.onopen = () => {
    if (ws !== sock) return;
    opened = true;
    if (!wantConnected) { sock.close(1000, 'user disconnect'); return; } // Disconnect pressed while connecting
    backoff = 1000;
    setState('connected');
  };
  sock.onmessage = (ev) => { if (ws === sock) handleFrame(ev.data); };
  sock.onclose = (ev) => {
    if (ws !== sock) return;
    ws = null;
    $('client-id').textContent = '—';
    const why = opened ? (CLOSE_REASONS[ev.code] || 'closed') : 'could not connect';
    setState('closed', `${ev.code} — ${why}`);
    if (opened) localRow(`Connection closed: ${ev.code} ${why}${ev.reason ? ` (${ev.reason})` : ''}`, ev.code === 1000 ? 'system' : 'error');
    if (wantConnected) scheduleReconnect();
  };
}

/** Exponential backoff: 1s, 2s, 4s … capped at 30s; reset in onopen. */
function scheduleReconnect() {
  const delay = backoff;
  backoff = Math.min(backoff * 2, 30000);
  $('conn-retry').textContent = `reconnecting in ${delay / 1000}s`;
  retryTimer = setTimeout(() => { if (wantConnected) connect(); }, delay);
}

function disconnect() {
  wantConnected = false;
  clearTimeout(retryTimer);
  $('conn-retry').textContent = '';
  $('conn-toggle').textContent = 'Connect';
  // Closing a socket that is still CONNECTING logs a browser error, so onopen closes it instead.
  if (ws && ws.readyState === WebSocket.OPEN) ws.close(1000, 'user disconnect');
  if (ws) setState('closing');
}

function handleFrame(raw) {
  let msg;
  try { msg = JSON.parse(raw); } catch { msg = null; }
  if (!msg || typeof msg !== 'object') { addRow({ message: String(raw), message_type: 'raw' }); return; }
  if (msg.message_type === 'welcome' && msg.client_id) $('client-id').textContent = String(msg.client_id);
  addRow(msg);
}

$('conn-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (wantConnected) { disconnect(); return; }
  wantConnected = true; backoff = 1000;
  connect();
});

// Send form: chat / ping / private. Enter submits the form.
const sendType = $('send-type');
sendType.addEventListener('change', () => {
  const isPrivate = sendType.value === 'private';
  $('send-to').hidden = !isPrivate;
  $('send-to').required = isPrivate;
  $('send-text').placeholder = sendType.value === 'ping' ? '(no text needed for ping)' : 'Message (Enter sends)';
});

$('send-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = $('send-text').value;
  const type = sendType.value;
  if (!ws || ws.readyState !== WebSocket.OPEN) { localRow('Not connected: message not sent.', 'error'); return; }
  let frame;
  if (type === 'ping') frame = { message_type: 'ping' };
  else if (!text.trim()) { $('send-text').focus(); return; }
  else if (type === 'private') {
    const to = $('send-to').value.trim();
    if (!to) { $('send-to').focus(); return; }
    frame = { message_type: 'private', to, message: text };
    localRow(`→ ${to}: ${text}`, 'private-out');
  } else frame = { message: text, message_type: 'chat' };
  ws.send(JSON.stringify(frame));
  if (type !== 'ping') $('send-text').value = '';
});

// ---------------------------------------------------------------- stats
const STAT_LABELS = {
  active_connections: 'Active connections', total_messages_sent: 'Messages sent',
  messages_received: 'Messages received', messages_dropped: 'Messages dropped',
  clients_evicted: 'Clients evicted', total_connections_created: 'Connections created',
  uptime_seconds: 'Uptime',
};
function formatUptime(s) {
  s = Math.floor(Number(s) || 0);
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? `${d}d ` : '') + `${h}h ${pad(m)}m ${pad(s % 60)}s`;
}
function renderStats(data) {
  const keys = [...Object.keys(STAT_LABELS), ...Object.keys(data).filter((k) => !(k in STAT_LABELS))];
  $('stats-list').replaceChildren(...keys.filter((k) => k in data && typeof data[k] !== 'object').map((k) =>
    el('div', { class: 'stat' },
      el('dt', {}, STAT_LABELS[k] || k),
      el('dd', { id: `stat-${k}` }, k === 'uptime_seconds' ? formatUptime(data[k]) : String(data[k])))));
}
let statsTimer = null;
let statsBusy = false;
async function refreshStats() {
  if (statsBusy) return;
  statsBusy = true;
  try {
    const r = await api('GET', '/stats');
    if (r.ok && r.data && typeof r.data === 'object') { renderStats(r.data); $('stats-status').textContent = `updated ${clock(new Date())}`; }
    else $('stats-status').textContent = `error: ${errorText(r)}`;
  } catch (e) { $('stats-status').textContent = `unreachable (${e.message})`; }
  finally { statsBusy = false; }
}
function startStats() { if (!statsTimer) { refreshStats(); statsTimer = setInterval(refreshStats, 2000); } }
function stopStats() { clearInterval(statsTimer); statsTimer = null; }
document.addEventListener('visibilitychange', () => (document.hidden ? stopStats() : startStats()));

// ---------------------------------------------------------------- REST console
async function restCall(method, path, body) {
  $('rest-request').textContent = `${method} ${path}` + (body !== undefined ? `\n${JSON.stringify(body, null, 2)}` : '');
  $('rest-request').classList.remove('muted');
  const status = $('rest-status');
  status.textContent = '…'; status.className = '';
  $('rest-response').textContent = '';
  try {
    const r = await api(method, path, body);
    status.textContent = `HTTP ${r.status} ${r.statusText}`.trim() + (r.ok ? '' : ` — ${errorText(r)}`);
    status.className = r.ok ? 'ok' : 'err';
    $('rest-response').textContent = typeof r.data === 'string' ? r.data : JSON.stringify(r.data, null, 2);
  } catch (e) { status.textContent = `Network error: ${e.message}`; status.className = 'err'; }
}
for (const btn of document.querySelectorAll('#rest [data-get]')) btn.addEventListener('click', () => restCall('GET', btn.dataset.get));
$('broadcast-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const body = { message: $('bc-message').value };
  if ($('bc-sender').value.trim()) body.sender = $('bc-sender').value.trim();
  if ($('bc-type').value.trim()) body.message_type = $('bc-type').value.trim();
  restCall('POST', '/broadcast', body);
});
$('specific-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const ids = $('sp-ids').value.split(',').map((s) => s.trim()).filter(Boolean);
  restCall('POST', '/broadcast/specific', { message: $('sp-message').value, client_ids: ids });
});

// ---------------------------------------------------------------- webhooks
function readToken() {
  const params = new URLSearchParams(location.search);
  let token = null;
  try {
    if (params.has('token')) {
      if (params.get('token')) sessionStorage.setItem(TOKEN_KEY, params.get('token'));
      params.delete('token');
      const query = params.toString();
      history.replaceState(history.state, '', location.pathname + (query ? `?${query}` : '') + location.hash);
    }
    token = sessionStorage.getItem(TOKEN_KEY);
  } catch { token = params.get('token'); } // storage blocked: keep it in memory only
  return token || null;
}
let token = readToken();
let nextCursor = null;
const NO_TOKEN = 'Not authorized: open the URL printed by the server at start-up, which carries ?token=…';

function whStatus(text, kind = 'info') {
  const p = $('webhooks-status');
  p.hidden = !text; p.textContent = text || ''; p.className = `notice notice-${kind}`;
}
/** Shows the error of a webhook call; true when `r` failed. A 404 on the collection means no webhook routes. */
function whFailed(r, onCollection = true) {
  if (r.ok) return false;
  if (r.status === 401) {
    try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* storage blocked */ }
    token = null; whStatus(NO_TOKEN, 'warn');
  } else if (r.status === 404 && onCollection) {
    whStatus('webhooks not available in this build', 'warn');
    $('webhook-form').hidden = true;
  } else whStatus(errorText(r), 'error');
  return true;
}
const whCall = (method, path, body) => api(method, path, body, { Authorization: `Bearer ${token}` });

function hookItem(h) {
  const events = Array.isArray(h.events) ? h.events.join(', ') : String(h.events ?? '');
  return el('li', { class: 'hook' },
    el('div', { class: 'hook-main' },
      el('strong', { class: 'hook-url' }, String(h.url ?? '')),
      el('span', { class: 'muted' }, `id ${h.id} · events: ${events} · ${h.enabled === false ? 'disabled' : 'enabled'}`),
      h.description ? el('span', {}, String(h.description)) : null),
    el('button', { type: 'button', class: 'small danger', 'aria-label': `Delete webhook ${h.url}`,
      onclick: () => deleteHook(h) }, 'Delete'));
}

async function loadHooks(append = false) {
  if (!token) { whStatus(NO_TOKEN, 'warn'); $('webhooks-list').replaceChildren(); return; }
  const path = '/webhooks' + (append && nextCursor ? `?cursor=${encodeURIComponent(nextCursor)}` : '');
  try {
    const r = await whCall('GET', path);
    if (whFailed(r)) return;
    $('webhook-form').hidden = false;
    const items = Array.isArray(r.data?.data) ? r.data.data : [];
    nextCursor = r.data?.next_cursor || null;
    $('webhooks-more').hidden = !nextCursor;
    if (append) $('webhooks-list').append(...items.map(hookItem));
    else $('webhooks-list').replaceChildren(...items.map(hookItem));
    whStatus(!append && items.length === 0 ? 'No subscriptions yet.' : '');
  } catch (e) { whStatus(`Network error: ${e.message}`, 'error'); }
}

async function deleteHook(h) {
  if (!confirm(`Delete webhook ${h.url}?`)) return;
  try {
    const r = await whCall('DELETE', `/webhooks/${encodeURIComponent(h.id)}`);
    if (!whFailed(r, false)) loadHooks();
  } catch (e) { whStatus(`Network error: ${e.message}`, 'error'); }
}

$('webhook-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!token) { whStatus(NO_TOKEN, 'warn'); return; }
  const events = $('wh-events').value.split(',').map((s) => s.trim()).filter(Boolean);
  const body = { url: $('wh-url').value.trim(), events: events.length ? events : ['*'] };
  if ($('wh-description').value.trim()) body.description = $('wh-description').value.trim();
  try {
    const r = await whCall('POST', '/webhooks', body);
    if (whFailed(r)) return;
    $('webhook-secret-url').textContent = String(r.data?.url ?? body.url);
    $('webhook-secret-value').textContent = String(r.data?.secret ?? '(no secret returned)');
    $('webhook-secret').hidden = false;
    ev.target.reset();
    loadHooks();
  } catch (e) { whStatus(`Network error: ${e.message}`, 'error'); }
});
$('webhook-secret-dismiss').addEventListener('click', () => { $('webhook-secret').hidden = true; $('webhook-secret-value').textContent = ''; });
$('webhook-secret-copy').addEventListener('click', async () => {
  const btn = $('webhook-secret-copy');
  try { await navigator.clipboard.writeText($('webhook-secret-value').textContent); btn.textContent = 'Copied'; }
  catch { btn.textContent = 'Copy failed: select the text'; }
  setTimeout(() => { btn.textContent = 'Copy'; }, 2000);
});
$('webhooks-refresh').addEventListener('click', () => loadHooks());
$('webhooks-more').addEventListener('click', () => loadHooks(true));

// ---------------------------------------------------------------- start
connect();
if (!document.hidden) startStats();
loadHooks();
