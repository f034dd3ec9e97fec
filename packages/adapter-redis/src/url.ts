import { ConfigError, type StowageAdapter } from '@stowage/core';
import { ADAPTER } from './errors.js';
import type { RedisAdapterOptions } from './options.js';
import { redisAdapter } from './redis-adapter.js';

const KNOWN = new Set([
  'namespace',
  'durability',
  'cluster',
  'redis',
  'clusterOptions',
  'expiryMarginMs',
  'sweepIntervalMs',
]);

/**
 * Builds the adapter for `createStorage('redis://...')` and `rediss://`. Query parameters
 * `namespace`, `durability` and `cluster=true` are read from the URL; `options` (the
 * storage's `adapterOptions` plus `namespace`) take precedence over them.
 *
 * @example
 * ```ts
 * const storage = createStorage({ url: 'redis://127.0.0.1:7000?cluster=true', namespace: 'chat' });
 * ```
 */
export function adapterFromUrl(url: string, options: Record<string, unknown>): StowageAdapter {
  const unknown = Object.keys(options).filter((k) => !KNOWN.has(k) && options[k] !== undefined);
  if (unknown.length > 0) {
    throw new ConfigError(`redisAdapter: unknown adapter option(s) ${unknown.join(', ')}`, {
      adapter: ADAPTER,
    });
  }
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch (error) {
    throw new ConfigError('redisAdapter: the storage URL is not a valid URL', {
      adapter: ADAPTER,
      cause: error,
    });
  }
  const fromQuery: RedisAdapterOptions = { url };
  const namespace = params.get('namespace');
  if (namespace !== null) fromQuery.namespace = namespace;
  const durability = params.get('durability');
  if (durability !== null) fromQuery.durability = durability as RedisAdapterOptions['durability'];
  const fromOptions: RedisAdapterOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) Object.assign(fromOptions, { [key]: value });
  }
  return redisAdapter({ ...fromQuery, ...fromOptions });
}
