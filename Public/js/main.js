// Entry point: reads the admin token, wires the tabs and every panel, starts the live stream.

import { $, notice } from './dom.js';
import { initToken, getToken, setToken, tokenStatus, verifyToken, mask } from './api.js';
import { on } from './bus.js';
import { initTabs, showTab } from './tabs.js';
import { initLive } from './live.js';
import { initStream, streamState } from './stream.js';
import { initStats } from './stats.js';
import { initConsole } from './console.js';
import { initWebhooks } from './webhooks.js';
import { initDeliveries, filterBySubscription, showDetail } from './deliveries.js';
import { initInspector } from './inspector.js';

const AUTH_TEXT = {
  missing: 'This tab needs the admin token. Paste it in the “Admin token” field at the top, or open the URL the server printed at start-up (it ends in ?token=…). Without it, Live, Stats and the REST console still work.',
  rejected: 'The admin token was refused (401). Paste the right one in the “Admin token” field at the top: it is the server’s auth.adminToken, or the file admin-token in its data directory.',
};

const STREAM_TEXT = {
  off: 'stream off',
  connecting: 'stream connecting…',
  open: 'stream live',
  reconnecting: 'stream reconnecting',
  unavailable: 'stream not available',
  unauthorized: 'stream: token refused',
};

function renderToken() {
  const state = tokenStatus();
  const badge = $('token-state');
  badge.dataset.state = state;
  badge.textContent = { missing: 'no token', unknown: 'token set', ok: 'token OK', rejected: 'token refused' }[state] || state;
  badge.title = getToken() ? `token ${mask(getToken())}` : 'no admin token';
  $('token-clear').disabled = !getToken();
  for (const node of document.querySelectorAll('[data-auth-notice]')) {
    const text = AUTH_TEXT[state] || '';
    notice(node, text, 'warn');
  }
}

function renderStream({ state, detail }) {
  const badge = $('stream-state');
  badge.dataset.state = state;
  badge.textContent = STREAM_TEXT[state] || state;
  badge.title = detail || '';
  $('stream-detail').textContent = detail && state !== 'open' ? detail : '';
}

function initTokenForm() {
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = $('token-input').value.trim();
    if (!value) { $('token-input').focus(); return; }
    setToken(value);
    $('token-input').value = '';
  });
  $('token-clear').addEventListener('click', () => { setToken(''); $('token-input').focus(); });
  on('token-status', renderToken);
  on('token', renderToken);
  renderToken();
}

async function main() {
  initToken();
  initTokenForm();
  on('stream-state', renderStream);
  renderStream({ state: streamState(), detail: '' });
  initTabs('tabs');
  initLive();
  initStats();
  initConsole();
  await verifyToken(); // one 401 for a wrong token, not one per panel
  renderToken();
  initStream();
  initWebhooks();
  initDeliveries();
  initInspector();
  on('show-deliveries', ({ subscription, delivery } = {}) => {
    showTab('deliveries');
    if (subscription) filterBySubscription(subscription);
    if (delivery) showDetail(delivery);
  });
}

main();
