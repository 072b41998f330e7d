// REST console: GET /health, /stats, /info; POST /broadcast (with an optional Idempotency-Key) and
// POST /broadcast/specific. Shows the request as sent and the answer (status, time, body).

import { $, pretty, uuid, copyText } from './dom.js';
import { call } from './api.js';

function showRequest(sent) {
  const lines = [`${sent.method} ${sent.path} HTTP/1.1`];
  for (const [k, v] of Object.entries(sent.headers)) lines.push(`${k}: ${v}`);
  if (sent.body !== undefined) lines.push('', JSON.stringify(sent.body, null, 2));
  $('rc-request').textContent = lines.join('\n');
}

function showResponse(r) {
  const status = $('rc-status');
  if (r.status === 0) {
    status.textContent = `Network error: ${r.error || 'no answer'}`;
    status.dataset.kind = 'error';
    $('rc-response-headers').textContent = '';
    $('rc-response').textContent = '';
    return;
  }
  status.textContent = `HTTP ${r.status} ${r.statusText || ''} · ${r.ms} ms`.replace(/\s+·/, ' ·');
  status.dataset.kind = r.ok ? 'ok' : 'error';
  const headers = [];
  r.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
  $('rc-response-headers').textContent = headers.join('\n');
  $('rc-response').textContent = r.data == null ? '(empty body)' : pretty(r.data);
}

/** Runs one call, showing request and answer. Sends the admin token when one is set (for `auth.protectBroadcast`). */
async function run(method, path, body, headers = {}) {
  const busy = $('rc-status');
  busy.textContent = `${method} ${path} …`;
  busy.dataset.kind = 'info';
  $('rc-response').textContent = '';
  $('rc-response-headers').textContent = '';
  const r = await call(method, path, { body, headers, admin: 'optional' });
  showRequest(r.sent);
  showResponse(r);
  return r;
}

const optional = (id) => $(id).value.trim() || undefined;

/** Wires the REST console tab. */
export function initConsole() {
  for (const [id, path] of [['rc-health', '/health'], ['rc-stats', '/stats'], ['rc-info', '/info']]) {
    $(id).addEventListener('click', () => run('GET', path));
  }
  $('bc-idem-gen').addEventListener('click', () => { $('bc-idem').value = uuid(); });
  $('bc-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = { message: $('bc-message').value };
    if (optional('bc-sender')) body.sender = optional('bc-sender');
    if (optional('bc-type')) body.message_type = optional('bc-type');
    const headers = {};
    if (optional('bc-idem')) headers['Idempotency-Key'] = optional('bc-idem');
    run('POST', '/broadcast', body, headers);
  });
  $('sp-fill').addEventListener('click', async () => {
    const r = await call('GET', '/info');
    const ids = r.ok && Array.isArray(r.data?.clients) ? r.data.clients.map((c) => c.client_id) : [];
    $('sp-ids').value = ids.join(', ');
    $('sp-hint').textContent = r.ok ? `${ids.length} connected client${ids.length === 1 ? '' : 's'}` : 'could not read /info';
  });
  $('sp-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ids = $('sp-ids').value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    const body = { message: $('sp-message').value, client_ids: ids };
    if (optional('sp-sender')) body.sender = optional('sp-sender');
    if (optional('sp-type')) body.message_type = optional('sp-type');
    run('POST', '/broadcast/specific', body);
  });
  $('rc-copy').addEventListener('click', () => copyText($('rc-response').textContent, $('rc-copy'), $('rc-response')));
}
