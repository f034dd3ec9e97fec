import { ConfigError } from '../errors.js';
import type {
  AdapterSessionFilter,
  CallContext,
  MessageDriver,
  PubSubDriver,
  SessionDriver,
  StoredSession,
  StowageAdapter,
  Ttl,
} from '../types.js';
import { durationOption } from '../validate.js';
import { InvalidationChannel } from './invalidation.js';
import { assertAdapter, requireDriver } from './options.js';
import { compositeName, type Part, partsLifecycle, stampErrors } from './parts.js';
import { SessionCache } from './session-cache.js';

/** Options of `tiered`. */
export interface TieredOptions {
  /** The fast tier (memory, Redis): needs a kv driver; holds copies under `prefix`. */
  cache: StowageAdapter;
  /** The tier of record (PostgreSQL, SQLite, ...): needs sessions; serves everything else. */
  store: StowageAdapter;
  /** Longest time a session stays cached (ms or `'5m'`); default `'5m'`. */
  ttl?: Ttl;
  /** Fraction (0–1) by which each copy's lifetime is randomly shortened; default `0.1`. */
  jitter?: number;
  /**
   * Pub/sub channel for invalidations between instances; default `'stowage:tiered'`. `false`
   * turns them off (right only when a single instance uses the store).
   */
  channel?: string | false;
  /** Prefix of the cache kv keys holding copies; default `'stowage:tiered:'`. */
  prefix?: string;
  /** Receives failures of background invalidation work; default: a process warning. */
  onError?: (error: unknown) => void;
}

/**
 * Sessions read through a cache tier in front of a store: cache-aside reads, write-through
 * writes. A read looks in the cache, and on a miss reads the store once per id at a time in
 * this process (concurrent misses share that read) and caches the exact `StoredSession` until
 * the earlier of its own expiry and `ttl` (minus jitter). Every write goes to the store first,
 * then deletes the cached copy and announces the ids on `channel`, so other instances drop
 * their copies and their in-flight loads. The channel rides on the cache's pub/sub when the
 * cache is shared between processes (Redis), else on the store's, else the cache's.
 * Listing, counting, messages (passed through, not cached), kv, queues and pub/sub are the
 * store's. A cache failure fails the call: wrap the cache in `withFallback` to degrade.
 *
 * @example
 * ```ts
 * const adapter = tiered({ cache: memoryAdapter(), store: sqliteAdapter({ path: 'app.db' }), ttl: '1m' });
 * const storage = createStorage(adapter);
 * ```
 */
export function tiered(options: TieredOptions): StowageAdapter {
  const cache = assertAdapter(options.cache, 'cache', 'tiered');
  const store = assertAdapter(options.store, 'store', 'tiered');
  if (cache === store) {
    throw new ConfigError('tiered: cache and store must be different adapter instances');
  }
  const cacheKv = requireDriver(cache, 'kv', 'cache', 'tiered');
  const sessions = requireDriver(store, 'sessions', 'store', 'tiered');
  const jitter = options.jitter ?? 0.1;
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new ConfigError(`tiered: jitter must be between 0 and 1, got ${String(jitter)}`);
  }
  const parts: Part[] = [
    { role: 'store', adapter: store },
    { role: 'cache', adapter: cache },
  ];
  const name = compositeName('tiered', parts);
  const copies = new SessionCache(cacheKv, {
    prefix: options.prefix ?? 'stowage:tiered:',
    ttlMs: durationOption(options.ttl ?? '5m', 'ttl', 'tiered'),
    jitter,
    name,
  });
  const onError =
    options.onError ??
    ((error: unknown) => process.emitWarning(`${name}: ${String(error)}`, 'StowageWarning'));
  const transport = invalidationTransport(cache, store);
  const channel =
    options.channel === false || !transport.pubsub
      ? undefined
      : new InvalidationChannel(transport.pubsub, options.channel ?? 'stowage:tiered', onError);
  const lifecycle = partsLifecycle(name, parts);

  const invalidate = async (ids: readonly string[], ctx: CallContext): Promise<void> => {
    await copies.invalidate(ids, ctx);
    await channel?.publish(ids, ctx);
  };
  // Runs a store write, then invalidates: also when the write failed, because a conflict means
  // the cached copy was stale, and a timeout leaves the outcome unknown.
  const writing = async <T>(
    ids: readonly string[],
    ctx: CallContext,
    write: () => Promise<T>,
  ): Promise<T> => {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      await invalidate(ids, ctx).catch(onError);
      throw error;
    }
    await invalidate(ids, ctx);
    return result;
  };
  const matchingIds = async (filter: AdapterSessionFilter, ctx: CallContext) => {
    const ids: string[] = [];
    let after: { createdAt: number; id: string } | undefined;
    for (;;) {
      const page = await sessions.list({ ...filter, order: 'asc', limit: 1000, after }, ctx);
      ids.push(...page.map((s) => s.id));
      const last = page.at(-1);
      if (!last || page.length < 1000) return ids;
      after = { createdAt: last.createdAt, id: last.id };
    }
  };

  const sessionDriver: SessionDriver = {
    async get(id, ctx) {
      const [cached] = await copies.peek([id], ctx);
      if (cached) return cached;
      const [found] = await copies.load([id], (ids) => sessions.getMany(ids, ctx), ctx);
      return found ?? null;
    },
    async getMany(ids, ctx) {
      const cached = await copies.peek(ids, ctx);
      const missing = ids.filter((_, i) => cached[i] === undefined);
      if (missing.length === 0) return cached.map((s) => s ?? null);
      const loaded = await copies.load(missing, (fresh) => sessions.getMany(fresh, ctx), ctx);
      const byId = new Map(missing.map((id, i) => [id, loaded[i] ?? null]));
      return ids.map((id, i) => cached[i] ?? byId.get(id) ?? null);
    },
    save: (write, ctx) => writing([write.id], ctx, () => sessions.save(write, ctx)),
    saveMany: (writes, ctx) =>
      writing(
        writes.map((w) => w.id),
        ctx,
        () => sessions.saveMany(writes, ctx),
      ),
    delete: (id, expectedVersion, ctx) =>
      writing([id], ctx, () => sessions.delete(id, expectedVersion, ctx)),
    deleteMany: (ids, ctx) => writing(ids, ctx, () => sessions.deleteMany(ids, ctx)),
    touch: (id, expiresAt, ctx) => writing([id], ctx, () => sessions.touch(id, expiresAt, ctx)),
    list: (query, ctx) => sessions.list(query, ctx),
    count: (filter, ctx) => sessions.count(filter, ctx),
    ...(sessions.restore
      ? {
          restore: (stored: readonly StoredSession[], ctx: CallContext) =>
            writing(
              stored.map((s) => s.id),
              ctx,
              async () => sessions.restore?.(stored, ctx),
            ),
        }
      : {}),
    async deleteWhere(filter, ctx) {
      const ids = await matchingIds(filter, ctx);
      return writing(ids, ctx, () => sessions.deleteWhere(filter, ctx));
    },
  };

  const storeMessages = store.messages;
  // Appending moves the session's updatedAt, so the cached copy of the session goes too.
  const messageDriver: MessageDriver | undefined = storeMessages && {
    append: (sessionId, messages, appendOptions, ctx) =>
      writing([sessionId], ctx, () =>
        storeMessages.append(sessionId, messages, appendOptions, ctx),
      ),
    range: (sessionId, start, end, ctx) => storeMessages.range(sessionId, start, end, ctx),
    length: (sessionId, ctx) => storeMessages.length(sessionId, ctx),
    trim: (sessionId, keepLast, ctx) =>
      writing([sessionId], ctx, () => storeMessages.trim(sessionId, keepLast, ctx)),
  };

  const transportShared = transport.owner?.capabilities.multiProcess ?? false;
  return {
    name,
    capabilities: {
      atomicBatch: store.capabilities.atomicBatch,
      // Other processes' writes reach this cache only through a shared cache or the channel.
      multiProcess:
        store.capabilities.multiProcess &&
        (cache.capabilities.multiProcess || (channel !== undefined && transportShared)),
      persistent: store.capabilities.persistent,
    },
    sessions: stampErrors(sessionDriver, name),
    ...(messageDriver ? { messages: stampErrors(messageDriver, name) } : {}),
    ...(store.kv ? { kv: stampErrors(store.kv, name) } : {}),
    ...(store.queues ? { queues: stampErrors(store.queues, name) } : {}),
    ...(store.pubsub ? { pubsub: stampErrors(store.pubsub, name) } : {}),
    async open(context) {
      await lifecycle.open(context);
      await channel?.listen(
        async (ids) => {
          const ctx = { now: context.clock.now() };
          // A shared cache was already cleaned by the writer; overtake only this process's loads.
          if (cache.capabilities.multiProcess) copies.detach(ids);
          else await copies.invalidate(ids, ctx);
        },
        { now: context.clock.now() },
      );
    },
    async close() {
      try {
        await channel?.close();
      } finally {
        await lifecycle.close();
      }
    },
    health: () => lifecycle.health(),
    sweep: (limit, ctx) => lifecycle.sweep(limit, ctx),
  };
}

/** The pub/sub that carries invalidations: the cache's if shared, else the store's, else the cache's. */
function invalidationTransport(
  cache: StowageAdapter,
  store: StowageAdapter,
): { pubsub: PubSubDriver | undefined; owner: StowageAdapter | undefined } {
  const owner =
    cache.pubsub && cache.capabilities.multiProcess
      ? cache
      : store.pubsub
        ? store
        : cache.pubsub
          ? cache
          : undefined;
  return { pubsub: owner?.pubsub, owner };
}
