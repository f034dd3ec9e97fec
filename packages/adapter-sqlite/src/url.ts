import { ConfigError, type StowageAdapter } from '@stowage/core';
import { sqliteAdapter } from './adapter.js';
import { ADAPTER } from './errors.js';
import type { SqliteAdapterTuning } from './options.js';

const TUNING_KEYS: readonly (keyof SqliteAdapterTuning)[] = [
  'namespace',
  'durability',
  'busyTimeoutMs',
  'pragmas',
  'sweepIntervalMs',
  'sweepBatchSize',
];

/**
 * The database path named by a `sqlite:` URL: `sqlite::memory:` is an in-memory database,
 * `sqlite:///abs/app.db` an absolute path, and `sqlite:./app.db` or `sqlite:app.db` a path
 * relative to the working directory. Percent-escapes are decoded.
 */
export function pathFromUrl(url: string): string {
  const match = /^sqlite:(.*)$/is.exec(url);
  const rest = match?.[1];
  if (rest === undefined || rest === '') {
    throw new ConfigError(
      'A sqlite URL names a file, for example sqlite:./data/app.db, sqlite:///var/app.db or sqlite::memory:',
      { adapter: ADAPTER },
    );
  }
  if (rest === ':memory:') return rest;
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  try {
    return decodeURIComponent(path.replace(/[?#].*$/s, ''));
  } catch (error) {
    throw new ConfigError(`sqlite URL has a malformed percent-escape`, {
      adapter: ADAPTER,
      cause: error,
    });
  }
}

/**
 * Builds the adapter for `createStorage('sqlite:...')`. `options` are the storage's
 * `adapterOptions` plus `namespace`; only `sqliteAdapter`'s tuning options are taken from them.
 *
 * @example
 * ```ts
 * import { createStorage } from '@stowage/core';
 * const storage = createStorage('sqlite:./data/app.db', { namespace: 'chat' });
 * ```
 */
export function adapterFromUrl(url: string, options: Record<string, unknown>): StowageAdapter {
  const tuning: Record<string, unknown> = {};
  for (const key of TUNING_KEYS) if (options[key] !== undefined) tuning[key] = options[key];
  // sqliteAdapter validates every value, so unchecked input becomes a ConfigError there.
  return sqliteAdapter({ ...(tuning as SqliteAdapterTuning), path: pathFromUrl(url) });
}
