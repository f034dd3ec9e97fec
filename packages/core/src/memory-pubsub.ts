import type { PubSubDriver } from './types.js';

/** The in-process channels of one memory adapter. */
export interface MemoryPubSub {
  driver: PubSubDriver;
  /** Number of active listeners, for health reports. */
  count(): number;
  clear(): void;
}

/**
 * Channels as sets of listeners. Delivery is deferred to a microtask so a publisher never runs
 * subscriber code on its own stack, as with a network backend.
 */
export function memoryPubSub(): MemoryPubSub {
  const channels = new Map<string, Set<(message: string) => void>>();

  const driver: PubSubDriver = {
    async publish(channel, message) {
      for (const listener of channels.get(channel) ?? []) {
        queueMicrotask(() => listener(message));
      }
    },
    async subscribe(channel, listener) {
      // A wrapper per call keeps two subscriptions of one function independent.
      const entry = (message: string): void => listener(message);
      let listeners = channels.get(channel);
      if (!listeners) {
        listeners = new Set();
        channels.set(channel, listeners);
      }
      listeners.add(entry);
      return async () => {
        const current = channels.get(channel);
        if (!current?.delete(entry)) return;
        if (current.size === 0) channels.delete(channel);
      };
    },
  };

  return {
    driver,
    count: () => {
      let total = 0;
      for (const listeners of channels.values()) total += listeners.size;
      return total;
    },
    clear: () => channels.clear(),
  };
}
