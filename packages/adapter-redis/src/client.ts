import { ConfigError, redactUrl } from '@stowage/core';
import { Cluster, type ClusterNode, Redis, type RedisOptions } from 'ioredis';
import { ADAPTER } from './errors.js';
import type { RedisAdapterOptions } from './options.js';
import type { RedisClient } from './script-runner.js';

/**
 * Defaults for clients the adapter creates: fail fast during an outage instead of queueing
 * without bound, retry a command at most once across a reconnect, and never resend a write that
 * may already have run (its outcome is reported as unknown instead; appends with an idempotency
 * key are safe to retry). No `commandTimeout`: every call already carries the storage's
 * deadline, kept by one shared timer, and ioredis's per-command timer cost more per call than
 * the rest of the adapter's own work.
 */
function nodeDefaults(timeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: Math.max(timeoutMs, 1000),
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: false,
  };
}

interface ParsedUrl {
  node: ClusterNode;
  auth: RedisOptions;
  cluster: boolean;
}

function parseUrl(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`redisAdapter: invalid url ${JSON.stringify(redactUrl(url))}`, {
      adapter: ADAPTER,
      cause: error,
    });
  }
  const auth: RedisOptions = {};
  if (parsed.username) auth.username = decodeURIComponent(parsed.username);
  if (parsed.password) auth.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') auth.tls = {};
  return {
    node: { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) },
    auth,
    cluster: parsed.searchParams.get('cluster') === 'true',
  };
}

/** Removes Stowage's own query parameters so ioredis does not read them as its options. */
function driverUrl(url: string): string {
  const parsed = new URL(url);
  for (const name of ['cluster', 'namespace', 'durability']) parsed.searchParams.delete(name);
  return parsed.toString();
}

/** Creates (but does not connect) the client described by the options. */
export function createClient(options: RedisAdapterOptions, timeoutMs: number): RedisClient {
  const defaults = nodeDefaults(timeoutMs);
  const fromUrl = options.url === undefined ? undefined : parseUrl(options.url);
  const wantsCluster =
    Array.isArray(options.cluster) || options.cluster === true || fromUrl?.cluster;
  if (wantsCluster) {
    const nodes = Array.isArray(options.cluster)
      ? options.cluster
      : [fromUrl?.node ?? { host: '127.0.0.1', port: 6379 }];
    return new Cluster(nodes, {
      lazyConnect: true,
      // Writes always go to primaries: replicas may lag, and scripts write.
      scaleReads: 'master',
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      maxRedirections: 16,
      ...options.clusterOptions,
      redisOptions: {
        ...defaults,
        ...fromUrl?.auth,
        ...options.redis,
        ...options.clusterOptions?.redisOptions,
      },
    });
  }
  const settings: RedisOptions = {
    ...defaults,
    enableOfflineQueue: false,
    ...options.redis,
  };
  return options.url === undefined
    ? new Redis(settings)
    : new Redis(driverUrl(options.url), settings);
}
