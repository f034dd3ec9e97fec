import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  ClosedError,
  type KvDriver,
  type LocalPubSub,
  localPubSub,
  type MessageDriver,
  type PubSubDriver,
  type QueueDriver,
  type SessionDriver,
  type StowageAdapter,
} from '@stowage/core';
import { connect } from './connection.js';
import { ADAPTER, toStowageError } from './errors.js';
import { countExpired } from './expired-count.js';
import { createGuard } from './guard.js';
import { kvDriver } from './kv-driver.js';
import { messageDriver } from './message-driver.js';
import {
  isMemoryTarget,
  resolveOptions,
  type SqliteAdapterOptions,
  type SqliteTarget,
} from './options.js';
import { queueDriver } from './queue-driver.js';
import { migrate, SCHEMA_VERSION, tablesFor } from './schema.js';
import { sessionDriver } from './session-driver.js';
import { Store } from './store.js';
import { Sweeper } from './sweeper.js';

interface OpenState {
  store: Store;
  owned: boolean;
  sessions: SessionDriver;
  messages: MessageDriver;
  kv: KvDriver;
  queues: QueueDriver;
  pubsub: LocalPubSub;
  sweeper: Sweeper;
}

/**
 * The pub/sub scope of a target: the absolute file path, so every adapter of this process on
 * that file meets in one registry; a private in-memory database gets a scope of its own.
 */
function pubsubScope(target: SqliteTarget, namespace: string): string {
  const file = target.database ? (target.database as { name?: unknown }).name : target.path;
  const shared =
    typeof file === 'string' && file !== '' && file !== ':memory:' && !isMemoryTarget(target);
  return `sqlite:${shared ? resolve(file) : `memory:${randomUUID()}`}\u0000${namespace}`;
}

/**
 * A Stowage adapter over SQLite via better-sqlite3: one file (or `':memory:'`), WAL journaling,
 * versioned schema migrations, statements prepared once, read-modify-write in `BEGIN IMMEDIATE`
 * transactions so several processes can share the file, and a background sweeper for expired
 * rows. Options are validated at once (a `ConfigError`); the file opens on first use.
 *
 * @example
 * ```ts
 * import { createStorage } from '@stowage/core';
 * import { sqliteAdapter } from '@stowage/adapter-sqlite';
 * const storage = createStorage(sqliteAdapter({ path: './data/app.db' }));
 * await storage.sessions.save({ id: 'c1', data: { topic: 'hello' } }, { ttl: '30m' });
 * ```
 */
export function sqliteAdapter(options: SqliteAdapterOptions): StowageAdapter {
  const resolved = resolveOptions(options);
  const memory = isMemoryTarget(resolved.target);
  const guard = createGuard(resolved.busyTimeoutMs);
  const tables = tablesFor(resolved.namespace);
  const scope = pubsubScope(resolved.target, resolved.namespace);
  let state: OpenState | undefined;
  let closed = false;

  const unavailable = (): ClosedError =>
    new ClosedError(closed ? 'SQLite adapter is closed' : 'SQLite adapter is not open yet', {
      adapter: ADAPTER,
    });
  const current = (): OpenState => {
    if (state) return state;
    throw unavailable();
  };
  const rejected = (): Promise<never> => Promise.reject(unavailable());

  // Drivers are created on open; these forwarders keep the adapter's shape fixed before that.
  const sessions: SessionDriver = {
    get: (...a) => (state ? state.sessions.get(...a) : rejected()),
    getMany: (...a) => (state ? state.sessions.getMany(...a) : rejected()),
    save: (...a) => (state ? state.sessions.save(...a) : rejected()),
    saveMany: (...a) => (state ? state.sessions.saveMany(...a) : rejected()),
    delete: (...a) => (state ? state.sessions.delete(...a) : rejected()),
    deleteMany: (...a) => (state ? state.sessions.deleteMany(...a) : rejected()),
    touch: (...a) => (state ? state.sessions.touch(...a) : rejected()),
    list: (...a) => (state ? state.sessions.list(...a) : rejected()),
    count: (...a) => (state ? state.sessions.count(...a) : rejected()),
    deleteWhere: (...a) => (state ? state.sessions.deleteWhere(...a) : rejected()),
    restore: (...a) => (state?.sessions.restore ? state.sessions.restore(...a) : rejected()),
    deleteIfUnchanged: (...a) =>
      state?.sessions.deleteIfUnchanged ? state.sessions.deleteIfUnchanged(...a) : rejected(),
  };
  const messages: MessageDriver = {
    append: (...a) => (state ? state.messages.append(...a) : rejected()),
    range: (...a) => (state ? state.messages.range(...a) : rejected()),
    length: (...a) => (state ? state.messages.length(...a) : rejected()),
    trim: (...a) => (state ? state.messages.trim(...a) : rejected()),
  };
  const kv: KvDriver = {
    get: (...a) => (state ? state.kv.get(...a) : rejected()),
    getMany: (...a) => (state ? state.kv.getMany(...a) : rejected()),
    set: (...a) => (state ? state.kv.set(...a) : rejected()),
    setMany: (...a) => (state ? state.kv.setMany(...a) : rejected()),
    delete: (...a) => (state ? state.kv.delete(...a) : rejected()),
    deleteMany: (...a) => (state ? state.kv.deleteMany(...a) : rejected()),
    keys: (...a) => (state ? state.kv.keys(...a) : rejected()),
    expire: (...a) => (state ? state.kv.expire(...a) : rejected()),
    increment: (...a) => (state ? state.kv.increment(...a) : rejected()),
    setIfAbsent: (...a) => (state ? state.kv.setIfAbsent(...a) : rejected()),
    getEntries: (...a) => (state?.kv.getEntries ? state.kv.getEntries(...a) : rejected()),
  };
  const queues: QueueDriver = {
    enqueue: (...a) => (state ? state.queues.enqueue(...a) : rejected()),
    dequeue: (...a) => (state ? state.queues.dequeue(...a) : rejected()),
    ack: (...a) => (state ? state.queues.ack(...a) : rejected()),
    nack: (...a) => (state ? state.queues.nack(...a) : rejected()),
    extend: (...a) => (state ? state.queues.extend(...a) : rejected()),
    size: (...a) => (state ? state.queues.size(...a) : rejected()),
    deadLetters: (...a) => (state ? state.queues.deadLetters(...a) : rejected()),
    replay: (...a) => (state ? state.queues.replay(...a) : rejected()),
  };
  const pubsub: PubSubDriver = {
    publish: (...a) => (state ? state.pubsub.driver.publish(...a) : rejected()),
    subscribe: (...a) => (state ? state.pubsub.driver.subscribe(...a) : rejected()),
  };

  return {
    name: ADAPTER,
    capabilities: { atomicBatch: true, multiProcess: !memory, persistent: !memory },
    sessions,
    messages,
    kv,
    queues,
    pubsub,
    async open({ clock }) {
      if (closed) throw new ClosedError('SQLite adapter is closed', { adapter: ADAPTER });
      if (state) return;
      let connection: ReturnType<typeof connect> | undefined;
      try {
        connection = connect(resolved);
        migrate(connection.db, tables);
        const store = new Store(connection.db, tables);
        // The checkpoint worker opens the file by path: only for a file the adapter opened.
        const { path } = resolved.target;
        const file = connection.owned && !memory && path !== undefined ? resolve(path) : undefined;
        const sweeper = new Sweeper(store, file);
        state = {
          store,
          owned: connection.owned,
          sessions: sessionDriver(store, guard),
          messages: messageDriver(store, guard),
          kv: kvDriver(store, guard),
          queues: queueDriver(connection.db, tables, guard),
          pubsub: localPubSub(scope),
          sweeper,
        };
        sweeper.start(clock, resolved.sweepIntervalMs, resolved.sweepBatchSize);
      } catch (error) {
        if (connection?.owned) connection.db.close();
        throw toStowageError(error, resolved.busyTimeoutMs);
      }
    },
    async close() {
      closed = true;
      const open = state;
      state = undefined;
      if (!open) return;
      open.pubsub.clear();
      try {
        await open.sweeper.stop();
      } catch (error) {
        throw toStowageError(error, resolved.busyTimeoutMs);
      } finally {
        if (open.owned) open.store.db.close();
      }
    },
    health() {
      return guard(() => {
        const { store, sweeper } = current();
        const sqliteVersion = store.db.prepare('SELECT sqlite_version()').pluck().get() as string;
        const journalMode = store.db.pragma('journal_mode', { simple: true }) as string;
        const details: Record<string, string | number> = {
          sqliteVersion,
          journalMode,
          schemaVersion: SCHEMA_VERSION,
          namespace: resolved.namespace,
        };
        if (sweeper.lastError) details.sweepError = sweeper.lastError.message;
        return details;
      });
    },
    async sweep(limit, { now }) {
      try {
        return await current().sweeper.sweep(limit, now);
      } catch (error) {
        throw toStowageError(error, resolved.busyTimeoutMs);
      }
    },
    countExpired: ({ now }) => guard(() => countExpired(current().store, now)),
  };
}
