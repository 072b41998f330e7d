// Stats tab: the /stats figures (from the admin stream's `stats` events, or by polling /stats every
// 2 s without it) and two charts drawn as inline SVG: messages/s and deliveries/s over 5 minutes,
// derived from successive `total_messages_sent` and `webhooks.delivered` samples.

import { $, el, fmtTime, fmtUptime, fmtBytes } from './dom.js';
import { call, errorText } from './api.js';
import { on } from './bus.js';
import { streamState } from './stream.js';

const WINDOW_MS = 5 * 60 * 1000;
const POLL_MS = 2000;
const SVG = 'http://www.w3.org/2000/svg';

const HUB_LABELS = {
  active_connections: 'Active connections',
  total_messages_sent: 'Messages sent',
  frames_sent: 'Frames sent',
  messages_received: 'Messages received',
  messages_dropped: 'Frames dropped',
  clients_evicted: 'Clients evicted',
  total_connections_created: 'Connections created',
  connections_refused: 'Connections refused',
  uptime_seconds: 'Uptime',
};
const WEBHOOK_LABELS = {
  subscriptions: 'Subscriptions',
  queue_depth: 'Queue depth',
  in_flight: 'In flight',
  delivered: 'Delivered',
  failed: 'Failed attempts',
  dead: 'Dead',
  open_circuits: 'Open circuits',
  events_dropped: 'Events dropped',
  journal_bytes: 'Journal size',
  journal_compactions: 'Journal compactions',
};

/** Samples: { at: client ms, up: server uptime s, msgs, delivered }. */
let samples = [];
let lastFed = 0;
let polling = false;

function format(key, value) {
  if (key === 'uptime_seconds') return fmtUptime(value);
  if (key === 'journal_bytes') return fmtBytes(value);
  return typeof value === 'number' ? value.toLocaleString() : String(value);
}

/** Updates or creates the <div><dt><dd> entries of `dl` for `data`, known keys first. */
function renderList(dl, data, labels, prefix) {
  const keys = [...Object.keys(labels), ...Object.keys(data).filter((k) => !(k in labels))];
  for (const key of keys) {
    if (!(key in data) || (data[key] !== null && typeof data[key] === 'object')) continue;
    const id = `${prefix}${key}`;
    let dd = document.getElementById(id);
    if (!dd) {
      dd = el('dd', { id, 'data-testid': id });
      dl.append(el('div', { class: 'stat' }, el('dt', {}, labels[key] || key), dd));
    }
    dd.textContent = format(key, data[key]);
  }
}

/** Takes one /stats sample from the stream or from polling. */
export function feed(data, from) {
  if (!data || typeof data !== 'object') return;
  lastFed = Date.now();
  renderList($('stats-hub'), data, HUB_LABELS, 'stat-');
  if (data.webhooks && typeof data.webhooks === 'object') renderList($('stats-webhooks'), data.webhooks, WEBHOOK_LABELS, 'stat-webhooks-');
  $('stats-status').textContent = `${from === 'stream' ? 'live from the admin stream' : 'polling /stats every 2 s'} · updated ${fmtTime(new Date())}`;
  $('stats-status').dataset.kind = 'ok';

  const sample = {
    at: Date.now(),
    up: Number(data.uptime_seconds) || 0,
    msgs: Number(data.total_messages_sent) || 0,
    delivered: Number(data.webhooks?.delivered) || 0,
  };
  const prev = samples[samples.length - 1];
  if (prev && sample.up < prev.up) samples = []; // the server restarted: counters start again
  if (prev && sample.up === prev.up) return;     // the same sample twice (stream and poll)
  samples.push(sample);
  const cutoff = Date.now() - WINDOW_MS - 5000;
  while (samples.length && samples[0].at < cutoff) samples.shift();
  drawCharts();
}

/** Rate points { at, v } of `field` per second between successive samples. */
function rates(field) {
  const points = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1], b = samples[i];
    const dt = b.up - a.up;
    if (dt <= 0) continue;
    points.push({ at: b.at, v: Math.max(0, (b[field] - a[field]) / dt) });
  }
  return points;
}

const fmtRate = (v) => (v >= 100 ? Math.round(v).toLocaleString() : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text != null) node.textContent = text;
  return node;
}

/** Draws a line chart of `points` into the <svg> `node`. */
function drawChart(node, points, label, unit) {
  // The viewBox follows the drawn size, so one unit is one CSS pixel and the text stays legible.
  const W = Math.max(200, Math.round(node.clientWidth || 320)), H = 140, L = 4, R = W - 4, T = 18, B = 120;
  const now = Date.now();
  const max = Math.max(1, ...points.map((p) => p.v)) * 1.1;
  const x = (at) => L + ((at - (now - WINDOW_MS)) / WINDOW_MS) * (R - L);
  const y = (v) => B - (v / max) * (B - T);
  const shown = points.filter((p) => p.at >= now - WINDOW_MS);
  const current = points.length ? points[points.length - 1].v : 0;
  const peak = shown.reduce((m, p) => Math.max(m, p.v), 0);
  const children = [
    svg('title', {}, `${label}: ${fmtRate(current)} ${unit} now, peak ${fmtRate(peak)} over 5 minutes`),
    svg('line', { x1: L, y1: B, x2: R, y2: B, class: 'axis' }),
    svg('line', { x1: L, y1: T, x2: R, y2: T, class: 'grid' }),
    svg('text', { x: L, y: T - 5, class: 'label' }, `${fmtRate(max)} ${unit}`),
    svg('text', { x: L, y: H - 2, class: 'label' }, '5 min ago'),
    svg('text', { x: R, y: H - 2, class: 'label', 'text-anchor': 'end' }, 'now'),
  ];
  if (shown.length >= 2) {
    const line = shown.map((p) => `${x(p.at).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    children.push(svg('polygon', { points: `${x(shown[0].at).toFixed(1)},${B} ${line} ${x(shown[shown.length - 1].at).toFixed(1)},${B}`, class: 'area' }));
    children.push(svg('polyline', { points: line, class: 'line' }));
  } else {
    children.push(svg('text', { x: (L + R) / 2, y: (T + B) / 2, class: 'label', 'text-anchor': 'middle' }, 'collecting samples…'));
  }
  node.setAttribute('viewBox', `0 0 ${W} ${H}`);
  node.setAttribute('aria-label', `${label}: ${fmtRate(current)} ${unit} now, peak ${fmtRate(peak)} over the last 5 minutes`);
  node.replaceChildren(...children);
  return current;
}

function drawCharts() {
  const m = drawChart($('chart-messages'), rates('msgs'), 'Messages per second', 'msg/s');
  const d = drawChart($('chart-deliveries'), rates('delivered'), 'Deliveries per second', 'del/s');
  $('rate-messages').textContent = `${fmtRate(m)} msg/s`;
  $('rate-deliveries').textContent = `${fmtRate(d)} deliveries/s`;
}

async function poll() {
  if (polling || document.hidden) return;
  // The stream sends `stats` every 2 s; poll only when it is not open or has gone quiet.
  if (streamState() === 'open' && Date.now() - lastFed < 5000) return;
  polling = true;
  try {
    const r = await call('GET', '/stats');
    if (r.ok && r.data && typeof r.data === 'object') feed(r.data, 'poll');
    else { $('stats-status').textContent = `/stats failed: ${errorText(r)}`; $('stats-status').dataset.kind = 'error'; }
  } finally { polling = false; }
}

/** Wires the Stats tab. */
export function initStats() {
  on('sse:stats', (data) => feed(data, 'stream'));
  if (window.ResizeObserver) {
    let width = 0;
    new ResizeObserver(([entry]) => {
      const w = Math.round(entry.contentRect.width);
      if (w && w !== width) { width = w; drawCharts(); }
    }).observe($('chart-messages'));
  }
  drawCharts();
  poll();
  setInterval(poll, POLL_MS);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });
}

