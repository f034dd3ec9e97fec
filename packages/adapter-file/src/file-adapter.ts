import { localPubSub, type StowageAdapter } from '@stowage/core';
import { ADAPTER, toStowageError } from './errors.js';
import { countExpired } from './expired-count.js';
import { kvDriver } from './kv-driver.js';
import { messageDriver } from './message-driver.js';
import { type FileAdapterOptions, resolveOptions } from './options.js';
import { queueDriver } from './queue-driver.js';
import { QueueStore } from './queue-store.js';
import { sessionDriver } from './session-driver.js';
import { FileStore } from './store.js';
import { sweep } from './sweeper.js';

/** Rejects with a typed error (`DiskFullError` for a full disk) instead of a raw fs error. */
function guarded<T extends object>(driver: T, kind: string): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(driver)) {
    const fn = method as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = (...args: unknown[]) =>
      fn(...args).catch((error: unknown) => {
        throw toStowageError(error, `${kind}.${name}`);
      });
  }
  return wrapped as T;
}

/**
 * An adapter that keeps each namespace in a folder of checksummed JSON files (sessions, kv)
 * and JSONL message logs. Writes are atomic (temp file, fsync, rename, folder fsync), so a
 * crash leaves the old or the new version; several processes may share the folder (per-item
 * lock files). Queues keep one file per queue, changed under the queue's lock file, so
 * workers in several processes may share them; pub/sub reaches subscribers in this process
 * only (same folder and namespace). Batches are not atomic (`atomicBatch: false`): `saveMany` applies writes one
 * by one and stops at the first conflict. Expired items are invisible at once and swept in
 * the background by one process at a time.
 *
 * @example
 * ```ts
 * import { createStorage } from '@stowage/core';
 * import { fileAdapter } from '@stowage/adapter-file';
 * const storage = createStorage(fileAdapter({ dir: './data' }));
 * ```
 */
export function fileAdapter(options: FileAdapterOptions): StowageAdapter {
  const settings = resolveOptions(options);
  const store = new FileStore(settings);
  const queueStore = new QueueStore(store);
  // Channels are shared with every adapter on this folder in this process; no broker reaches others.
  const pubsub = localPubSub(`file:${store.root}`);
  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> | undefined;

  return {
    name: ADAPTER,
    capabilities: { atomicBatch: false, multiProcess: true, persistent: true },
    sessions: guarded(sessionDriver(store), 'sessions'),
    messages: guarded(messageDriver(store), 'messages'),
    kv: guarded(kvDriver(store), 'kv'),
    queues: guarded(queueDriver(queueStore), 'queues'),
    pubsub: pubsub.driver,
    async open({ clock, timeoutMs }) {
      try {
        await store.init();
      } catch (error) {
        throw toStowageError(error, `open of ${store.root}`);
      }
      store.lock = { ...store.lock, timeoutMs: settings.lockTimeoutMs ?? timeoutMs };
      if (settings.sweepIntervalMs > 0) {
        sweeper = setInterval(() => {
          if (sweeping) return;
          sweeping = sweep(store, 1000, { now: clock.now() })
            .catch((error: unknown) => {
              // A background sweep has no caller to reject; report it and try again next tick.
              process.emitWarning(toStowageError(error, 'background sweep'));
            })
            .finally(() => {
              sweeping = undefined;
            });
        }, settings.sweepIntervalMs);
        sweeper.unref();
      }
    },
    async close() {
      clearInterval(sweeper);
      pubsub.clear();
      await sweeping;
    },
    async health() {
      try {
        const sessions = (await store.sessionFiles()).length;
        return { dir: store.root, sessions, durable: store.durable };
      } catch (error) {
        throw toStowageError(error, 'health');
      }
    },
    async sweep(limit, ctx) {
      try {
        return await sweep(store, limit, ctx);
      } catch (error) {
        throw toStowageError(error, 'sweep');
      }
    },
    countExpired: ({ now }) => countExpired(store, now),
  };
}
