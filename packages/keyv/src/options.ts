import { ConfigError } from '@stowage/core';

/** Largest page `kv.keys` accepts. */
const MAX_PAGE_SIZE = 1000;

/** Options of `stowageKeyvStore`. */
export interface StowageKeyvStoreOptions {
  /**
   * Literal prefix of every Stowage kv key the store writes (default `'keyv:'`). It must not be
   * empty, so `clear()` can only ever reach this store's keys and never other kv entries.
   */
  prefix?: string;
  /** Keys fetched per page by `clear()` and `iterator()`, 1–1000 (default 100). */
  pageSize?: number;
}

/**
 * The `opts` object Keyv reads from a store. `dialect` and `url` are what Keyv 5 inspects before
 * it offers `keyv.iterator()`; Keyv and its test suite may add their own fields (for example
 * `deserialize`), hence the open index signature.
 */
export interface StowageKeyvStoreOpts {
  /** Kind of backend as Keyv sees it: always `'etcd'`, a prefix-listing key-value store. */
  dialect: string;
  /** `stowage:<adapter name>`, for logs; never a connection string. */
  url: string;
  /** The resolved key prefix. */
  prefix: string;
  /** The resolved page size. */
  pageSize: number;
  [field: string]: unknown;
}

/** Checks the options and fills in defaults; a bad option is a `ConfigError`. */
export function resolveOptions(
  options: StowageKeyvStoreOptions,
): Required<StowageKeyvStoreOptions> {
  const prefix = options.prefix ?? 'keyv:';
  if (typeof prefix !== 'string' || prefix === '') {
    throw new ConfigError('stowageKeyvStore: prefix must be a non-empty string', {
      adapter: 'keyv',
    });
  }
  const pageSize = options.pageSize ?? 100;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new ConfigError(
      `stowageKeyvStore: pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`,
      { adapter: 'keyv' },
    );
  }
  return { prefix, pageSize };
}
