// Inspector tab: the built-in request bin. Lists bins and their requests (live from the admin
// stream's `inspector` events), shows headers, body and the signature check, and offers
// "Create a webhook that points here": a bin with a fresh secret plus a webhook for `*` whose URL
// is this gateway's /inspect/{bin}, so register → broadcast → signed callback is one click away.

import { $, el, notice, fmtTime, fmtDateTime, relTime, pretty, fmtBytes, randomSecret, copyText } from './dom.js';
import { admin, call, errorText, routeMissing, seg, getToken } from './api.js';
import { on, emit } from './bus.js';
import { streamState } from './stream.js';
import { currentTab } from './tabs.js';

const MAX_REQUESTS = 200;
const POLL_MS = 5000;
const SIGNATURE_TEXT = {
  valid: 'signature valid: it matches the bin\'s secret',
  invalid: 'signature INVALID: it does not match the bin\'s secret',
  missing: 'no webhook-signature header',
  unchecked: 'not checked: the bin has no secret',
};

const bins = new Map();
let available = true;
let selectedId = null;
let requests = [];
let busy = false;
let demo = null; // { webhookId, binId }

const status = (text, kind) => notice($('inspector-status'), text, kind);
const fullUrl = (bin) => new URL(String(bin.url || `/inspect/${bin.id}`), location.origin).href;

function setAvailable(yes) {
  available = yes;
  for (const id of ['inspector-create-webhook', 'bin-new', 'bins-refresh']) $(id).disabled = !yes;
  if (!yes) status('The request inspector is not available in this server build (no /inspector routes).', 'warn');
}

// ------------------------------------------------------------------ bins

function binRow(bin) {
  const id = String(bin.id);
  const selected = id === selectedId;
  return el('li', { class: `bin${selected ? ' selected' : ''}`, 'data-testid': 'bin-row', 'data-id': id },
    el('button', { type: 'button', class: 'bin-select', 'data-testid': 'bin-select', 'aria-current': selected ? 'true' : null, onclick: () => selectBin(id) },
      el('code', { class: 'bin-id' }, id),
      el('span', { class: 'badge', 'data-testid': 'bin-count', title: 'requests received' }, String(bin.request_count ?? 0))),
    el('span', { class: 'muted small-text' }, `${bin.secret ? 'signed' : 'no secret'} · expires ${relTime(bin.expires_at) || '—'}`),
    el('button', { type: 'button', class: 'small danger', 'data-testid': 'bin-delete', 'aria-label': `Delete bin ${id}`, onclick: () => deleteBin(id) }, 'Delete'));
}

function renderBins() {
  const list = [...bins.values()].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  const focused = $('bins-list').contains(document.activeElement)
    ? [document.activeElement.closest('[data-id]')?.dataset.id, document.activeElement.dataset.testid] : null;
  $('bins-list').replaceChildren(...list.map(binRow));
  if (focused) document.querySelector(`#bins-list [data-id="${CSS.escape(focused[0] || '')}"] [data-testid="${focused[1]}"]`)?.focus();
  $('bins-empty').hidden = list.length > 0 || !available;
}

/** Loads the bin list. */
export async function loadBins() {
  if (!getToken()) { bins.clear(); renderBins(); showBin(null); return; }
  const r = await admin('GET', '/inspector/bins');
  if (!r.ok) {
    if (routeMissing(r)) setAvailable(false);
    else if (r.status !== 401) status(`Could not list bins: ${errorText(r)}`, 'error');
    return;
  }
  setAvailable(true);
  bins.clear();
  for (const b of r.data?.data || []) bins.set(String(b.id), b);
  if (selectedId && !bins.has(selectedId)) showBin(null);
  if (!selectedId && bins.size) {
    const newest = [...bins.values()].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0];
    await selectBin(String(newest.id), { focus: false });
  }
  renderBins();
  if ($('inspector-status').dataset.kind === 'error') status('');
}

async function selectBin(id, { focus = true } = {}) {
  selectedId = id;
  renderBins();
  await refreshSelected();
  if (focus) $('bin-title').focus();
}

async function refreshSelected() {
  if (!selectedId || busy) return;
  busy = true;
  const id = selectedId;
  try {
    const r = await admin('GET', `/inspector/bins/${seg(id)}`);
    if (id !== selectedId) return;
    if (!r.ok) {
      if (r.status === 404 && !routeMissing(r)) { bins.delete(id); showBin(null); renderBins(); status(`Bin ${id} is gone (expired or deleted).`, 'warn'); }
      else if (routeMissing(r)) setAvailable(false);
      else status(errorText(r), 'error');
      return;
    }
    const { requests: list, ...bin } = r.data || {};
    bins.set(id, { ...bins.get(id), ...bin });
    requests = Array.isArray(list) ? list.slice(0, MAX_REQUESTS) : [];
    showBin(bins.get(id));
    renderBins();
  } finally { busy = false; }
}

function showBin(bin) {
  if (!bin) {
    selectedId = null; requests = [];
    $('bin-detail').hidden = true;
    $('bin-none').hidden = false;
    return;
  }
  $('bin-detail').hidden = false;
  $('bin-none').hidden = true;
  $('bin-title').textContent = `Bin ${bin.id}`;
  const url = fullUrl(bin);
  $('bin-url').textContent = url;
  $('bin-curl').textContent = `curl -X POST ${url} -H 'content-type: application/json' -d '{"hello":"bin"}'`;
  $('bin-meta').textContent = `${bin.secret ? 'Signatures are checked with the bin\'s secret' : 'No secret: signatures are not checked'} · created ${fmtDateTime(bin.created_at)} · expires ${fmtDateTime(bin.expires_at)} (${relTime(bin.expires_at)})`;
  renderRequests();
}

// ------------------------------------------------------------------ requests

function eventType(body) {
  try { const j = JSON.parse(body); return j && typeof j.type === 'string' ? j.type : ''; } catch { return ''; }
}

function requestNode(req, open = false) {
  const sig = String(req.signature || 'unchecked');
  const headers = req.headers && typeof req.headers === 'object' ? Object.entries(req.headers).sort(([a], [b]) => a.localeCompare(b)) : [];
  const type = eventType(req.body ?? '');
  const node = el('details', { class: 'req', 'data-testid': 'inspector-request', 'data-id': String(req.id ?? ''), 'data-signature': sig, open },
    el('summary', {},
      el('time', { datetime: req.received_at ?? '', title: fmtDateTime(req.received_at) }, fmtTime(req.received_at)),
      el('span', { class: 'req-method', 'data-testid': 'request-method' }, String(req.method ?? '')),
      el('span', { class: 'req-type' }, type || '—'),
      el('span', { class: 'muted' }, fmtBytes(req.body_bytes ?? 0)),
      el('span', { class: `badge sig-${['valid', 'invalid', 'missing', 'unchecked'].includes(sig) ? sig : 'unchecked'}`, 'data-testid': 'request-signature', 'data-signature': sig, title: SIGNATURE_TEXT[sig] || sig }, sig)),
    el('div', { class: 'req-body' },
      el('p', { class: 'small-text' }, SIGNATURE_TEXT[sig] || `signature: ${sig}`),
      el('h4', {}, 'Headers'),
      el('dl', { class: 'headers', 'data-testid': 'request-headers' }, ...headers.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))])),
      el('h4', {}, 'Body'),
      el('pre', { class: 'body', 'data-testid': 'request-body' }, req.body ? pretty(req.body) : '(empty)')));
  return node;
}

function renderRequests() {
  const list = $('bin-requests');
  const open = new Set([...list.querySelectorAll('details[open]')].map((d) => d.dataset.id));
  list.replaceChildren(...requests.map((req) => el('li', {}, requestNode(req, open.has(String(req.id))))));
  $('requests-empty').hidden = requests.length > 0;
  $('requests-count').textContent = `${requests.length} request${requests.length === 1 ? '' : 's'}`;
}

function onLive(d) {
  if (!d || !d.bin) return;
  const binId = String(d.bin);
  const bin = bins.get(binId);
  if (!bin) { loadBins(); return; }
  if (d.request && binId === selectedId) {
    if (requests.some((r) => r.id === d.request.id)) return;
    requests.unshift(d.request);
    if (requests.length > MAX_REQUESTS) requests.length = MAX_REQUESTS;
    $('bin-requests').prepend(el('li', {}, requestNode(d.request)));
    while ($('bin-requests').children.length > MAX_REQUESTS) $('bin-requests').lastElementChild.remove();
    $('requests-empty').hidden = true;
    $('requests-count').textContent = `${requests.length} request${requests.length === 1 ? '' : 's'}`;
  }
  bin.request_count = (Number(bin.request_count) || 0) + 1;
  const count = document.querySelector(`#bins-list [data-id="${CSS.escape(binId)}"] [data-testid="bin-count"]`);
  if (count) count.textContent = String(bin.request_count);
}

// ------------------------------------------------------------------ actions

async function createBin(secret) {
  const r = await admin('POST', '/inspector/bins', { body: secret ? { secret } : {} });
  if (!r.ok) {
    if (routeMissing(r)) setAvailable(false);
    else status(`Could not create a bin: ${errorText(r)}`, 'error');
    return null;
  }
  bins.set(String(r.data.id), r.data);
  return r.data;
}

async function newBin() {
  const bin = await createBin(null);
  if (!bin) return;
  status(`Created ${bin.id}. POST anything to its URL.`, 'ok');
  await selectBin(String(bin.id));
}

async function deleteBin(id) {
  const r = await admin('DELETE', `/inspector/bins/${seg(id)}`);
  if (!r.ok && r.status !== 404) { status(`Could not delete ${id}: ${errorText(r)}`, 'error'); return; }
  bins.delete(id);
  if (selectedId === id) showBin(null);
  if (demo && demo.binId === id) hideDemo();
  renderBins();
  status(`Deleted ${id}.`, 'ok');
  $('bin-new').focus();
}

/** Creates a bin with a fresh secret, then a webhook for `*` that posts to it, signed with that secret. */
async function createWebhookHere() {
  const btn = $('inspector-create-webhook');
  btn.disabled = true;
  try {
    status('Creating a bin…', 'info');
    const secret = randomSecret();
    const bin = await createBin(secret);
    if (!bin) return;
    const url = fullUrl(bin);
    status('Registering a webhook that points at it…', 'info');
    const r = await admin('POST', '/webhooks', { body: { url, events: ['*'], secret, description: `Inspector ${bin.id}` } });
    if (!r.ok) {
      await admin('DELETE', `/inspector/bins/${seg(bin.id)}`);
      bins.delete(String(bin.id));
      renderBins();
      status(`The webhook was refused: ${errorText(r)}`, 'error');
      return;
    }
    emit('webhook-created', r.data);
    demo = { webhookId: String(r.data.id), binId: String(bin.id) };
    status('');
    $('demo-webhook').textContent = demo.webhookId;
    $('demo-url').textContent = url;
    notice($('demo-status'), '');
    $('inspector-demo').hidden = false;
    await selectBin(String(bin.id), { focus: false });
    $('demo-broadcast').focus();
  } finally { btn.disabled = !available; }
}

function hideDemo() { demo = null; $('inspector-demo').hidden = true; }

async function demoBroadcast() {
  const r = await call('POST', '/broadcast', { body: { message: 'Hello from the inspector', sender: 'inspector' }, admin: 'optional' });
  notice($('demo-status'), r.ok ? `Broadcast sent (${r.data?.recipients ?? 0} WebSocket recipients): the signed message-broadcast delivery appears below.` : `Broadcast failed: ${errorText(r)}`, r.ok ? 'ok' : 'error');
}

async function demoTest() {
  if (!demo) return;
  const r = await admin('POST', `/webhooks/${seg(demo.webhookId)}/test`);
  notice($('demo-status'), r.ok ? `webhook.test queued as ${r.data?.delivery_id}: it appears below.` : `Test failed: ${errorText(r)}`, r.ok ? 'ok' : 'error');
}

/** Without the stream, refreshes the open bin every 5 s while the tab is visible. */
function fallbackPoll() {
  if (document.hidden || !available || !selectedId || currentTab() !== 'inspector') return;
  if (streamState() === 'open') return;
  refreshSelected();
}

/** Wires the Inspector tab. */
export function initInspector() {
  $('inspector-create-webhook').addEventListener('click', createWebhookHere);
  $('bin-new').addEventListener('click', newBin);
  $('bins-refresh').addEventListener('click', () => { loadBins(); refreshSelected(); });
  $('bin-copy').addEventListener('click', () => copyText($('bin-url').textContent, $('bin-copy'), $('bin-url')));
  $('demo-broadcast').addEventListener('click', demoBroadcast);
  $('demo-test').addEventListener('click', demoTest);
  $('demo-dismiss').addEventListener('click', hideDemo);
  on('sse:inspector', onLive);
  on('token', () => { available = true; setAvailable(true); status(''); selectedId = null; hideDemo(); loadBins(); });
  on('tab', (name) => { if (name === 'inspector') { if (!bins.size) loadBins(); else refreshSelected(); } });
  setInterval(fallbackPoll, POLL_MS);
  showBin(null);
  loadBins();
}
