import { ConfigError, redactUrl } from '@stowage/core';
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { ADAPTER } from './errors.js';
import type { Durability } from './script-runner.js';

/**
 * Options of `redisAdapter`. Give at most one way to connect: `url` (optionally with `redis`
 * options merged over it), `redis` alone (standalone or Sentinel), `cluster` nodes, or an
 * existing `client`. With none, the adapter connects to `redis://127.0.0.1:6379`.
 */
export interface RedisAdapterOptions {
  /** `redis://` or `rediss://` URL. Add `?cluster=true` (or set `cluster: true`) for Cluster. */
  url?: string;
  /** ioredis options for a standalone or Sentinel (`sentinels` + `name`) connection. */
  redis?: RedisOptions;
  /**
   * Cluster startup nodes, or `true` to use the URL's host as the only startup node. Default:
   * not a cluster.
   */
  cluster?: ClusterNode[] | boolean;
  /** ioredis Cluster options, merged over the adapter's defaults. */
  clusterOptions?: ClusterOptions;
  /** A client the application already has. The adapter never quits a client it did not create. */
  client?: Redis | Cluster;
  /**
   * Namespace of every key (Redis Cluster hash tag `{namespace}`): a letter then up to 47
   * letters, digits or `_`. Default `'stowage'`.
   */
  namespace?: string;
  /**
   * `'memory'` (default): a write returns once the primary has it. `'replicated'`: each write
   * then waits (`WAIT 1`) until a replica acknowledged it, and fails with `TimeoutError` when
   * none did within half the call deadline.
   */
  durability?: Durability;
  /**
   * How long after the logical expiry Redis itself reclaims a key (PEXPIRE), in ms. It only
   * frees memory; reads decide expiry with the storage's clock. Default 600,000 (10 minutes).
   */
  expiryMarginMs?: number;
  /**
   * How often expired sessions and kv entries are swept from the indexes, in ms; 0 turns the
   * background sweep off. Default 60,000.
   */
  sweepIntervalMs?: number;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  namespace: string;
  durability: Durability;
  expiryMarginMs: number;
  sweepIntervalMs: number;
}

const NAMESPACE = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

function fail(message: string): never {
  throw new ConfigError(`redisAdapter: ${message}`, { adapter: ADAPTER });
}

function nonNegative(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`${name} must be a non-negative integer number of milliseconds`);
  }
  return value;
}

/** Validates options before any connection is made; a mistake is a `ConfigError`. */
export function resolveOptions(options: RedisAdapterOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const namespace = options.namespace ?? 'stowage';
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    fail('namespace must be a letter followed by up to 47 letters, digits or _');
  }
  const durability = options.durability ?? 'memory';
  if (durability !== 'memory' && durability !== 'replicated') {
    fail(`durability must be 'memory' or 'replicated'`);
  }
  if (options.client !== undefined) {
    if (options.url !== undefined || options.redis !== undefined || options.cluster) {
      fail('give either client or connection options (url, redis, cluster), not both');
    }
    if (typeof (options.client as { evalsha?: unknown }).evalsha !== 'function') {
      fail('client must be an ioredis Redis or Cluster instance');
    }
  }
  if (options.url !== undefined) {
    if (typeof options.url !== 'string' || !/^rediss?:\/\//i.test(options.url)) {
      fail('url must start with redis:// or rediss://');
    }
    try {
      new URL(options.url);
    } catch (error) {
      throw new ConfigError(`redisAdapter: invalid url ${JSON.stringify(redactUrl(options.url))}`, {
        adapter: ADAPTER,
        cause: error,
      });
    }
  }
  // Scripts build key names from the namespace; a driver-level prefix would split them.
  const prefixed =
    options.redis?.keyPrefix ||
    options.clusterOptions?.keyPrefix ||
    options.clusterOptions?.redisOptions?.keyPrefix ||
    (options.client as { options?: { keyPrefix?: string } } | undefined)?.options?.keyPrefix;
  if (prefixed) fail('ioredis keyPrefix is not supported; use the namespace option instead');
  if (Array.isArray(options.cluster) && options.cluster.length === 0) {
    fail('cluster needs at least one startup node');
  }
  if (Array.isArray(options.cluster) && options.redis?.sentinels) {
    fail('Sentinel and Cluster cannot be combined');
  }
  return {
    namespace,
    durability,
    expiryMarginMs: nonNegative(options.expiryMarginMs, 'expiryMarginMs', 600_000),
    sweepIntervalMs: nonNegative(options.sweepIntervalMs, 'sweepIntervalMs', 60_000),
  };
}
