import type { Encoder } from './encoder.js';
import { ValidationError } from './errors.js';
import { type AdapterRuntime, driverOf } from './runtime.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './sessions.js';
import type { CallContext, JsonValue, KvDriver, KvWrite, Page, Ttl } from './types.js';
import { parseTtl, validateId, validateIds, validateInteger } from './validate.js';

/** Options of kv writes. */
export interface KvSetOptions {
  /** Time to live from now; omit or `null` for no expiry. */
  ttl?: Ttl | null;
}

/** A page request for `kv.keys`. */
export interface KeysQuery {
  /** Only keys that start with this literal string. Glob characters have no meaning. */
  prefix?: string;
  /** Page size, 1–1000; default 100. */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

/**
 * Key-value: JSON values by key with optional TTL, atomic counters and set-if-absent (enough
 * for caches, rate limits and locks).
 *
 * @example
 * ```ts
 * await storage.kv.set('feature:flags', { beta: true }, { ttl: '5m' });
 * const hits = await storage.kv.increment(`rate:${ip}`, 1, { ttl: '1m' });
 * const gotLock = await storage.kv.setIfAbsent('lock:report', owner, { ttl: '30s' });
 * ```
 */
export class KvApi {
  /** @internal */
  constructor(
    private readonly runtime: AdapterRuntime,
    private readonly encoder: Encoder,
  ) {}

  /** The value stored under `key`, or `undefined` when absent or expired. */
  async get<T = JsonValue>(key: string): Promise<T | undefined> {
    validateId(key, 'key');
    // Decoding runs inside the call, so a corrupt value counts as a failed call in stats/spans.
    return this.run('kv.get', (d, ctx) =>
      d
        .get(key, ctx)
        .then((stored) => (stored === undefined ? undefined : this.decode<T>(stored, key))),
    );
  }

  /** Whether a live entry exists. */
  async has(key: string): Promise<boolean> {
    validateId(key, 'key');
    return (await this.run('kv.get', (d, ctx) => d.get(key, ctx))) !== undefined;
  }

  /** One entry per key, in input order: the value or `undefined`. */
  async getMany<T = JsonValue>(keys: readonly string[]): Promise<(T | undefined)[]> {
    const checked = validateIds(keys, 'keys', false);
    if (checked.length === 0) return [];
    return this.run('kv.getMany', async (d, ctx) =>
      (await d.getMany(checked, ctx)).map((s, i) =>
        s === undefined ? undefined : this.decode<T>(s, checked[i] as string),
      ),
    );
  }

  /** Stores a value, replacing any previous one and its expiry. */
  async set<T = JsonValue>(key: string, value: T, options: KvSetOptions = {}): Promise<void> {
    const write = this.toWrite(key, value, options.ttl);
    await this.run('kv.set', (d, ctx) => d.set(stamp(write, ctx.now), ctx));
  }

  /** Stores several entries (distinct keys); all-or-nothing where `atomicBatch` is true. */
  async setMany<T = JsonValue>(
    entries: readonly { key: string; value: T; ttl?: Ttl | null }[],
  ): Promise<void> {
    if (!Array.isArray(entries)) throw new ValidationError('setMany takes an array of entries');
    validateIds(
      entries.map((e) => (e as { key?: unknown } | null)?.key),
      'keys',
      true,
    );
    const writes = entries.map((e) => this.toWrite(e.key, e.value, e.ttl));
    if (writes.length === 0) return;
    await this.run('kv.setMany', (d, ctx) =>
      d.setMany(
        writes.map((w) => stamp(w, ctx.now)),
        ctx,
      ),
    );
  }

  /** Deletes an entry; returns whether a live one existed. */
  async delete(key: string): Promise<boolean> {
    validateId(key, 'key');
    return this.run('kv.delete', (d, ctx) => d.delete(key, ctx));
  }

  /** Deletes several entries; returns how many live ones existed. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    const checked = validateIds(keys, 'keys', false);
    if (checked.length === 0) return 0;
    return this.run('kv.deleteMany', (d, ctx) => d.deleteMany(checked, ctx));
  }

  /** One page of live keys starting with `prefix`, in code-point (UTF-8 byte) order. */
  async keys(query: KeysQuery = {}): Promise<Page<string>> {
    const prefix = query.prefix ?? '';
    if (prefix !== '') validateId(prefix, 'prefix');
    const limit = validateInteger(query.limit ?? DEFAULT_PAGE_SIZE, 'limit', {
      min: 1,
      max: MAX_PAGE_SIZE,
    });
    let after: string | undefined;
    if (query.cursor !== undefined) {
      after = decodeKeyCursor(query.cursor);
      if (!after.startsWith(prefix))
        throw new ValidationError('cursor belongs to a different prefix');
    }
    const found = await this.run('kv.keys', (d, ctx) =>
      d.keys(
        after === undefined ? { prefix, limit: limit + 1 } : { prefix, limit: limit + 1, after },
        ctx,
      ),
    );
    const items = found.slice(0, limit);
    const last = found.length > limit ? items[items.length - 1] : undefined;
    return {
      items,
      cursor: last === undefined ? null : Buffer.from(last, 'utf8').toString('base64url'),
    };
  }

  /** Sets a new TTL (or none, with `null`) on a live entry; returns false when absent. */
  async expire(key: string, ttl: Ttl | null): Promise<boolean> {
    validateId(key, 'key');
    const ms = ttl === null ? null : parseTtl(ttl);
    return this.run('kv.expire', (d, ctx) => d.expire(key, ms === null ? null : ctx.now + ms, ctx));
  }

  /**
   * Atomically adds `by` (default 1, may be negative) to an integer entry and returns the new
   * value. A missing entry starts at 0 and gets `ttl`; an existing one keeps its expiry.
   */
  async increment(key: string, by = 1, options: KvSetOptions = {}): Promise<number> {
    validateId(key, 'key');
    validateInteger(by, 'by', { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    const ms = options.ttl === undefined || options.ttl === null ? null : parseTtl(options.ttl);
    return this.run('kv.increment', (d, ctx) =>
      d.increment(key, by, ms === null ? null : ctx.now + ms, ctx),
    );
  }

  /** Stores the value only when no live entry exists; returns whether it was stored. */
  async setIfAbsent<T = JsonValue>(
    key: string,
    value: T,
    options: KvSetOptions = {},
  ): Promise<boolean> {
    const write = this.toWrite(key, value, options.ttl);
    return this.run('kv.setIfAbsent', (d, ctx) => d.setIfAbsent(stamp(write, ctx.now), ctx));
  }

  private toWrite(key: string, value: unknown, ttl: Ttl | null | undefined): PendingKvWrite {
    validateId(key, 'key');
    return {
      key,
      value: this.encoder.encode(value, 'value'),
      ttlMs: ttl === undefined || ttl === null ? null : parseTtl(ttl),
    };
  }

  private decode<T>(stored: string, key: string): T {
    return this.encoder.decode<T>(stored, () => `kv entry ${JSON.stringify(key)}`);
  }

  private run<R>(op: string, fn: (driver: KvDriver, ctx: CallContext) => Promise<R>): Promise<R> {
    return this.runtime.run(op, (adapter, ctx) => fn(driverOf(adapter, 'kv'), ctx));
  }
}

interface PendingKvWrite {
  key: string;
  value: string;
  ttlMs: number | null;
}

function stamp(write: PendingKvWrite, now: number): KvWrite {
  return {
    key: write.key,
    value: write.value,
    expiresAt: write.ttlMs === null ? null : now + write.ttlMs,
  };
}

function decodeKeyCursor(cursor: unknown): string {
  if (typeof cursor !== 'string' || cursor.length === 0) {
    throw new ValidationError('cursor must be a cursor string returned by a previous page');
  }
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(key, 'utf8').toString('base64url') !== cursor)
    throw new ValidationError('cursor is malformed');
  return validateId(key, 'cursor');
}
