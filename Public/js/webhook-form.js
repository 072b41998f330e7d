// The webhook form of the Webhooks tab: create (POST /webhooks) and edit (PATCH /webhooks/{id}
// with If-Match = the revision read): url, description, events (checkboxes from GET /events, plus
// `*`), extra headers, delivery settings, enabled. Shows the secret once after a create.

import { $, el, notice, copyText } from './dom.js';
import { admin, call, errorText, seg } from './api.js';

/** `*` covers these; the operational events must be named. */
const HUB_EVENTS = ['message-broadcast', 'client-connected', 'client-disconnected', 'server-status', 'broadcast-stats'];
const FALLBACK_EVENTS = [...HUB_EVENTS, 'webhook.test', 'webhook.disabled', 'delivery.exhausted', 'delivery.recovered'];
/** 422 messages start with the field: focus the matching control. */
const FIELD_CONTROLS = {
  url: 'wh-url', description: 'wh-description', headers: 'wh-add-header',
  'delivery.rate_limit_per_second': 'wh-rate', 'delivery.max_in_flight': 'wh-inflight', 'delivery.ordering': 'wh-ordering',
};

let editing = null; // { id, revision } while the form edits a subscription
/** Called with (subscription, created) after every successful write. */
let onSaved = () => {};

function eventBoxes() { return [...$('wh-events').querySelectorAll('input[type="checkbox"]')]; }

/** With `*` checked, the hub events are covered: show them checked and disabled. */
function applyStar() {
  const star = eventBoxes().find((b) => b.value === '*');
  for (const box of eventBoxes()) {
    if (!HUB_EVENTS.includes(box.value)) continue;
    if (star?.checked) {
      if (!box.disabled) box.dataset.prev = String(box.checked);
      box.checked = true; box.disabled = true;
    } else if (box.disabled) {
      box.disabled = false; box.checked = box.dataset.prev === 'true';
    }
  }
}

function renderEventBoxes(catalog) {
  const boxes = [{ name: '*', description: 'every hub event (message-broadcast, client-connected, client-disconnected, server-status, broadcast-stats)' }, ...catalog];
  const wrap = $('wh-events-list');
  wrap.replaceChildren(...boxes.map(({ name, description }) => {
    const id = `wh-event-${name === '*' ? 'all' : name.replace(/[^a-z0-9_-]/gi, '_')}`;
    return el('div', { class: 'check' },
      el('input', { type: 'checkbox', id, name: 'events', value: name, 'data-testid': id, onchange: name === '*' ? applyStar : null }),
      el('label', { for: id }, el('code', {}, name), description ? el('span', { class: 'muted small-text' }, ` ${description}`) : null));
  }));
  setEvents(['*']);
}

async function loadCatalog() {
  const r = await call('GET', '/events');
  const names = r.ok && Array.isArray(r.data?.data)
    ? r.data.data.map((e) => ({ name: String(e.name), description: String(e.description ?? '') }))
    : FALLBACK_EVENTS.map((name) => ({ name, description: '' }));
  renderEventBoxes(names);
}

function setEvents(events) {
  const wanted = new Set(events);
  for (const box of eventBoxes()) { box.disabled = false; box.checked = wanted.has(box.value); delete box.dataset.prev; }
  applyStar();
}

function addHeaderRow(name = '', value = '') {
  const n = $('wh-headers').children.length + 1;
  const row = el('div', { class: 'hdr-row', 'data-testid': 'wh-header-row' },
    el('input', { class: 'hdr-name', 'aria-label': `Header ${n} name`, placeholder: 'X-Header', spellcheck: 'false', autocomplete: 'off', 'data-testid': 'wh-header-name' }),
    el('input', { class: 'hdr-value', 'aria-label': `Header ${n} value`, placeholder: 'value', spellcheck: 'false', autocomplete: 'off', 'data-testid': 'wh-header-value' }),
    el('button', { type: 'button', class: 'small secondary', 'aria-label': `Remove header ${n}`, onclick: () => { row.remove(); $('wh-add-header').focus(); } }, 'Remove'));
  row.querySelector('.hdr-name').value = name;
  row.querySelector('.hdr-value').value = value;
  $('wh-headers').append(row);
  return row;
}

function intOrNull(id) {
  const v = $(id).value.trim();
  return v === '' ? null : Number(v);
}

/** The request body from the form, or a string error. */
function collect() {
  const events = [];
  for (const box of eventBoxes()) if (box.checked && !box.disabled) events.push(box.value);
  if (!events.length) return 'Choose at least one event (or *).';
  const headers = {};
  for (const row of $('wh-headers').children) {
    const name = row.querySelector('.hdr-name').value.trim();
    const value = row.querySelector('.hdr-value').value;
    if (!name && !value) continue;
    if (!name) return 'A header has a value but no name.';
    if (Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase())) return `Header ${name} appears twice.`;
    headers[name] = value;
  }
  return {
    url: $('wh-url').value.trim(),
    description: $('wh-description').value,
    events,
    headers,
    enabled: $('wh-enabled').checked,
    delivery: {
      rate_limit_per_second: intOrNull('wh-rate'),
      max_in_flight: intOrNull('wh-inflight'),
      ordering: $('wh-ordering').value,
    },
  };
}

function markField(message) {
  for (const id of Object.values(FIELD_CONTROLS)) $(id).removeAttribute('aria-invalid');
  const field = /^([a-z_.]+):/.exec(message || '')?.[1];
  if (!field) return;
  if (field === 'events') { eventBoxes()[0]?.focus(); return; }
  const control = $(FIELD_CONTROLS[field] || '');
  if (control) { control.setAttribute('aria-invalid', 'true'); control.focus(); }
}

function resetForm(text) {
  editing = null;
  $('wh-form').reset();
  $('wh-headers').replaceChildren();
  setEvents(['*']);
  $('wh-enabled').checked = true;
  $('wh-form-title').textContent = 'New subscription';
  $('wh-submit').textContent = 'Create webhook';
  $('wh-cancel').hidden = true;
  $('wh-editing').textContent = '';
  markField('');
  notice($('wh-form-status'), text || '', 'info');
}

function fillForm(sub) {
  $('wh-url').value = sub.url ?? '';
  $('wh-description').value = sub.description ?? '';
  setEvents(Array.isArray(sub.events) ? sub.events : ['*']);
  $('wh-headers').replaceChildren();
  for (const [k, v] of Object.entries(sub.headers || {})) addHeaderRow(k, String(v));
  $('wh-rate').value = sub.delivery?.rate_limit_per_second ?? '';
  $('wh-inflight').value = sub.delivery?.max_in_flight ?? '';
  $('wh-ordering').value = sub.delivery?.ordering === 'fifo' ? 'fifo' : 'unordered';
  $('wh-enabled').checked = sub.enabled !== false;
}

/** Loads `sub` into the form for editing. */
export function editSubscription(sub) {
  const id = String(sub.id);
  editing = { id, revision: sub.revision };
  fillForm(sub);
  $('wh-form-title').textContent = 'Edit subscription';
  $('wh-editing').textContent = `${id} · revision ${sub.revision}`;
  $('wh-submit').textContent = 'Save changes';
  $('wh-cancel').hidden = false;
  hideCreated();
  notice($('wh-form-status'), '');
  $('wh-form').scrollIntoView({ block: 'nearest' });
  $('wh-url').focus();
}

function hideCreated() { $('wh-created').hidden = true; $('wh-created-secret').textContent = ''; }

async function submit(ev) {
  ev.preventDefault();
  const body = collect();
  if (typeof body === 'string') { notice($('wh-form-status'), body, 'error'); return; }
  $('wh-submit').disabled = true;
  try {
    if (editing) {
      const r = await admin('PATCH', `/webhooks/${seg(editing.id)}`, { body, headers: { 'If-Match': `"${editing.revision}"` } });
      if (r.status === 412) {
        const fresh = await admin('GET', `/webhooks/${seg(editing.id)}`);
        if (fresh.ok) { editing.revision = fresh.data.revision; onSaved(fresh.data, false); $('wh-editing').textContent = `${editing.id} · revision ${fresh.data.revision}`; }
        notice($('wh-form-status'), `Someone changed this subscription meanwhile (now revision ${editing.revision}). Check the list, then Save again to overwrite.`, 'warn');
        return;
      }
      if (!r.ok) { notice($('wh-form-status'), errorText(r), 'error'); markField(r.data?.error?.message); return; }
      onSaved(r.data, false);
      resetForm(`Saved ${r.data.id} (revision ${r.data.revision}).`);
      $('wh-form-status').dataset.kind = 'ok';
    } else {
      if (body.description === '') delete body.description;
      const r = await admin('POST', '/webhooks', { body });
      if (!r.ok) { notice($('wh-form-status'), errorText(r), 'error'); markField(r.data?.error?.message); return; }
      onSaved(r.data, true);
      resetForm();
      notice($('wh-form-status'), `Created ${r.data.id}.`, 'ok');
      showCreatedSecret(r.data);
    }
  } finally { $('wh-submit').disabled = false; }
}

function showCreatedSecret(sub) {
  $('wh-created-id').textContent = String(sub.id ?? '');
  $('wh-created-secret').textContent = String(sub.secret ?? '(no secret returned)');
  $('wh-created').hidden = false;
  $('wh-created-copy').focus();
}

/** Resets the form if it is editing `id` (which was deleted). */
export function forgetSubscription(id) {
  if (editing && editing.id === id) resetForm('That subscription was deleted.');
}

/** Wires the form; `saved(subscription, created)` is called after every successful write. */
export function initWebhookForm(saved) {
  onSaved = saved;
  loadCatalog();
  $('wh-form').addEventListener('submit', submit);
  $('wh-cancel').addEventListener('click', () => resetForm());
  $('wh-add-header').addEventListener('click', () => addHeaderRow().querySelector('input').focus());
  $('wh-created-copy').addEventListener('click', () => copyText($('wh-created-secret').textContent, $('wh-created-copy'), $('wh-created-secret')));
  $('wh-created-dismiss').addEventListener('click', hideCreated);
  resetForm();
}
