import type { PubSubDriver } from '@stowage/core';

type Listener = (message: string) => void;

// Process-wide, keyed by namespace folder, so every storage opened on the same folder in this
// process shares channels; other processes are out of reach (the adapter has no broker).
const registry = new Map<string, Map<string, Set<Listener>>>();

/**
 * In-process pub/sub for one namespace folder (`root`, an absolute path). A message reaches
 * every subscriber in this process whose storage uses the same folder and namespace; delivery
 * runs on a microtask, so a publisher never runs subscriber code on its own stack and messages
 * on one channel arrive in publish order.
 */
export function pubsubDriver(root: string): PubSubDriver {
  return {
    async publish(channel, message) {
      for (const listener of registry.get(root)?.get(channel) ?? []) {
        queueMicrotask(() => listener(message));
      }
    },
    async subscribe(channel, listener) {
      // A wrapper per call keeps two subscriptions of one function independent.
      const entry: Listener = (message) => listener(message);
      let channels = registry.get(root);
      if (!channels) {
        channels = new Map();
        registry.set(root, channels);
      }
      let listeners = channels.get(channel);
      if (!listeners) {
        listeners = new Set();
        channels.set(channel, listeners);
      }
      listeners.add(entry);
      return async () => {
        const current = registry.get(root);
        const set = current?.get(channel);
        if (!current || !set?.delete(entry)) return;
        if (set.size === 0) current.delete(channel);
        if (current.size === 0) registry.delete(root);
      };
    },
  };
}
