import { ConfigError, redactUrl, type StowageAdapter } from '@stowage/core';
import { ADAPTER } from './errors.js';
import type { PostgresAdapterOptions } from './options.js';
import { postgresAdapter } from './postgres-adapter.js';

const SCHEMES = /^postgres(ql)?:\/\//i;

/**
 * Builds a postgres adapter from a `postgres://` or `postgresql://` URL; `createStorage(url)`
 * calls this. `options` are the storage's `adapterOptions` (any `PostgresAdapterOptions`
 * except `connection`) plus its `namespace`.
 *
 * @example
 * ```ts
 * const storage = createStorage('postgres://app@db.internal/app', { namespace: 'chat' });
 * ```
 */
export function adapterFromUrl(url: string, options: Record<string, unknown>): StowageAdapter {
  if (typeof url !== 'string' || !SCHEMES.test(url)) {
    throw new ConfigError(
      `postgres adapter URL ${JSON.stringify(redactUrl(String(url)))} must start with postgres:// or postgresql://`,
      { adapter: ADAPTER },
    );
  }
  if ('connection' in options) {
    throw new ConfigError('adapterOptions.connection conflicts with the storage URL; give one', {
      adapter: ADAPTER,
    });
  }
  const rest: Partial<PostgresAdapterOptions> = { ...options };
  return postgresAdapter({ ...rest, connection: url });
}
