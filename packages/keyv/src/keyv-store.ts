import { EventEmitter } from 'node:events';
import type { Storage } from '@stowage/core';
import {
  resolveOptions,
  type StowageKeyvStoreOptions,
  type StowageKeyvStoreOpts,
} from './options.js';

/** One entry of `setMany`, as Keyv hands it over: an already serialized value and a TTL in ms. */
export interface KeyvStoreEntry {
  /** The key, including Keyv's `namespace:` prefix. */
  key: string;
  /** What Keyv serialized (a string), or the raw value when serialization is disabled. */
  value: unknown;
  /** Time to live in milliseconds; omitted for no expiry. */
  ttl?: number | undefined;
}

/**
 * A Keyv 5 storage adapter over Stowage key-value. Keyv keeps serializing values and checking its
 * own `expires`; this store writes what it receives as a JSON kv entry under `prefix`, hands
 * Keyv's TTL to Stowage (so the backend drops the entry too), and lists keys page by page for
 * `clear()` and `iterator()`. Calls reject with the Stowage error; a failed `get` is also emitted
 * as `'error'`, because Keyv otherwise discards it unless `throwOnErrors` is set.
 *
 * @example
 * ```ts
 * const keyv = new Keyv({ store: new StowageKeyvStore(storage), namespace: 'pages' });
 * await keyv.set('home', html, 60_000);
 * ```
 */
export class StowageKeyvStore extends EventEmitter {
  /** Settings Keyv reads; `dialect` and `url` make Keyv offer `keyv.iterator()`. */
  readonly opts: StowageKeyvStoreOpts;
  /** Keyv's namespace, assigned by Keyv itself; `clear()` and `iterator()` stay inside it. */
  namespace?: string | undefined;
  private readonly storage: Storage;
  private readonly prefix: string;
  private readonly pageSize: number;

  constructor(storage: Storage, options: StowageKeyvStoreOptions = {}) {
    super();
    const resolved = resolveOptions(options);
    this.storage = storage;
    this.prefix = resolved.prefix;
    this.pageSize = resolved.pageSize;
    // Keyv 5 offers iteration only to dialects on a fixed list; etcd is the listed kind of store
    // that Stowage kv resembles (literal-prefix key listing), and nothing else reads the field.
    this.opts = {
      dialect: 'etcd',
      url: `stowage:${storage.adapterName}`,
      prefix: resolved.prefix,
      pageSize: resolved.pageSize,
    };
  }

  /** The stored value (what Keyv serialized), or `undefined` when absent or expired. */
  async get<Value>(key: string): Promise<Value | undefined> {
    try {
      return await this.storage.kv.get<Value>(this.prefix + key);
    } catch (error) {
      if (this.listenerCount('error') > 0) this.emit('error', error);
      throw error;
    }
  }

  /** One entry per key, in input order: the stored value or `undefined`. */
  async getMany<Value>(keys: string[]): Promise<(Value | undefined)[]> {
    return this.storage.kv.getMany<Value>(keys.map((key) => this.prefix + key));
  }

  /** Stores a value; `ttl` is in milliseconds, omitted for no expiry. */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this.storage.kv.set(this.prefix + key, value, { ttl: ttl ?? null });
    return true;
  }

  /** Stores several entries; when a key repeats, the last entry wins, as with single sets. */
  async setMany(entries: KeyvStoreEntry[]): Promise<void> {
    const latest = new Map<string, KeyvStoreEntry>();
    for (const entry of entries) latest.set(entry.key, entry);
    await this.storage.kv.setMany(
      [...latest.values()].map((entry) => ({
        key: this.prefix + entry.key,
        value: entry.value,
        ttl: entry.ttl ?? null,
      })),
    );
  }

  /** Deletes an entry; resolves to whether a live one existed. */
  async delete(key: string): Promise<boolean> {
    return this.storage.kv.delete(this.prefix + key);
  }

  /** Deletes several entries; resolves to true only when every (distinct) key had a live entry. */
  async deleteMany(keys: string[]): Promise<boolean> {
    const distinct = [...new Set(keys)];
    if (distinct.length === 0) return false;
    const deleted = await this.storage.kv.deleteMany(distinct.map((key) => this.prefix + key));
    return deleted === distinct.length;
  }

  /** Whether a live entry exists. */
  async has(key: string): Promise<boolean> {
    return this.storage.kv.has(this.prefix + key);
  }

  /** One boolean per key, in input order. */
  async hasMany(keys: string[]): Promise<boolean[]> {
    const found = await this.getMany(keys);
    return found.map((value) => value !== undefined);
  }

  /**
   * Deletes every entry of the current namespace, or of the whole prefix without one. Keys are
   * listed page by page, so entries written while it runs may survive.
   */
  async clear(): Promise<void> {
    const scope = this.scope(this.namespace);
    let cursor: string | undefined;
    do {
      const page = await this.storage.kv.keys(
        cursor === undefined
          ? { prefix: scope, limit: this.pageSize }
          : { prefix: scope, limit: this.pageSize, cursor },
      );
      if (page.items.length > 0) await this.storage.kv.deleteMany(page.items);
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /**
   * Yields `[key, storedValue]` for every live entry of `namespace` (Keyv passes its own), with
   * keys as Keyv wrote them (`namespace:key`). Keyv deserializes and strips the namespace.
   */
  async *iterator<Value>(namespace?: string): AsyncGenerator<[string, Value], void> {
    const scope = this.scope(namespace);
    let cursor: string | undefined;
    do {
      const page = await this.storage.kv.keys(
        cursor === undefined
          ? { prefix: scope, limit: this.pageSize }
          : { prefix: scope, limit: this.pageSize, cursor },
      );
      const values = await this.storage.kv.getMany<Value>(page.items);
      for (const [index, stored] of values.entries()) {
        // An entry that expired or was deleted between listing and fetching is skipped.
        if (stored === undefined) continue;
        yield [(page.items[index] as string).slice(this.prefix.length), stored];
      }
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Nothing to release: the `Storage` belongs to the application, which closes it. */
  async disconnect(): Promise<void> {}

  private scope(namespace: string | undefined): string {
    return namespace === undefined || namespace === ''
      ? this.prefix
      : `${this.prefix}${namespace}:`;
  }
}

/**
 * Creates a Keyv 5 store over `storage.kv`; see `StowageKeyvStore`. Options: `prefix` of every
 * kv key (default `'keyv:'`), `pageSize` of key listing (default 100).
 *
 * @example
 * ```ts
 * const cache = new Keyv({ store: stowageKeyvStore(storage), ttl: 60_000 });
 * ```
 */
export function stowageKeyvStore(
  storage: Storage,
  options: StowageKeyvStoreOptions = {},
): StowageKeyvStore {
  return new StowageKeyvStore(storage, options);
}
