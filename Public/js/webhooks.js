// Webhooks tab, the list: subscriptions (paginated), enable/disable, delete with a confirmation,
// reveal/copy/rotate the secret, send a test, open the form to edit. Kept current by the admin
// stream's `webhooks` events. The form itself is webhook-form.js.

import { $, el, notice, fmtDateTime, copyText } from './dom.js';
import { admin, errorText, routeMissing, seg, withQuery, getToken } from './api.js';
import { on, emit } from './bus.js';
import { initWebhookForm, editSubscription, forgetSubscription } from './webhook-form.js';

const PAGE = 50;

const subs = new Map();
let nextCursor = null;
let loadedOnce = false;
let loading = false;
const pendingRefresh = new Map();

/** The subscriptions loaded so far, in creation order. */
export const subscriptions = () => [...subs.values()];

const status = (text, kind) => notice($('webhooks-status'), text, kind);

// ------------------------------------------------------------------ list

function describeDelivery(d = {}) {
  const parts = [d.ordering || 'unordered'];
  if (d.rate_limit_per_second) parts.push(`≤ ${d.rate_limit_per_second}/s`);
  if (d.max_in_flight) parts.push(`≤ ${d.max_in_flight} in flight`);
  return parts.join(', ');
}

/** The part of a row that shows the subscription (replaced on every update). */
function infoFor(sub) {
  const id = String(sub.id);
  const enabled = sub.enabled !== false;
  const events = Array.isArray(sub.events) ? sub.events.join(', ') : '';
  const headerCount = sub.headers ? Object.keys(sub.headers).length : 0;
  return el('div', { class: 'hook-info' },
    el('div', { class: 'hook-head' },
      el('span', { class: `badge ${enabled ? 'b-ok' : 'b-off'}`, 'data-testid': 'webhook-enabled' }, enabled ? 'enabled' : 'disabled'),
      el('strong', { class: 'hook-url', 'data-testid': 'webhook-url' }, String(sub.url ?? ''))),
    sub.description ? el('p', { class: 'hook-desc', 'data-testid': 'webhook-description' }, String(sub.description)) : null,
    el('p', { class: 'muted small-text' },
      el('code', { 'data-testid': 'webhook-id' }, id),
      ` · events: ${events} · ${describeDelivery(sub.delivery)}`,
      headerCount ? ` · ${headerCount} header${headerCount === 1 ? '' : 's'}` : '',
      ` · revision ${sub.revision} · updated ${fmtDateTime(sub.updated_at)}`),
    sub.disabled_reason ? el('p', { class: 'warn-text' }, `Disabled by the gateway: ${sub.disabled_reason}`) : null);
}

/** A whole row: the info part, the actions, and the parts that keep their state across updates
 *  (delete confirmation, revealed secret, last message). */
function rowFor(sub) {
  const id = String(sub.id);
  const enabled = sub.enabled !== false;
  const msg = el('p', { class: 'row-msg', role: 'status', 'data-testid': 'webhook-message', hidden: true });
  const secretBox = el('div', { class: 'secret-box', 'data-testid': 'webhook-secret-box', hidden: true });
  const confirm = el('div', { class: 'confirm', role: 'group', 'aria-label': 'Confirm delete', hidden: true },
    el('span', {}, 'Delete this subscription? Its pending deliveries stop.'),
    el('button', { type: 'button', class: 'small danger', 'data-testid': 'webhook-delete-confirm', onclick: () => remove(id, msg) }, 'Yes, delete'),
    el('button', { type: 'button', class: 'small secondary', 'data-testid': 'webhook-delete-cancel', onclick: () => { confirm.hidden = true; li.querySelector('[data-testid="webhook-delete"]').focus(); } }, 'Cancel'));
  const li = el('li', { class: 'hook', 'data-testid': 'webhook-row', 'data-id': id, 'data-enabled': String(enabled) },
    infoFor(sub),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'small', 'data-testid': 'webhook-edit', onclick: () => startEdit(id) }, 'Edit'),
      el('button', { type: 'button', class: 'small secondary', 'data-testid': 'webhook-toggle', onclick: () => toggle(id, msg) }, enabled ? 'Disable' : 'Enable'),
      el('button', { type: 'button', class: 'small secondary', 'data-testid': 'webhook-test', onclick: () => sendTest(id, msg) }, 'Send test'),
      el('button', { type: 'button', class: 'small secondary', 'data-testid': 'webhook-secret', 'aria-expanded': 'false', onclick: () => toggleSecret(id, secretBox, msg) }, 'Show secret'),
      el('button', { type: 'button', class: 'small secondary', 'data-testid': 'webhook-rotate', onclick: () => rotate(id, secretBox, msg) }, 'Rotate secret'),
      el('button', { type: 'button', class: 'small secondary', 'data-testid': 'webhook-deliveries', onclick: () => emit('show-deliveries', { subscription: id }) }, 'Deliveries'),
      el('button', { type: 'button', class: 'small danger', 'data-testid': 'webhook-delete', onclick: () => { confirm.hidden = false; confirm.querySelector('button').focus(); } }, 'Delete')),
    confirm, secretBox, msg);
  return li;
}

function rowNode(id) {
  return [...$('webhooks-list').children].find((li) => li.dataset.id === id) || null;
}

function renderEmpty() {
  const list = $('webhooks-list');
  $('webhooks-empty').hidden = list.children.length > 0 || !loadedOnce;
  $('webhooks-count').textContent = loadedOnce ? `${subs.size}${nextCursor ? '+' : ''} subscription${subs.size === 1 ? '' : 's'}` : '';
}

/** Inserts or replaces the row of `sub`; `append` adds an unknown one at the end. */
function upsert(sub, append = true) {
  const id = String(sub.id);
  const old = rowNode(id);
  if (!old && !append) return;
  subs.set(id, sub);
  if (old) {
    // Update in place: the actions, a revealed secret, a pending confirmation and focus stay.
    const enabled = sub.enabled !== false;
    old.querySelector('.hook-info').replaceWith(infoFor(sub));
    old.dataset.enabled = String(enabled);
    old.querySelector('[data-testid="webhook-toggle"]').textContent = enabled ? 'Disable' : 'Enable';
  } else $('webhooks-list').append(rowFor(sub));
  renderEmpty();
  emit('subs', subscriptions());
}

function drop(id) {
  subs.delete(id);
  rowNode(id)?.remove();
  forgetSubscription(id);
  renderEmpty();
  emit('subs', subscriptions());
}

/** Loads the first page (or the next one with `more`). */
export async function loadWebhooks(more = false) {
  if (loading) return;
  if (!getToken()) { subs.clear(); $('webhooks-list').replaceChildren(); loadedOnce = false; renderEmpty(); emit('subs', []); return; }
  loading = true;
  try {
    const r = await admin('GET', withQuery('/webhooks', { limit: PAGE, cursor: more ? nextCursor : null }));
    if (!r.ok) {
      if (routeMissing(r)) status('Webhooks are not available in this server build.', 'warn');
      else if (r.status !== 401) status(`Could not list webhooks: ${errorText(r)}`, 'error');
      if (r.status === 401) { subs.clear(); $('webhooks-list').replaceChildren(); emit('subs', []); }
      return;
    }
    const items = Array.isArray(r.data?.data) ? r.data.data : [];
    if (!more) { subs.clear(); $('webhooks-list').replaceChildren(); }
    for (const sub of items) { subs.set(String(sub.id), sub); $('webhooks-list').append(rowFor(sub)); }
    nextCursor = r.data?.next_cursor || null;
    $('webhooks-more').hidden = !nextCursor;
    loadedOnce = true;
    status('');
    renderEmpty();
    emit('subs', subscriptions());
  } finally { loading = false; }
}

/** Re-reads one subscription after a stream event (coalesced per id). */
function refreshOne(id, change) {
  if (change === 'deleted') { drop(id); return; }
  clearTimeout(pendingRefresh.get(id));
  pendingRefresh.set(id, setTimeout(async () => {
    pendingRefresh.delete(id);
    const r = await admin('GET', `/webhooks/${seg(id)}`);
    if (r.ok && r.data) upsert(r.data, !nextCursor); // new ones are last in creation order
    else if (r.status === 404) drop(id);
  }, 150));
}

function rowMessage(msg, text, kind = 'info') { notice(msg, text, kind); }

async function toggle(id, msg) {
  const sub = subs.get(id);
  if (!sub) return;
  const r = await admin('PATCH', `/webhooks/${seg(id)}`, { body: { enabled: !(sub.enabled !== false) }, headers: { 'If-Match': `"${sub.revision}"` } });
  if (r.ok) { upsert(r.data); return; }
  if (r.status === 412) { rowMessage(msg, 'Changed elsewhere meanwhile: reloaded, try again.', 'warn'); refreshOne(id, 'updated'); return; }
  rowMessage(msg, errorText(r), 'error');
}

async function sendTest(id, msg) {
  const r = await admin('POST', `/webhooks/${seg(id)}/test`);
  if (!r.ok) { rowMessage(msg, `Test failed: ${errorText(r)}`, 'error'); return; }
  const deliveryId = String(r.data?.delivery_id ?? '');
  msg.replaceChildren(`webhook.test queued as `, el('code', {}, deliveryId), ' ',
    el('button', { type: 'button', class: 'small secondary', 'data-testid': 'webhook-test-open', onclick: () => emit('show-deliveries', { delivery: deliveryId }) }, 'Open delivery'));
  msg.hidden = false; msg.dataset.kind = 'ok';
}

function renderSecret(box, data, title) {
  const value = String(data?.secret ?? '');
  const code = el('code', { class: 'secret-value', 'data-testid': 'webhook-secret-value' }, value);
  const prev = Array.isArray(data?.previous_secrets) ? data.previous_secrets : [];
  box.replaceChildren(
    el('p', {}, title),
    code,
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'small', 'data-testid': 'webhook-secret-copy', onclick: (ev) => copyText(value, ev.currentTarget, code) }, 'Copy'),
      el('button', { type: 'button', class: 'small secondary', onclick: () => hideSecret(box) }, 'Hide')),
    prev.length ? el('p', { class: 'muted small-text' }, `Also still signing: ${prev.length} previous secret${prev.length === 1 ? '' : 's'} (until ${prev.map((p) => fmtDateTime(p.expires_at)).join(', ')}).`) : null);
  box.hidden = false;
  const btn = box.parentElement?.querySelector('[data-testid="webhook-secret"]');
  if (btn) { btn.textContent = 'Hide secret'; btn.setAttribute('aria-expanded', 'true'); }
}

function hideSecret(box) {
  box.replaceChildren();
  box.hidden = true;
  const btn = box.parentElement?.querySelector('[data-testid="webhook-secret"]');
  if (btn) { btn.textContent = 'Show secret'; btn.setAttribute('aria-expanded', 'false'); btn.focus(); }
}

async function toggleSecret(id, box, msg) {
  if (!box.hidden) { hideSecret(box); return; }
  const r = await admin('GET', `/webhooks/${seg(id)}/secret`);
  if (!r.ok) { rowMessage(msg, `Could not read the secret: ${errorText(r)}`, 'error'); return; }
  renderSecret(box, r.data, 'Signing secret (verify the webhook-signature header with it):');
}

async function rotate(id, box, msg) {
  const r = await admin('POST', `/webhooks/${seg(id)}/rotate-secret`);
  if (!r.ok) { rowMessage(msg, `Rotation failed: ${errorText(r)}`, 'error'); return; }
  renderSecret(box, r.data, 'New signing secret (the old one keeps signing for the grace period):');
  rowMessage(msg, 'Secret rotated.', 'ok');
}

async function startEdit(id) {
  const r = await admin('GET', `/webhooks/${seg(id)}`);
  if (!r.ok) { status(`Could not load ${id}: ${errorText(r)}`, 'error'); return; }
  upsert(r.data, false);
  editSubscription(r.data);
}

async function remove(id, msg) {
  const r = await admin('DELETE', `/webhooks/${seg(id)}`);
  if (r.ok || r.status === 404) { drop(id); status('Subscription deleted.', 'ok'); $('wh-url').focus(); return; }
  rowMessage(msg, `Delete failed: ${errorText(r)}`, 'error');
}

/** Wires the Webhooks tab. */
export function initWebhooks() {
  initWebhookForm((sub, created) => upsert(sub, created ? !nextCursor : false));
  $('webhooks-refresh').addEventListener('click', () => loadWebhooks());
  $('webhooks-more').addEventListener('click', () => loadWebhooks(true));
  on('sse:webhooks', (d) => { if (d && d.id) refreshOne(String(d.id), d.change); });
  on('token', () => { nextCursor = null; loadedOnce = false; loadWebhooks(); });
  on('webhook-created', (sub) => upsert(sub, !nextCursor));
  loadWebhooks();
}
