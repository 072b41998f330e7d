// Small DOM and formatting helpers shared by every module.
// Server data reaches the DOM only as text: `el` appends strings as text nodes, never as HTML.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * Creates an element. `props`: `class`, `text`, `on<event>` handlers, boolean values set the
 * attribute when true (hidden, disabled, …), anything else becomes an attribute. String children
 * become text nodes; null/undefined/false children are skipped.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Shows `text` in a notice element (kind: info, ok, warn, error); hides it when text is empty. */
export function notice(node, text, kind = 'info') {
  if (!node) return;
  node.textContent = text || '';
  node.hidden = !text;
  node.dataset.kind = kind;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** Date from an ISO string (or Date/number); null when missing or invalid. */
export function toDate(value) {
  if (value == null || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Local HH:MM:SS of an instant ("—" when missing). */
export function fmtTime(value) {
  const d = toDate(value);
  return d ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` : '—';
}

/** Local YYYY-MM-DD HH:MM:SS.mmm of an instant. */
export function fmtDateTime(value) {
  const d = toDate(value);
  if (!d) return value ? String(value) : '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${fmtTime(d)}.${pad(d.getMilliseconds(), 3)}`;
}

/** "in 5 s", "3 min ago"… relative to now. */
export function relTime(value, now = Date.now()) {
  const d = toDate(value);
  if (!d) return '';
  const s = Math.round((d.getTime() - now) / 1000);
  const a = Math.abs(s);
  const span = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86400 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  if (a < 1) return 'now';
  return s > 0 ? `in ${span}` : `${span} ago`;
}

/** "1d 2h 03m 04s" from seconds. */
export function fmtUptime(seconds) {
  let s = Math.floor(Number(seconds) || 0);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return (d ? `${d}d ` : '') + `${h}h ${pad(m)}m ${pad(s)}s`;
}

/** "1.2 MB" from bytes. */
export function fmtBytes(n) {
  const v = Number(n) || 0;
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  if (v < 1024 ** 3) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  return `${(v / 1024 ** 3).toFixed(2)} GB`;
}

/** Pretty JSON of a value; a string that is JSON is re-indented, other strings are shown as they are. */
export function pretty(value) {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    try { return JSON.stringify(JSON.parse(value), null, 2); } catch { return value; }
  }
  return JSON.stringify(value, null, 2);
}

/** Copies text to the clipboard (falls back to selecting it); tells the user on `button`. */
export async function copyText(text, button, selectNode) {
  const old = button ? button.textContent : '';
  let done = false;
  try {
    if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); done = true; }
  } catch { /* fall back below */ }
  if (!done && selectNode) {
    const range = document.createRange();
    range.selectNodeContents(selectNode);
    const sel = window.getSelection();
    sel.removeAllRanges(); sel.addRange(range);
    try { done = document.execCommand('copy'); } catch { done = false; }
  }
  if (button) {
    button.textContent = done ? 'Copied' : 'Selected: press Ctrl+C';
    setTimeout(() => { button.textContent = old; }, 2000);
  }
  return done;
}

/** Base64 of bytes. */
function base64(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** A fresh Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function randomSecret() {
  return 'whsec_' + base64(crypto.getRandomValues(new Uint8Array(32)));
}

/** A random UUID v4 (also outside secure contexts, where crypto.randomUUID is missing). */
export function uuid() {
  if (crypto.randomUUID && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A safe CSS class fragment from arbitrary text. */
export const cssToken = (s) => String(s ?? '').toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'unknown';
