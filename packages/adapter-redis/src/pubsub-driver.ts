import type { PubSubDriver } from '@stowage/core';
import type { Cluster, Redis } from 'ioredis';
import { toStowageError } from './errors.js';
import { encodeId } from './keys.js';
import type { RedisClient } from './script-runner.js';
import { shardSubscriber } from './shard-subscriber.js';

type Listener = (message: string) => void;

interface Channel {
  listeners: Set<Listener>;
  /** Settles once the server confirmed the subscription (or refused it). */
  ready: Promise<void>;
}

/** The pub/sub driver of one connection, plus the teardown of its subscriber connection. */
export interface RedisPubSub {
  driver: PubSubDriver;
  close(): Promise<void>;
}

/** The server side of subscriptions: one server subscription per channel name. */
interface Subscriptions {
  subscribe(name: string): Promise<void>;
  unsubscribe(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Plain SUBSCRIBE on a duplicate of a standalone or Sentinel client, opened on first use.
 * ioredis reconnects it and subscribes again by itself after a lost connection.
 */
function plainSubscriptions(client: Redis, deliver: (name: string, message: string) => void) {
  let subscriber: Promise<Redis> | undefined;
  const open = async (): Promise<Redis> => {
    const sub = client.duplicate({ lazyConnect: true, enableOfflineQueue: true });
    sub.on('error', () => {
      // The subscriber reconnects and resubscribes by itself; commands report their own errors.
    });
    sub.on('message', deliver);
    await sub.connect();
    return sub;
  };
  const connection = (): Promise<Redis> => {
    subscriber ??= open().catch((error: unknown) => {
      subscriber = undefined;
      throw error;
    });
    return subscriber;
  };
  const subscriptions: Subscriptions = {
    async subscribe(name) {
      await (await connection()).subscribe(name);
    },
    async unsubscribe(name) {
      await (await connection()).unsubscribe(name);
    },
    async close() {
      const pending = subscriber;
      subscriber = undefined;
      const sub = await pending?.catch(() => undefined);
      if (!sub) return;
      try {
        await sub.quit();
      } catch {
        // quit needs a live connection; without one, dropping the socket is the whole job.
        sub.disconnect();
      }
    },
  };
  return subscriptions;
}

/**
 * Pub/sub on a dedicated subscriber connection, opened on the first subscribe. Channel names
 * carry the namespace hash tag, so in Cluster they are shard channels (SPUBLISH/SSUBSCRIBE) of
 * the namespace's slot and only that shard carries the traffic; the subscription follows that
 * slot's primary across failovers (see `shardSubscriber`). Standalone uses plain
 * PUBLISH/SUBSCRIBE. One server subscription per channel fans out to every local listener of
 * that channel.
 */
export function redisPubSub(client: RedisClient, prefix: string, timeoutMs: number): RedisPubSub {
  const sharded = client.isCluster;
  const channels = new Map<string, Channel>();

  const deliver = (name: string, message: string): void => {
    const channel = channels.get(String(name));
    if (!channel) return;
    const text = String(message);
    for (const listener of [...channel.listeners]) listener(text);
  };

  const server: Subscriptions = sharded
    ? shardSubscriber(client as Cluster, deliver, timeoutMs)
    : plainSubscriptions(client as Redis, deliver);

  const driver: PubSubDriver = {
    async publish(channel, message) {
      const name = `${prefix}c:${encodeId(channel)}`;
      try {
        if (sharded) await client.spublish(name, message);
        else await client.publish(name, message);
      } catch (error) {
        throw toStowageError(error, 'pubsub.publish', timeoutMs);
      }
    },
    async subscribe(channel, listener) {
      const name = `${prefix}c:${encodeId(channel)}`;
      // A wrapper per call keeps two subscriptions of one function independent.
      const entry: Listener = (message) => listener(message);
      let current = channels.get(name);
      if (!current) {
        current = { listeners: new Set(), ready: server.subscribe(name) };
        channels.set(name, current);
      }
      current.listeners.add(entry);
      try {
        await current.ready;
      } catch (error) {
        current.listeners.delete(entry);
        if (channels.get(name) === current && current.listeners.size === 0) channels.delete(name);
        throw toStowageError(error, 'pubsub.subscribe', timeoutMs);
      }
      const subscribed = current;
      return async () => {
        if (!subscribed.listeners.delete(entry) || subscribed.listeners.size > 0) return;
        if (channels.get(name) === subscribed) channels.delete(name);
        try {
          await server.unsubscribe(name);
        } catch (error) {
          throw toStowageError(error, 'pubsub.unsubscribe', timeoutMs);
        }
      };
    },
  };

  return {
    driver,
    async close() {
      channels.clear();
      await server.close();
    },
  };
}
