import { TimeoutError } from '@stowage/core';
import { type Cluster, Redis } from 'ioredis';
import { ADAPTER } from './errors.js';

/** Longest pause between two attempts to reach the shard that owns the channels. */
const MAX_BACKOFF_MS = 1000;
/** MOVED redirections followed in one attempt before starting over from the known primaries. */
const MAX_HOPS = 5;
/**
 * How often the cluster is asked which primary owns the channels' slot. A primary demoted by a
 * manual failover keeps its shard subscribers and tells them nothing (Redis 7.0), and as a
 * replica of the shard it even accepts SSUBSCRIBE, so only the slot map reveals that it moved.
 */
const OWNER_CHECK_MS = 3000;

interface Address {
  host: string;
  port: number;
}

/** Shard-channel subscriptions that follow the owner of their slot across failovers. */
export interface ShardSubscriber {
  /** Subscribes `name` and resolves once the owning primary confirmed it. */
  subscribe(name: string): Promise<void>;
  /** Stops receiving `name`. */
  unsubscribe(name: string): Promise<void>;
  /** Ends the connection and every retry. */
  close(): Promise<void>;
}

function movedTarget(error: unknown): Address | undefined {
  const match = /^MOVED \d+ (.+):(\d+)$/.exec(error instanceof Error ? error.message : '');
  return match ? { host: match[1] as string, port: Number(match[2]) } : undefined;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Shard channels (SSUBSCRIBE) of one namespace on one connection to the primary that owns their
 * slot. The namespace's channels share a hash tag, so one connection serves them all. ioredis's
 * own sharded subscribers can end up subscribed nowhere after a failover (its slot refresh races
 * with the demoted node's connection ending), so this connection is managed here: whenever it
 * closes, the server unsubscribes it, or the slot map (checked every few seconds) names another
 * primary, the subscriber moves to the slot's current primary (following MOVED) and subscribes
 * every channel there, retrying with backoff until it succeeds or is closed. Messages published while
 * it moves are lost, as pub/sub is at most once.
 */
export function shardSubscriber(
  cluster: Cluster,
  onMessage: (channel: string, message: string) => void,
  timeoutMs: number,
): ShardSubscriber {
  const channels = new Set<string>();
  let current: Redis | undefined;
  let owner: Address | undefined;
  let moving: Promise<Redis> | undefined;
  let closed = false;
  let checker: NodeJS.Timeout | undefined;

  // The slot of the namespace's channels (they share a hash tag), asked once.
  let slot: number | undefined;
  let checking = false;
  const check = async (): Promise<void> => {
    const conn = current;
    const [name] = channels;
    if (!conn || name === undefined || checking) return;
    checking = true;
    try {
      slot ??= Number(await cluster.call('CLUSTER', 'KEYSLOT', name));
      await new Promise<void>((resolve, reject) =>
        cluster.refreshSlotsCache((error) => (error ? reject(error) : resolve())),
      );
      const primary = cluster.slots[slot]?.[0];
      const match = primary === undefined ? null : /^(.+):(\d+)$/.exec(primary);
      if (match && primary !== `${conn.options.host}:${conn.options.port}`) {
        lost(conn, { host: match[1] as string, port: Number(match[2]) });
      }
    } finally {
      checking = false;
    }
  };

  const natMap = cluster.options.natMap;
  const translate = (address: Address): Address => {
    const key = `${address.host}:${address.port}`;
    const mapped = typeof natMap === 'function' ? natMap(key) : natMap?.[key];
    return mapped ? { host: mapped.host, port: mapped.port } : address;
  };

  const candidates = (): Address[] => {
    const known = cluster
      .nodes('master')
      .map((node) => ({ host: String(node.options.host), port: Number(node.options.port) }));
    return owner ? [owner, ...known] : known;
  };

  const lost = (conn: Redis, hint?: Address): void => {
    if (conn !== current) return;
    current = undefined;
    if (hint) owner = hint;
    conn.disconnect();
    if (!closed && channels.size > 0) {
      // Nobody awaits this move; a failure here only means the next attempt comes later.
      connection().catch(() => undefined);
    }
  };

  const open = async (address: Address): Promise<Redis> => {
    const conn = new Redis({
      ...cluster.options.redisOptions,
      ...translate(address),
      lazyConnect: true,
      // This module reconnects to whichever node owns the slot, not to the same address.
      retryStrategy: () => null,
      autoResubscribe: false,
      enableOfflineQueue: true,
    });
    conn.on('error', () => {
      // A broken connection also emits 'close', which moves the subscription.
    });
    conn.on('smessage', onMessage);
    try {
      await conn.connect();
      if (channels.size > 0) await conn.ssubscribe(...channels);
    } catch (error) {
      conn.disconnect();
      throw error;
    }
    conn.once('close', () => lost(conn));
    // ioredis reports an unsolicited SUNSUBSCRIBE (the node gave up the slot) as 'moved'.
    conn.on('moved', () => lost(conn));
    return conn;
  };

  const attempt = async (): Promise<Redis> => {
    if (cluster.nodes('master').length === 0) await cluster.ping();
    let lastError: unknown = new Error('no primary of the cluster is known');
    for (const start of candidates()) {
      let address: Address | undefined = start;
      for (let hop = 0; address && hop < MAX_HOPS; hop++) {
        try {
          const conn = await open(address);
          owner = address;
          return conn;
        } catch (error) {
          lastError = error;
          address = movedTarget(error);
          if (address) owner = address;
        }
      }
    }
    throw lastError;
  };

  const relocate = async (): Promise<Redis> => {
    let pause = 50;
    for (;;) {
      if (closed) throw new Error('the subscriber was closed');
      try {
        const conn = await attempt();
        if (closed) {
          conn.disconnect();
          throw new Error('the subscriber was closed');
        }
        current = conn;
        if (!checker) {
          checker = setInterval(() => {
            // A failed check changes nothing; the next one asks again.
            check().catch(() => undefined);
          }, OWNER_CHECK_MS);
          // The check must not keep an otherwise finished process alive.
          checker.unref();
        }
        return conn;
      } catch (error) {
        if (closed) throw error;
        owner = undefined;
        await delay(pause);
        pause = Math.min(pause * 2, MAX_BACKOFF_MS);
      }
    }
  };

  const connection = (): Promise<Redis> => {
    if (current) return Promise.resolve(current);
    moving ??= relocate().finally(() => {
      moving = undefined;
    });
    return moving;
  };

  const withDeadline = async <T>(work: Promise<T>, op: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(`Redis did not confirm ${op} within ${timeoutMs} ms`, timeoutMs, {
              adapter: ADAPTER,
            }),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async subscribe(name) {
      channels.add(name);
      let expired = false;
      try {
        await withDeadline(
          (async () => {
            while (!expired) {
              const conn = await connection();
              try {
                // A fresh connection subscribed every channel already, this one included.
                await conn.ssubscribe(name);
                return;
              } catch (error) {
                // The node no longer serves the slot, or the connection broke: move, then retry.
                lost(conn, movedTarget(error));
              }
            }
          })(),
          'pubsub.subscribe',
        );
      } catch (error) {
        expired = true;
        channels.delete(name);
        throw error;
      }
    },
    async unsubscribe(name) {
      channels.delete(name);
      // Without a live connection there is nothing to undo: the next one will not subscribe it.
      const conn = current;
      if (!conn) return;
      try {
        await conn.sunsubscribe(name);
      } catch {
        // The connection is failing anyway; replacing it leaves the channel out all the same.
        lost(conn);
      }
    },
    async close() {
      closed = true;
      clearInterval(checker);
      channels.clear();
      const conn = current;
      current = undefined;
      if (!conn) return;
      try {
        await conn.quit();
      } catch {
        // quit needs a live connection; without one, dropping the socket is the whole job.
        conn.disconnect();
      }
    },
  };
}
