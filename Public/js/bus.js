// A tiny publish/subscribe hub between the modules (stream events, token changes, tab changes).

const handlers = new Map();

/** Calls `fn(detail)` on every `emit(name, detail)`; returns an unsubscribe function. */
export function on(name, fn) {
  if (!handlers.has(name)) handlers.set(name, new Set());
  handlers.get(name).add(fn);
  return () => handlers.get(name).delete(fn);
}

/** Calls every handler of `name`; one failing handler does not stop the others. */
export function emit(name, detail) {
  for (const fn of handlers.get(name) || []) {
    try { fn(detail); } catch (e) { console.warn(`handler for ${name} failed`, e); }
  }
}
