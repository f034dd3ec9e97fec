import { ConnectionError, memoryAdapter, type StowageAdapter } from '@stowage/core';

/** A memory adapter whose every call can be made to fail, to simulate an outage of the store. */
export interface FlakyAdapter extends StowageAdapter {
  /** `'up'`: calls pass; `'refuse'`: they throw ConnectionError; `'hang'`: they never answer. */
  mode: 'up' | 'refuse' | 'hang';
}

function outage(mode: FlakyAdapter['mode']): Promise<never> | undefined {
  if (mode === 'refuse') {
    return Promise.reject(
      new ConnectionError('connect ECONNREFUSED 127.0.0.1:1', { adapter: 'flaky' }),
    );
  }
  if (mode === 'hang') return new Promise<never>(() => {});
  return undefined;
}

function wrap<T extends object>(driver: T, state: { mode: FlakyAdapter['mode'] }): T {
  return new Proxy(driver, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        outage(state.mode) ?? (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
}

/** Wraps `memoryAdapter()` so a test can switch the store off and on. */
export function flakyAdapter(): FlakyAdapter {
  const inner = memoryAdapter();
  const state = { mode: 'up' as FlakyAdapter['mode'] };
  const adapter: FlakyAdapter = {
    name: 'flaky',
    capabilities: inner.capabilities,
    sessions: wrap(inner.sessions!, state),
    kv: wrap(inner.kv!, state),
    get mode() {
      return state.mode;
    },
    set mode(value) {
      state.mode = value;
    },
    open: (context) => inner.open?.(context) ?? Promise.resolve(),
    close: () => inner.close(),
    health: () => outage(state.mode) ?? inner.health?.() ?? Promise.resolve({}),
  };
  return adapter;
}
