// Accessible tabs (WAI-ARIA tabs pattern): buttons with role=tab, roving tabindex,
// Left/Right/Home/End move between tabs and show them; the chosen tab is kept in the URL hash.

import { emit } from './bus.js';

let tabs = [];

/** The name of the visible tab ("live", "stats", …). */
export function currentTab() {
  const t = tabs.find((b) => b.getAttribute('aria-selected') === 'true');
  return t ? t.dataset.tab : null;
}

/** Shows the tab `name`; `focus` moves keyboard focus to its button. */
export function showTab(name, { focus = false } = {}) {
  const target = tabs.find((b) => b.dataset.tab === name) || tabs[0];
  for (const b of tabs) {
    const selected = b === target;
    b.setAttribute('aria-selected', String(selected));
    b.tabIndex = selected ? 0 : -1;
    document.getElementById(b.getAttribute('aria-controls')).hidden = !selected;
  }
  if (focus) target.focus();
  const hash = `#${target.dataset.tab}`;
  if (location.hash !== hash) history.replaceState(history.state, '', location.pathname + location.search + hash);
  emit('tab', target.dataset.tab);
}

/** Wires the tab list `listId`. */
export function initTabs(listId) {
  const list = document.getElementById(listId);
  tabs = [...list.querySelectorAll('[role="tab"]')];
  for (const b of tabs) {
    b.addEventListener('click', () => showTab(b.dataset.tab));
    b.addEventListener('keydown', (ev) => {
      const i = tabs.indexOf(b);
      let next = null;
      if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') next = tabs[(i + 1) % tabs.length];
      else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') next = tabs[(i - 1 + tabs.length) % tabs.length];
      else if (ev.key === 'Home') next = tabs[0];
      else if (ev.key === 'End') next = tabs[tabs.length - 1];
      if (!next) return;
      ev.preventDefault();
      showTab(next.dataset.tab, { focus: true });
    });
  }
  window.addEventListener('hashchange', () => {
    const name = location.hash.slice(1);
    if (tabs.some((b) => b.dataset.tab === name) && name !== currentTab()) showTab(name);
  });
  const initial = location.hash.slice(1);
  showTab(tabs.some((b) => b.dataset.tab === initial) ? initial : tabs[0].dataset.tab);
}
