import type { PubSubDriver } from './types.js';

type Listener = (message: string) => void;
type Channels = Map<string, Set<Listener>>;

// On `globalThis` under a registered symbol, so the ESM and CommonJS builds of core (or several
// adapter packages) loaded side by side in one process still share one registry per scope.
const REGISTRY_KEY = Symbol.for('@stowage/core/local-pubsub');

function registry(): Map<string, Channels> {
  const holder = globalThis as { [REGISTRY_KEY]?: Map<string, Channels> };
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

/** In-process pub/sub for one adapter instance. */
export interface LocalPubSub {
  driver: PubSubDriver;
  /** Number of listeners this instance registered, for health reports. */
  count(): number;
  /** Stops every listener this instance registered (call it on close). */
  clear(): void;
}

/**
 * Pub/sub inside this process, for adapters whose backend cannot wake another process
 * (memory, SQLite, files). Instances created with the same `scope` (for example a database
 * path plus namespace) share channels; without a scope an instance has channels of its own.
 * Delivery runs on a microtask, so a publisher never runs subscriber code on its own stack and
 * one channel's messages reach each listener in publish order.
 */
export function localPubSub(scope?: string): LocalPubSub {
  const own = new Set<() => void>();
  const privateChannels: Channels = new Map();
  const channelsOf = (create: boolean): Channels | undefined => {
    if (scope === undefined) return privateChannels;
    const all = registry();
    let channels = all.get(scope);
    if (!channels && create) {
      channels = new Map();
      all.set(scope, channels);
    }
    return channels;
  };

  const driver: PubSubDriver = {
    async publish(channel, message) {
      for (const listener of channelsOf(false)?.get(channel) ?? []) {
        queueMicrotask(() => listener(message));
      }
    },
    async subscribe(channel, listener) {
      // A wrapper per call keeps two subscriptions of one function independent.
      const entry: Listener = (message) => listener(message);
      const channels = channelsOf(true) as Channels;
      let listeners = channels.get(channel);
      if (!listeners) {
        listeners = new Set();
        channels.set(channel, listeners);
      }
      listeners.add(entry);
      const stop = (): void => {
        own.delete(stop);
        const current = channelsOf(false);
        const set = current?.get(channel);
        if (!current || !set?.delete(entry)) return;
        if (set.size === 0) current.delete(channel);
        if (current.size === 0 && scope !== undefined) registry().delete(scope);
      };
      own.add(stop);
      return async () => stop();
    },
  };

  return {
    driver,
    count: () => own.size,
    clear: () => {
      for (const stop of [...own]) stop();
    },
  };
}
