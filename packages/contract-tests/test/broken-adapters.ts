import type {
  KvDriver,
  LeasedJob,
  MessageDriver,
  PubSubDriver,
  QueueDriver,
  SessionDriver,
  StowageAdapter,
} from '@stowage/core';
import { type MemoryBackend, memoryBackend } from '../src/index.js';

/** Replacement driver methods for one deliberately broken adapter. */
export interface Breakage {
  sessions?: (base: SessionDriver) => Partial<SessionDriver>;
  messages?: (base: MessageDriver) => Partial<MessageDriver>;
  kv?: (base: KvDriver) => Partial<KvDriver>;
  queues?: (base: QueueDriver) => Partial<QueueDriver>;
  pubsub?: (base: PubSubDriver) => Partial<PubSubDriver>;
  /** Capability flags to claim, whatever the adapter really does. */
  claims?: Partial<StowageAdapter['capabilities']>;
}

/** A shared memory backend whose adapter instances misbehave as `breakage` says. */
export function brokenBackend(breakage: Breakage): MemoryBackend {
  const backend = memoryBackend();
  return {
    inspect: backend.inspect,
    async create() {
      const view = await backend.create();
      const { sessions, messages, kv, queues, pubsub } = view;
      if (!sessions || !messages || !kv || !queues || !pubsub) {
        throw new Error('the memory adapter stores everything');
      }
      return {
        ...view,
        capabilities: { ...view.capabilities, ...breakage.claims },
        sessions: { ...sessions, ...breakage.sessions?.(sessions) },
        messages: { ...messages, ...breakage.messages?.(messages) },
        kv: { ...kv, ...breakage.kv?.(kv) },
        queues: { ...queues, ...breakage.queues?.(queues) },
        pubsub: { ...pubsub, ...breakage.pubsub?.(pubsub) },
      };
    },
  };
}

// Reads from the start of time see expired items as live.
const BEFORE_ALL_TIME = { now: Number.NEGATIVE_INFINITY };

function withoutExpected<T extends { expectedVersion?: number }>(write: T): T {
  const { expectedVersion: _ignored, ...rest } = write;
  return rest as T;
}

/** Glob/LIKE semantics for a prefix, the bug a naive `SCAN MATCH` or `LIKE` port has. */
function globMatcher(prefix: string): RegExp {
  const body = [...prefix]
    .map((ch) =>
      ch === '*' || ch === '%'
        ? '.*'
        : ch === '?' || ch === '_'
          ? '.'
          : ch.replace(/[\\^$.+()|{}[\]]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}`, 'u');
}

// Channels that already have a listener, shared by every instance of the one-listener backend.
const listenedChannels = new Set<string>();

/** Every deliberately broken adapter, with the contract promise it breaks. */
export const BREAKAGES: Record<string, Breakage> = {
  'ignores expectedVersion': {
    sessions: (base) => ({
      save: (write, ctx) => base.save(withoutExpected(write), ctx),
      saveMany: (writes, ctx) => base.saveMany(writes.map(withoutExpected), ctx),
      delete: (id, _expected, ctx) => base.delete(id, undefined, ctx),
    }),
  },
  'returns expired items': {
    sessions: (base) => ({
      get: (id) => base.get(id, BEFORE_ALL_TIME),
      getMany: (ids) => base.getMany(ids, BEFORE_ALL_TIME),
      list: (query) => base.list(query, BEFORE_ALL_TIME),
      count: (filter) => base.count(filter, BEFORE_ALL_TIME),
    }),
    kv: (base) => ({
      get: (key) => base.get(key, BEFORE_ALL_TIME),
      getMany: (keys) => base.getMany(keys, BEFORE_ALL_TIME),
      keys: (query) => base.keys(query, BEFORE_ALL_TIME),
    }),
  },
  'expires 1 ms late': {
    sessions: (base) => ({
      get: (id, ctx) => base.get(id, { now: ctx.now - 1 }),
    }),
    kv: (base) => ({
      get: (key, ctx) => base.get(key, { now: ctx.now - 1 }),
    }),
  },
  'skips an item at each page boundary': {
    sessions: (base) => ({
      async list(query, ctx) {
        if (!query.after) return base.list(query, ctx);
        return (await base.list({ ...query, limit: query.limit + 1 }, ctx)).slice(1);
      },
    }),
  },
  'applies half of a failed batch while claiming atomicBatch': {
    claims: { atomicBatch: true },
    sessions: (base) => ({
      async saveMany(writes, ctx) {
        const saved = [];
        for (const write of writes) saved.push(await base.save(write, ctx));
        return saved;
      },
    }),
  },
  'ignores the idempotency key': {
    messages: (base) => ({
      append: (sessionId, messages, _options, ctx) => base.append(sessionId, messages, {}, ctx),
    }),
  },
  'treats the kv prefix as a glob': {
    kv: (base) => ({
      async keys({ prefix, limit, after }, ctx) {
        const all = await base.keys(
          after === undefined ? { prefix: '', limit: 1e9 } : { prefix: '', limit: 1e9, after },
          ctx,
        );
        const matcher = globMatcher(prefix);
        return all.filter((key) => matcher.test(key)).slice(0, limit);
      },
    }),
  },
  'rewrites the session on touch': {
    sessions: (base) => ({
      async touch(id, expiresAt, ctx) {
        const current = await base.get(id, ctx);
        if (!current) return undefined;
        const saved = await base.save({ ...current, expiresAt }, ctx);
        return saved.expiresAt;
      },
    }),
  },
  'keeps messages after their session is gone': {
    messages: (base) => {
      // Its own log per id, outliving the session: the bug of a store without cascade deletes.
      const logs = new Map<string, string[]>();
      return {
        async append(sessionId, messages, options, ctx) {
          await base.append(sessionId, messages.slice(0, 1), options, ctx);
          const log = logs.get(sessionId) ?? [];
          log.push(...messages);
          logs.set(sessionId, log);
          return log.length;
        },
        async range(sessionId, start, end) {
          const log = logs.get(sessionId) ?? [];
          const from = start < 0 ? Math.max(0, log.length + start) : start;
          return log.slice(from, end < 0 ? log.length + end + 1 : end + 1);
        },
        async length(sessionId) {
          return logs.get(sessionId)?.length ?? 0;
        },
      };
    },
  },
  'returns getMany results in storage order': {
    sessions: (base) => ({
      async getMany(ids, ctx) {
        const found = await base.getMany([...ids].sort(), ctx);
        return found.sort((a, b) => (a === null ? 1 : b === null ? -1 : 0));
      },
    }),
  },
  'hands a leased job to a second worker': {
    queues: (base) => {
      // A read-then-lease race: a worker that finds nothing ready gets the last job handed out.
      let last: LeasedJob | undefined;
      return {
        async dequeue(queue, options, ctx) {
          const jobs = await base.dequeue(queue, options, ctx);
          if (jobs.length === 0 && last) return [last];
          last = jobs[0] ?? last;
          return jobs;
        },
      };
    },
  },
  'never redelivers after the visibility timeout': {
    queues: (base) => ({
      dequeue: (queue, options, ctx) =>
        base.dequeue(queue, { ...options, visibleUntil: Number.POSITIVE_INFINITY }, ctx),
    }),
  },
  'accepts a stale lease token': {
    queues: (base) => {
      // Acks whatever delivery currently holds the job, the bug of keying acks by job id only.
      const tokens = new Map<string, string>();
      return {
        async dequeue(queue, options, ctx) {
          const jobs = await base.dequeue(queue, options, ctx);
          for (const job of jobs) tokens.set(`${queue}\u0000${job.id}`, job.token);
          return jobs;
        },
        ack: (queue, jobId, token, ctx) =>
          base.ack(queue, jobId, tokens.get(`${queue}\u0000${jobId}`) ?? token, ctx),
      };
    },
  },
  'delivers to one subscriber per channel': {
    pubsub: (base) => {
      return {
        async subscribe(channel, listener, ctx) {
          if (listenedChannels.has(channel)) return async () => {};
          listenedChannels.add(channel);
          return base.subscribe(channel, listener, ctx);
        },
      };
    },
  },
};
