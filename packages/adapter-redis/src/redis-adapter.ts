import {
  type AdapterHealth,
  type CallContext,
  type Clock,
  ClosedError,
  type MessageDriver,
  type QueueDriver,
  type StowageAdapter,
} from '@stowage/core';
import { createClient } from './client.js';
import { ADAPTER, toStowageError } from './errors.js';
import { countExpired } from './expired-count.js';
import { keyLayout } from './keys.js';
import { kvDriver } from './kv-driver.js';
import { sweepExpired } from './lua/session-scripts.js';
import { messageDriver } from './message-driver.js';
import { type RedisAdapterOptions, resolveOptions } from './options.js';
import { type RedisPubSub, redisPubSub } from './pubsub-driver.js';
import { queueDriver } from './queue-driver.js';
import { type RedisClient, ScriptRunner } from './script-runner.js';
import { sessionDriver } from './session-driver.js';

/** How many expired items one background sweep removes at most. */
const SWEEP_BATCH = 1000;

interface Connection {
  client: RedisClient;
  runner: ScriptRunner;
  sessions: ReturnType<typeof sessionDriver>;
  messages: MessageDriver;
  kv: ReturnType<typeof kvDriver>;
  queues: QueueDriver;
  pubsub: RedisPubSub;
}

/**
 * A Stowage adapter for Redis through ioredis: standalone, Sentinel or Cluster. Every write is
 * one Lua script, so conditional saves, appends with idempotency keys and counters are atomic,
 * and all keys of a namespace share one Cluster slot, so batches are all-or-nothing. Queues are
 * sorted sets stepped by Lua scripts; pub/sub uses a dedicated subscriber connection (shard
 * channels in Cluster).
 *
 * @example
 * ```ts
 * import { createStorage } from '@stowage/core';
 * import { redisAdapter } from '@stowage/adapter-redis';
 *
 * const storage = createStorage({
 *   adapter: redisAdapter({ url: 'redis://127.0.0.1:6379', namespace: 'chat' }),
 * });
 * ```
 */
export function redisAdapter(options: RedisAdapterOptions): StowageAdapter {
  const settings = resolveOptions(options);
  const layout = keyLayout(settings.namespace);
  const owned = options.client === undefined;
  let connection: Connection | undefined;
  let closed = false;
  let sweeper: NodeJS.Timeout | undefined;
  let lastError: string | null = null;
  const onError = (error: Error): void => {
    // The client reconnects by itself and calls report their own failures; keep the latest
    // for health() so an operator can see why.
    lastError = error.message;
  };

  const current = (): Connection => {
    if (!connection) {
      throw new ClosedError('The redis adapter is not open', { adapter: ADAPTER });
    }
    return connection;
  };

  const connect = async (timeoutMs: number): Promise<Connection> => {
    const client = options.client ?? createClient(options, timeoutMs);
    client.on('error', onError);
    if (owned) {
      try {
        await client.connect();
      } catch (error) {
        client.off('error', onError);
        client.disconnect();
        throw toStowageError(error, 'connect', timeoutMs);
      }
    }
    const runner = new ScriptRunner({
      client,
      prefix: layout.prefix,
      anchor: layout.anchor,
      marginMs: settings.expiryMarginMs,
      durability: settings.durability,
      timeoutMs,
    });
    return {
      client,
      runner,
      sessions: sessionDriver(runner),
      messages: messageDriver(runner),
      kv: kvDriver(runner),
      queues: queueDriver(runner),
      pubsub: redisPubSub(client, layout.prefix, timeoutMs),
    };
  };

  const sweep = async (limit: number, ctx: CallContext): Promise<number> =>
    Number(await current().runner.write(sweepExpired, ctx.now, [limit]));

  const startSweeper = (clock: Clock): void => {
    if (settings.sweepIntervalMs === 0) return;
    sweeper = setInterval(() => {
      sweep(SWEEP_BATCH, { now: clock.now() }).catch((error: unknown) => {
        lastError = error instanceof Error ? error.message : String(error);
      });
    }, settings.sweepIntervalMs);
    sweeper.unref();
  };

  return {
    name: ADAPTER,
    capabilities: { atomicBatch: true, multiProcess: true, persistent: true },
    sessions: {
      get: (...a) => current().sessions.get(...a),
      getMany: (...a) => current().sessions.getMany(...a),
      save: (...a) => current().sessions.save(...a),
      saveMany: (...a) => current().sessions.saveMany(...a),
      delete: (...a) => current().sessions.delete(...a),
      deleteMany: (...a) => current().sessions.deleteMany(...a),
      touch: (...a) => current().sessions.touch(...a),
      list: (...a) => current().sessions.list(...a),
      count: (...a) => current().sessions.count(...a),
      deleteWhere: (...a) => current().sessions.deleteWhere(...a),
      restore: (...a) => current().sessions.restore(...a),
      deleteIfUnchanged: (...a) => current().sessions.deleteIfUnchanged(...a),
    },
    messages: {
      append: (...a) => current().messages.append(...a),
      range: (...a) => current().messages.range(...a),
      length: (...a) => current().messages.length(...a),
      trim: (...a) => current().messages.trim(...a),
    },
    kv: {
      get: (...a) => current().kv.get(...a),
      getMany: (...a) => current().kv.getMany(...a),
      set: (...a) => current().kv.set(...a),
      setMany: (...a) => current().kv.setMany(...a),
      delete: (...a) => current().kv.delete(...a),
      deleteMany: (...a) => current().kv.deleteMany(...a),
      keys: (...a) => current().kv.keys(...a),
      expire: (...a) => current().kv.expire(...a),
      increment: (...a) => current().kv.increment(...a),
      setIfAbsent: (...a) => current().kv.setIfAbsent(...a),
      getEntries: (...a) => current().kv.getEntries(...a),
    },
    queues: {
      enqueue: (...a) => current().queues.enqueue(...a),
      dequeue: (...a) => current().queues.dequeue(...a),
      ack: (...a) => current().queues.ack(...a),
      nack: (...a) => current().queues.nack(...a),
      extend: (...a) => current().queues.extend(...a),
      size: (...a) => current().queues.size(...a),
      deadLetters: (...a) => current().queues.deadLetters(...a),
      replay: (...a) => current().queues.replay(...a),
    },
    pubsub: {
      publish: (...a) => current().pubsub.driver.publish(...a),
      subscribe: (...a) => current().pubsub.driver.subscribe(...a),
    },
    async open({ clock, timeoutMs }) {
      if (closed) throw new ClosedError('The redis adapter is closed', { adapter: ADAPTER });
      if (connection) return;
      connection = await connect(timeoutMs);
      startSweeper(clock);
    },
    async close() {
      closed = true;
      clearInterval(sweeper);
      const open = connection;
      connection = undefined;
      if (!open) return;
      // The subscriber connection is always the adapter's own, even with a caller's client.
      await open.pubsub.close();
      open.client.off('error', onError);
      if (!owned) return;
      try {
        await open.client.quit();
      } catch {
        // quit needs a live connection; without one, dropping the socket is the whole job.
        open.client.disconnect();
      }
    },
    async health(): Promise<AdapterHealth> {
      const { client } = current();
      const started = performance.now();
      try {
        await client.ping();
      } catch (error) {
        throw toStowageError(error, 'health', 0);
      }
      return {
        mode: client.isCluster ? 'cluster' : 'standalone',
        namespace: settings.namespace,
        durability: settings.durability,
        status: client.status,
        pingMs: Math.round((performance.now() - started) * 100) / 100,
        lastError,
      };
    },
    sweep,
    countExpired: ({ now }) => countExpired(current().runner, now, settings.expiryMarginMs),
  };
}
