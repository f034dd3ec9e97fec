import { memoryAdapter, type StowageAdapter } from '@stowage/core';
import type { AdapterContractOptions, BackendInspector } from './types.js';

/** What `memoryBackend()` returns: the `create` and `inspect` hooks of a contract run. */
export type MemoryBackend = Pick<AdapterContractOptions, 'create' | 'inspect'>;

// Reads at the start of time see every item, expired or not: the physical view an inspector needs.
const PHYSICAL = { now: Number.NEGATIVE_INFINITY };

/**
 * One in-process memory backend that several adapter instances share, so the memory adapter
 * can run the whole contract: `create` returns a new view (a distinct adapter object) over one
 * `memoryAdapter()`, and `inspect` reads that adapter without expiry checks. The backend is
 * opened by the first view and keeps its data for the life of the process, like a server
 * outliving its clients; its sweep timer does not keep the process alive.
 *
 * @example
 * ```ts
 * import { describeAdapterContract } from '@stowage/contract-tests/vitest';
 * import { memoryBackend } from '@stowage/contract-tests';
 *
 * describeAdapterContract({ name: 'memory', ...memoryBackend() });
 * ```
 */
export function memoryBackend(): MemoryBackend {
  const inner = memoryAdapter();
  let opening: Promise<void> | undefined;

  const create = (): StowageAdapter => ({
    name: inner.name,
    capabilities: inner.capabilities,
    ...(inner.sessions ? { sessions: inner.sessions } : {}),
    ...(inner.messages ? { messages: inner.messages } : {}),
    ...(inner.kv ? { kv: inner.kv } : {}),
    ...(inner.queues ? { queues: inner.queues } : {}),
    ...(inner.pubsub ? { pubsub: inner.pubsub } : {}),
    async open(context) {
      opening ??= inner.open?.(context) ?? Promise.resolve();
      await opening;
    },
    // Closing a view must not clear the shared backend, just as closing one client of a
    // database server leaves its data for the others.
    async close() {},
    health: async () => (inner.health ? inner.health() : {}),
    sweep: async (limit, ctx) => (inner.sweep ? inner.sweep(limit, ctx) : 0),
  });
  const inspect = (): BackendInspector => ({
    async sessionExists(id) {
      return (await inner.sessions?.get(id, PHYSICAL)) != null;
    },
    async messageCount(sessionId) {
      return (await inner.messages?.range(sessionId, 0, -1, PHYSICAL))?.length ?? 0;
    },
    async kvExists(key) {
      return (await inner.kv?.get(key, PHYSICAL)) !== undefined;
    },
  });

  return { create, inspect };
}
