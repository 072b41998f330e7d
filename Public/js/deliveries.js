// Deliveries tab: a live log (initial page from GET /deliveries, then the admin stream's `delivery`
// events), filters by status and subscription, a detail view with every attempt, retry one, replay
// a subscription since an instant, and the dead-letter list with redrive.

import { $, el, notice, fmtTime, fmtDateTime, relTime, pretty } from './dom.js';
import { admin, errorText, routeMissing, seg, withQuery, getToken } from './api.js';
import { on } from './bus.js';

const PAGE = 50;
const MAX_ROWS = 300;
const STATUSES = ['pending', 'failed', 'delivered', 'dead'];

let filterStatus = '';
let filterSub = '';
let hasMore = false;
let loading = false;
let deadLoaded = false;
let detailId = null;
let detailTimer = null;
let liveCount = 0;
const pending = new Map();
let flushTimer = null;
let subUrls = new Map();

const status = (text, kind) => notice($('deliveries-status'), text, kind);
const matches = (d) => (!filterStatus || d.status === filterStatus) && (!filterSub || d.subscription_id === filterSub);

// ------------------------------------------------------------------ rows

function resultText(d) {
  if (d.last_error) return String(d.last_error);
  return d.last_status_code != null ? `HTTP ${d.last_status_code}` : '—';
}

function nextText(d) {
  if (!d.next_attempt_at) return '—';
  return `${fmtTime(d.next_attempt_at)} (${relTime(d.next_attempt_at)})`;
}

/** One <tr> for a delivery summary; `testid` names the row kind (delivery-row, dead-row). */
function rowFor(d, testid) {
  const id = String(d.id);
  const sub = String(d.subscription_id ?? '');
  const st = String(d.status ?? '');
  return el('tr', { 'data-testid': testid, 'data-id': id, 'data-status': st },
    el('td', { class: 'nowrap' }, el('time', { datetime: d.created_at ?? '', title: fmtDateTime(d.created_at) }, fmtTime(d.created_at))),
    el('td', { 'data-testid': 'delivery-event' }, String(d.event_type || '(not retained)')),
    el('td', { 'data-testid': 'delivery-subscription', title: subUrls.get(sub) || '' }, el('code', {}, sub)),
    el('td', {}, el('span', { class: `badge s-${STATUSES.includes(st) ? st : 'unknown'}`, 'data-testid': 'delivery-status' }, st)),
    el('td', { class: 'num', 'data-testid': 'delivery-attempts' }, String(d.attempts ?? 0)),
    el('td', { class: 'num', 'data-testid': 'delivery-latency' }, d.last_duration_ms != null ? `${d.last_duration_ms} ms` : '—'),
    el('td', { class: 'clip', title: resultText(d) }, resultText(d)),
    el('td', { class: 'nowrap', 'data-testid': 'delivery-next', 'data-next': d.next_attempt_at || '' }, nextText(d)),
    el('td', { class: 'nowrap' },
      el('button', { type: 'button', class: 'small secondary', 'data-testid': 'delivery-details', 'aria-label': `Details of ${id}`, onclick: () => showDetail(id) }, 'Details'),
      ' ',
      el('button', { type: 'button', class: 'small', 'data-testid': 'delivery-retry', 'aria-label': `Retry ${id}`, onclick: (ev) => retry(id, ev.currentTarget) }, 'Retry')));
}

function findRow(tbody, id) {
  for (const tr of tbody.children) if (tr.dataset.id === id) return tr;
  return null;
}

/** Replaces or inserts (newest first, ids sort by time) the row of `d` in `tbody`. */
function placeRow(tbody, d, testid, { appendOlder }) {
  const id = String(d.id);
  const node = rowFor(d, testid);
  const old = findRow(tbody, id);
  if (old) {
    const focused = old.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
    old.replaceWith(node);
    if (focused) node.querySelector(`[data-testid="${focused}"]`)?.focus();
    return;
  }
  for (const tr of tbody.children) {
    if (tr.dataset.id < id) { tbody.insertBefore(node, tr); trim(tbody); return; }
  }
  if (appendOlder) { tbody.append(node); trim(tbody); }
}

function trim(tbody) {
  while (tbody.children.length > MAX_ROWS) { tbody.lastElementChild.remove(); if (tbody.id === 'deliveries-body') hasMore = true; }
}

function renderCounts() {
  const n = $('deliveries-body').children.length;
  $('deliveries-empty').hidden = n > 0;
  $('dl-more').hidden = !hasMore;
  $('deliveries-count').textContent = `${n} shown${liveCount ? ` · ${liveCount} live update${liveCount === 1 ? '' : 's'}` : ''}`;
  const dead = $('dead-body').children.length;
  $('dead-empty').hidden = dead > 0 || !deadLoaded;
  $('dead-redrive').disabled = dead === 0;
  $('dead-redrive').textContent = dead ? `Redrive all (${dead})` : 'Redrive all';
}

// ------------------------------------------------------------------ loading

function listPath(extra) {
  const base = filterSub ? `/webhooks/${seg(filterSub)}/deliveries` : '/deliveries';
  return withQuery(base, { status: filterStatus, limit: PAGE, ...extra });
}

/** Loads the first page, or older ones with `more`. */
export async function loadDeliveries(more = false) {
  if (loading) return;
  const tbody = $('deliveries-body');
  if (!getToken()) { tbody.replaceChildren(); hasMore = false; renderCounts(); return; }
  loading = true;
  try {
    const cursor = more ? tbody.lastElementChild?.dataset.id : null;
    const r = await admin('GET', listPath({ cursor }));
    if (!r.ok) {
      if (routeMissing(r)) status('Deliveries are not available in this server build.', 'warn');
      else if (r.status === 404 && filterSub) status(`Subscription ${filterSub} no longer exists.`, 'warn');
      else if (r.status !== 401) status(`Could not list deliveries: ${errorText(r)}`, 'error');
      if (r.status === 401) tbody.replaceChildren();
      return;
    }
    if (!more) tbody.replaceChildren();
    for (const d of r.data?.data || []) placeRow(tbody, d, 'delivery-row', { appendOlder: true });
    hasMore = !!r.data?.next_cursor;
    status('');
  } finally { loading = false; renderCounts(); }
}

async function loadDead() {
  if (!getToken()) { $('dead-body').replaceChildren(); deadLoaded = false; renderCounts(); return; }
  const r = await admin('GET', withQuery('/deliveries', { status: 'dead', limit: 500 }));
  if (!r.ok) { if (r.status !== 401) notice($('dead-status'), `Could not list dead deliveries: ${errorText(r)}`, 'error'); return; }
  const tbody = $('dead-body');
  tbody.replaceChildren();
  for (const d of r.data?.data || []) placeRow(tbody, d, 'dead-row', { appendOlder: true });
  deadLoaded = true;
  notice($('dead-status'), r.data?.next_cursor ? 'Showing the newest 500 dead deliveries.' : '', 'info');
  renderCounts();
}

// ------------------------------------------------------------------ live updates

function onLive(d) {
  if (!d || !d.id) return;
  pending.set(String(d.id), d);
  if (!flushTimer) flushTimer = setTimeout(flush, 150);
}

function flush() {
  flushTimer = null;
  const tbody = $('deliveries-body');
  const dead = $('dead-body');
  for (const d of pending.values()) {
    const id = String(d.id);
    liveCount += 1;
    if (matches(d)) placeRow(tbody, d, 'delivery-row', { appendOlder: !hasMore });
    else findRow(tbody, id)?.remove();
    if (deadLoaded) {
      if (d.status === 'dead') placeRow(dead, d, 'dead-row', { appendOlder: true });
      else findRow(dead, id)?.remove();
    }
    if (id === detailId) scheduleDetailRefresh();
  }
  pending.clear();
  renderCounts();
}

function tickRelativeTimes() {
  if (document.hidden) return;
  for (const td of document.querySelectorAll('#panel-deliveries td[data-next]')) {
    const at = td.dataset.next;
    if (at) td.textContent = `${fmtTime(at)} (${relTime(at)})`;
  }
}

// ------------------------------------------------------------------ actions

async function retry(id, button) {
  if (button) button.disabled = true;
  const r = await admin('POST', `/deliveries/${seg(id)}/retry`);
  if (button && button.isConnected) button.disabled = false;
  if (!r.ok) { status(`Retry of ${id} failed: ${errorText(r)}`, 'error'); return false; }
  status(`Retry of ${id} scheduled.`, 'ok');
  if (r.data && r.data.id) onLive(r.data);
  return true;
}

async function redriveAll() {
  const ids = [...$('dead-body').children].map((tr) => tr.dataset.id);
  if (!ids.length) return;
  const btn = $('dead-redrive');
  btn.disabled = true;
  let ok = 0, failed = 0;
  for (const [i, id] of ids.entries()) {
    notice($('dead-status'), `Redriving ${i + 1} of ${ids.length}…`, 'info');
    const r = await admin('POST', `/deliveries/${seg(id)}/retry`);
    if (r.ok) { ok += 1; if (r.data?.id) onLive(r.data); } else failed += 1;
    if (r.status === 401) break;
  }
  notice($('dead-status'), `Redrive: ${ok} scheduled${failed ? `, ${failed} failed` : ''}.`, failed ? 'warn' : 'ok');
  renderCounts();
}

async function replay(ev) {
  ev.preventDefault();
  const sub = $('replay-sub').value;
  const local = $('replay-since').value;
  const since = local ? new Date(local) : null;
  if (!sub) { notice($('replay-result'), 'Choose a subscription.', 'error'); $('replay-sub').focus(); return; }
  if (!since || Number.isNaN(since.getTime())) { notice($('replay-result'), 'Choose the instant to replay from.', 'error'); $('replay-since').focus(); return; }
  const r = await admin('POST', `/webhooks/${seg(sub)}/replay`, { body: { since: since.toISOString() } });
  if (!r.ok) { notice($('replay-result'), `Replay failed: ${errorText(r)}`, 'error'); return; }
  notice($('replay-result'), `Replay since ${since.toISOString()}: ${r.data?.queued ?? 0} ${r.data?.queued === 1 ? 'delivery' : 'deliveries'} queued.`, 'ok');
}

// ------------------------------------------------------------------ detail

function scheduleDetailRefresh() {
  clearTimeout(detailTimer);
  detailTimer = setTimeout(() => { if (detailId) showDetail(detailId, { keepFocus: true }); }, 300);
}

const dd = (term, value, testid) => [el('dt', {}, term), el('dd', testid ? { 'data-testid': testid } : {}, value)];

/** Opens the detail view of delivery `id`. */
export async function showDetail(id, { keepFocus = false } = {}) {
  detailId = id;
  const box = $('delivery-detail');
  box.hidden = false;
  $('dd-title').textContent = `Delivery ${id}`;
  const r = await admin('GET', `/deliveries/${seg(id)}`);
  if (detailId !== id) return;
  if (!r.ok) {
    notice($('dd-status'), r.status === 404 ? 'This delivery is no longer retained.' : errorText(r), 'error');
    $('dd-fields').replaceChildren(); $('dd-payload').textContent = ''; $('dd-attempts').replaceChildren();
    if (!keepFocus) $('dd-close').focus();
    return;
  }
  const d = r.data;
  notice($('dd-status'), '');
  $('dd-fields').replaceChildren(
    ...dd('Status', el('span', { class: `badge s-${STATUSES.includes(d.status) ? d.status : 'unknown'}` }, String(d.status)), 'dd-status-value'),
    ...dd('Event', `${d.event_type || '(not retained)'} · ${d.event_id}`),
    ...dd('Subscription', `${d.subscription_id}${subUrls.get(String(d.subscription_id)) ? ` → ${subUrls.get(String(d.subscription_id))}` : ''}`),
    ...dd('Created', fmtDateTime(d.created_at)),
    ...dd('Last attempt', d.last_attempt_at ? fmtDateTime(d.last_attempt_at) : '—'),
    ...dd('Next attempt', d.next_attempt_at ? `${fmtDateTime(d.next_attempt_at)} (${relTime(d.next_attempt_at)})` : '—'),
    ...dd('Last result', resultText(d)));
  $('dd-payload').textContent = pretty(d.payload);
  const attempts = Array.isArray(d.attempts) ? d.attempts : [];
  $('dd-attempts').replaceChildren(...attempts.map((a) => el('tr', { 'data-testid': 'attempt-row' },
    el('td', { class: 'num' }, String(a.attempt)),
    el('td', { class: 'nowrap', title: String(a.at ?? '') }, fmtDateTime(a.at)),
    el('td', { 'data-testid': 'attempt-status' }, a.status_code != null ? String(a.status_code) : '—'),
    el('td', { class: 'num' }, `${a.duration_ms ?? 0} ms`),
    el('td', {}, a.error ? String(a.error) : '—'),
    el('td', {}, a.response ? el('pre', { class: 'snippet' }, String(a.response)) : '—'))));
  $('dd-no-attempts').hidden = attempts.length > 0;
  if (!keepFocus) { box.scrollIntoView({ block: 'nearest' }); $('dd-title').focus(); }
}

function closeDetail() {
  const id = detailId;
  detailId = null;
  $('delivery-detail').hidden = true;
  const row = id ? findRow($('deliveries-body'), id) : null;
  (row?.querySelector('[data-testid="delivery-details"]') || $('dl-status-filter')).focus();
}

// ------------------------------------------------------------------ filters

function renderSubOptions(list) {
  subUrls = new Map(list.map((s) => [String(s.id), String(s.url ?? '')]));
  for (const [selectId, allLabel] of [['dl-sub-filter', 'All subscriptions'], ['replay-sub', 'Choose…']]) {
    const select = $(selectId);
    const current = select.value;
    const options = [el('option', { value: '' }, allLabel)];
    for (const s of list) options.push(el('option', { value: String(s.id) }, `${s.url} (${s.id})`));
    if (current && !subUrls.has(current)) options.push(el('option', { value: current }, current));
    select.replaceChildren(...options);
    select.value = current;
  }
}

/** Shows the log filtered to one subscription (from the Webhooks tab). */
export function filterBySubscription(id) {
  if (![...$('dl-sub-filter').options].some((o) => o.value === id)) $('dl-sub-filter').append(el('option', { value: id }, id));
  $('dl-sub-filter').value = id;
  $('replay-sub').value = id;
  filterSub = id;
  loadDeliveries();
}

function defaultSince() {
  const d = new Date(Date.now() - 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Wires the Deliveries tab. */
export function initDeliveries() {
  $('dl-status-filter').addEventListener('change', () => { filterStatus = $('dl-status-filter').value; loadDeliveries(); });
  $('dl-sub-filter').addEventListener('change', () => { filterSub = $('dl-sub-filter').value; loadDeliveries(); });
  $('dl-refresh').addEventListener('click', () => { loadDeliveries(); if (deadLoaded) loadDead(); });
  $('dl-more').addEventListener('click', () => loadDeliveries(true));
  $('dead-load').addEventListener('click', loadDead);
  $('dead-redrive').addEventListener('click', redriveAll);
  $('dd-close').addEventListener('click', closeDetail);
  $('dd-refresh').addEventListener('click', () => detailId && showDetail(detailId, { keepFocus: true }));
  $('dd-retry').addEventListener('click', (ev) => detailId && retry(detailId, ev.currentTarget).then((ok) => ok && scheduleDetailRefresh()));
  $('delivery-detail').addEventListener('keydown', (ev) => { if (ev.key === 'Escape') closeDetail(); });
  $('replay-form').addEventListener('submit', replay);
  $('replay-since').value = defaultSince();
  on('sse:delivery', onLive);
  on('subs', renderSubOptions);
  on('token', () => { loadDeliveries(); loadDead(); });
  setInterval(tickRelativeTimes, 5000);
  renderCounts();
  loadDeliveries();
  loadDead();
}
