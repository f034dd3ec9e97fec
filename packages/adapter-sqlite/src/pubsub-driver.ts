import type { PubSubDriver } from '@stowage/core';

type Listener = (message: string) => void;
type Channels = Map<string, Set<Listener>>;

// Kept on `globalThis` under a registered symbol so the ESM and CommonJS builds of this package,
// loaded side by side in one process, still share one registry.
const REGISTRY_KEY = Symbol.for('@stowage/adapter-sqlite/pubsub');

function registry(): Map<string, Channels> {
  const holder = globalThis as { [REGISTRY_KEY]?: Map<string, Channels> };
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

/** The in-process pub/sub of one adapter, and a way to drop its listeners on close. */
export interface SqlitePubSub {
  driver: PubSubDriver;
  /** Stops every listener this adapter registered. */
  clear(): void;
}

/**
 * Pub/sub between every adapter of this process that opened the same database file with the
 * same namespace (`scope` names that pair). SQLite has no way to wake another process, so
 * delivery never leaves the process. Delivery is deferred to a microtask so a publisher never
 * runs subscriber code on its own stack, and microtasks run in order, so one channel's
 * messages reach each listener in publish order.
 */
export function sqlitePubSub(scope: string): SqlitePubSub {
  const own = new Set<() => void>();
  const channelsOf = (): Channels => {
    const all = registry();
    let channels = all.get(scope);
    if (!channels) {
      channels = new Map();
      all.set(scope, channels);
    }
    return channels;
  };

  const driver: PubSubDriver = {
    async publish(channel, message) {
      for (const listener of registry().get(scope)?.get(channel) ?? []) {
        queueMicrotask(() => listener(message));
      }
    },
    async subscribe(channel, listener) {
      // A wrapper per call keeps two subscriptions of one function independent.
      const entry: Listener = (message) => listener(message);
      const channels = channelsOf();
      let listeners = channels.get(channel);
      if (!listeners) {
        listeners = new Set();
        channels.set(channel, listeners);
      }
      listeners.add(entry);
      const stop = (): void => {
        own.delete(stop);
        const all = registry();
        const current = all.get(scope);
        const set = current?.get(channel);
        if (!current || !set?.delete(entry)) return;
        if (set.size === 0) current.delete(channel);
        if (current.size === 0) all.delete(scope);
      };
      own.add(stop);
      return async () => stop();
    },
  };

  return {
    driver,
    clear: () => {
      for (const stop of [...own]) stop();
    },
  };
}
