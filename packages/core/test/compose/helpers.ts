import { ConnectionError, type StowageAdapter } from '../../src/index.js';

/**
 * A distinct adapter object over `inner`'s drivers, the way two app instances share one
 * backend: closing a view leaves the backend (and its data) alone.
 */
export function view(inner: StowageAdapter, name = inner.name): StowageAdapter {
  return {
    ...inner,
    name,
    async open(context) {
      await inner.open?.(context);
    },
    async close() {},
  };
}

/** Resolves once `check` returns true, polling on the event loop (bounded). */
export async function until(check: () => boolean | Promise<boolean>, rounds = 1000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}

/** A promise with its resolve function, for holding a call until the test lets it go. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** Wraps every function of a driver so `before` runs first (to count, hold or fail calls). */
export function intercept<T extends object>(
  driver: T,
  before: (method: string) => void | Promise<void>,
): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(driver)) {
    out[key] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            await before(key);
            return (value as (...a: unknown[]) => unknown).apply(driver, args);
          }
        : value;
  }
  return out as T;
}

/** An adapter over `inner` that fails every call with `ConnectionError` while `down` is set. */
export function breakable(inner: StowageAdapter): { adapter: StowageAdapter; down: boolean } {
  const state = { down: false, adapter: inner };
  const check = () => {
    if (state.down)
      throw new ConnectionError('backend unreachable (test)', { adapter: inner.name });
  };
  state.adapter = {
    name: inner.name,
    capabilities: inner.capabilities,
    ...(inner.sessions ? { sessions: intercept(inner.sessions, check) } : {}),
    ...(inner.messages ? { messages: intercept(inner.messages, check) } : {}),
    ...(inner.kv ? { kv: intercept(inner.kv, check) } : {}),
    open: async (context) => {
      check();
      await inner.open?.(context);
    },
    close: () => inner.close(),
    health: async () => {
      check();
      return inner.health ? inner.health() : {};
    },
  };
  return state;
}
