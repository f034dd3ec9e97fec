import {
  assertVersion,
  clampExpiry,
  compareIds,
  compareListPosition,
  isExpired,
  matchesFilter,
  matchesFingerprint,
  nextSession,
  parseCounter,
  sliceRange,
} from './adapter-kit.js';
import { ConfigError, NotFoundError, ValidationError } from './errors.js';
import { localPubSub } from './local-pubsub.js';
import { countExpiredInMemory } from './memory-expired.js';
import { memoryQueues } from './memory-queues.js';
import { validateStoredSessions } from './migrate/stored-session.js';
import type {
  AdapterKeysQuery,
  AdapterListQuery,
  AdapterSessionFilter,
  CallContext,
  KvDriver,
  KvWrite,
  MessageDriver,
  SessionDriver,
  SessionWrite,
  StoredSession,
  StowageAdapter,
} from './types.js';

/** Options of `memoryAdapter`. */
export interface MemoryAdapterOptions {
  /**
   * How often expired items are swept from memory, in ms (default 60,000); 0 turns the sweeper
   * off (expired items stay invisible and are dropped by `storage.sweep()`).
   */
  sweepIntervalMs?: number;
}

interface MessageLog {
  items: string[];
  /** idempotency key → length after that append */
  keys: Map<string, number>;
}

interface KvEntry {
  value: string;
  expiresAt: number | null;
}

const ADAPTER = 'memory';

/**
 * An adapter that keeps everything in this process's memory: the default for tests and the
 * reference implementation of the contract, queues and pub/sub included. Batches are atomic;
 * data is lost on exit. Expired items are invisible at once and swept on a timer (one timer per
 * adapter, not per key).
 *
 * @example
 * ```ts
 * import { createStorage, memoryAdapter } from '@stowage/core';
 * const storage = createStorage(memoryAdapter());
 * ```
 */
export function memoryAdapter(options: MemoryAdapterOptions = {}): StowageAdapter {
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  if (!Number.isSafeInteger(sweepIntervalMs) || sweepIntervalMs < 0) {
    throw new ConfigError(
      `memoryAdapter: sweepIntervalMs must be a whole number of ms, 0 for no sweeper; got ${String(sweepIntervalMs)}`,
    );
  }
  const sessions = new Map<string, StoredSession>();
  const logs = new Map<string, MessageLog>();
  const kv = new Map<string, KvEntry>();
  const queues = memoryQueues(ADAPTER);
  const pubsub = localPubSub();
  let sweeper: NodeJS.Timeout | undefined;

  const live = (id: string, now: number): StoredSession | undefined => {
    const s = sessions.get(id);
    if (s && isExpired(s.expiresAt, now)) {
      remove(id);
      return undefined;
    }
    return s;
  };
  const remove = (id: string): boolean => {
    logs.delete(id);
    return sessions.delete(id);
  };
  const liveKv = (key: string, now: number): KvEntry | undefined => {
    const e = kv.get(key);
    if (e && isExpired(e.expiresAt, now)) {
      kv.delete(key);
      return undefined;
    }
    return e;
  };
  const apply = (
    w: SessionWrite,
    current: StoredSession | undefined,
    now: number,
  ): StoredSession => {
    if (!current) logs.delete(w.id);
    const stored = nextSession(w, current, now);
    sessions.set(w.id, stored);
    return copy(stored);
  };
  const matching = (filter: AdapterSessionFilter, now: number): StoredSession[] => {
    const found: StoredSession[] = [];
    for (const s of sessions.values()) {
      if (!isExpired(s.expiresAt, now) && matchesFilter(s, filter)) found.push(s);
    }
    return found;
  };

  const sessionDriver: SessionDriver = {
    async get(id, { now }) {
      const s = live(id, now);
      return s ? copy(s) : null;
    },
    async getMany(ids, { now }) {
      return ids.map((id) => {
        const s = live(id, now);
        return s ? copy(s) : null;
      });
    },
    async save(write, { now }) {
      const current = live(write.id, now);
      assertVersion(write.id, write.expectedVersion, current?.version ?? 0, ADAPTER);
      return apply(write, current, now);
    },
    async saveMany(writes, { now }) {
      const currents = writes.map((w) => live(w.id, now));
      for (const [i, w] of writes.entries()) {
        assertVersion(w.id, w.expectedVersion, currents[i]?.version ?? 0, ADAPTER);
      }
      return writes.map((w, i) => apply(w, currents[i], now));
    },
    async delete(id, expectedVersion, { now }) {
      const current = live(id, now);
      assertVersion(id, expectedVersion, current?.version ?? 0, ADAPTER);
      return current ? remove(id) : false;
    },
    async deleteMany(ids, { now }) {
      let deleted = 0;
      for (const id of ids) if (live(id, now) && remove(id)) deleted++;
      return deleted;
    },
    async touch(id, expiresAt, { now }) {
      const s = live(id, now);
      if (!s) return undefined;
      s.expiresAt = clampExpiry(expiresAt, s.maxExpiresAt);
      return s.expiresAt;
    },
    async list(query: AdapterListQuery, { now }) {
      const sign = query.order === 'asc' ? 1 : -1;
      const { after } = query;
      return matching(query, now)
        .filter((s) => !after || sign * compareListPosition(s, after) > 0)
        .sort((a, b) => sign * compareListPosition(a, b))
        .slice(0, query.limit)
        .map(copy);
    },
    async count(filter, { now }) {
      return matching(filter, now).length;
    },
    async deleteWhere(filter, { now }) {
      const found = matching(filter, now);
      for (const s of found) remove(s.id);
      return found.length;
    },
    async deleteIfUnchanged(id, expected, { now }) {
      const s = live(id, now);
      if (!s || !matchesFingerprint(s, logs.get(id)?.items.length ?? 0, expected)) return false;
      return remove(id);
    },
    async restore(copies, { now }) {
      validateStoredSessions(copies);
      for (const s of copies) {
        // Only a live session's messages belong to the copy; an expired one's are stale.
        if (!live(s.id, now)) logs.delete(s.id);
        sessions.set(s.id, copy(s));
      }
    },
  };

  const messageDriver: MessageDriver = {
    async append(sessionId, messages, { idempotencyKey }, { now }) {
      const session = live(sessionId, now);
      if (!session) {
        throw new NotFoundError(`Cannot append to missing session ${JSON.stringify(sessionId)}`, {
          adapter: ADAPTER,
        });
      }
      let log = logs.get(sessionId);
      if (!log) {
        log = { items: [], keys: new Map() };
        logs.set(sessionId, log);
      }
      if (idempotencyKey !== undefined && log.keys.has(idempotencyKey)) return log.items.length;
      for (const m of messages) log.items.push(m);
      if (idempotencyKey !== undefined) log.keys.set(idempotencyKey, log.items.length);
      session.updatedAt = now;
      return log.items.length;
    },
    async range(sessionId, start, end, { now }) {
      if (!live(sessionId, now)) return [];
      const items = logs.get(sessionId)?.items ?? [];
      const [from, to] = sliceRange(items.length, start, end);
      return items.slice(from, to);
    },
    async length(sessionId, { now }) {
      return live(sessionId, now) ? (logs.get(sessionId)?.items.length ?? 0) : 0;
    },
    async trim(sessionId, keepLast, { now }) {
      const log = live(sessionId, now) ? logs.get(sessionId) : undefined;
      if (!log || log.items.length <= keepLast) return 0;
      return log.items.splice(0, log.items.length - keepLast).length;
    },
  };

  const put = (w: KvWrite): void => {
    kv.set(w.key, { value: w.value, expiresAt: w.expiresAt });
  };
  const kvDriver: KvDriver = {
    async get(key, { now }) {
      return liveKv(key, now)?.value;
    },
    async getMany(keys, { now }) {
      return keys.map((key) => liveKv(key, now)?.value);
    },
    async set(write) {
      put(write);
    },
    async setMany(writes) {
      for (const w of writes) put(w);
    },
    async delete(key, { now }) {
      return liveKv(key, now) !== undefined && kv.delete(key);
    },
    async deleteMany(keys, { now }) {
      let deleted = 0;
      for (const key of keys) if (liveKv(key, now) && kv.delete(key)) deleted++;
      return deleted;
    },
    async keys({ prefix, limit, after }: AdapterKeysQuery, { now }) {
      const found: string[] = [];
      for (const [key, e] of kv) {
        if (
          key.startsWith(prefix) &&
          (after === undefined || compareIds(key, after) > 0) &&
          !isExpired(e.expiresAt, now)
        ) {
          found.push(key);
        }
      }
      return found.sort(compareIds).slice(0, limit);
    },
    async expire(key, expiresAt, { now }) {
      const e = liveKv(key, now);
      if (!e) return false;
      e.expiresAt = expiresAt;
      return true;
    },
    async increment(key, by, expiresAt, { now }) {
      const e = liveKv(key, now);
      const next = (e ? parseCounter(e.value, key) : 0) + by;
      if (!Number.isSafeInteger(next)) {
        throw new ValidationError(
          `increment of ${JSON.stringify(key)} would leave the safe integer range`,
        );
      }
      kv.set(key, { value: String(next), expiresAt: e ? e.expiresAt : expiresAt });
      return next;
    },
    async setIfAbsent(write, { now }) {
      if (liveKv(write.key, now)) return false;
      put(write);
      return true;
    },
    async getEntries(keys, { now }) {
      return keys.map((key) => {
        const e = liveKv(key, now);
        return e && { key, value: e.value, expiresAt: e.expiresAt };
      });
    },
  };

  const sweep = (limit: number, ctx: CallContext): number => {
    let removed = 0;
    for (const [id, s] of sessions) {
      if (removed >= limit) return removed;
      if (isExpired(s.expiresAt, ctx.now)) removed += remove(id) ? 1 : 0;
    }
    for (const [key, e] of kv) {
      if (removed >= limit) return removed;
      if (isExpired(e.expiresAt, ctx.now) && kv.delete(key)) removed++;
    }
    return removed;
  };

  return {
    name: ADAPTER,
    capabilities: { atomicBatch: true, multiProcess: false, persistent: false },
    sessions: sessionDriver,
    messages: messageDriver,
    kv: kvDriver,
    queues: queues.driver,
    pubsub: pubsub.driver,
    async open({ clock }) {
      // Opened again (by a migration as well as a storage): keep one timer, not two.
      clearInterval(sweeper);
      if (sweepIntervalMs === 0) return;
      sweeper = setInterval(
        () => sweep(Number.POSITIVE_INFINITY, { now: clock.now() }),
        sweepIntervalMs,
      );
      sweeper.unref();
    },
    async close() {
      clearInterval(sweeper);
      sessions.clear();
      logs.clear();
      kv.clear();
      queues.clear();
      pubsub.clear();
    },
    async health() {
      return {
        sessions: sessions.size,
        kvEntries: kv.size,
        queuedJobs: queues.count(),
        subscribers: pubsub.count(),
      };
    },
    async sweep(limit, ctx) {
      return sweep(limit, ctx);
    },
    countExpired: async ({ now }) => countExpiredInMemory(sessions.values(), kv.values(), now),
  };
}

function copy(s: StoredSession): StoredSession {
  return { ...s, labels: { ...s.labels } };
}
