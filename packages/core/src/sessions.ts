import { clampExpiry } from './adapter-kit.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Encoder } from './encoder.js';
import { ConflictError, ValidationError } from './errors.js';
import { type AdapterRuntime, driverOf } from './runtime.js';
import type {
  AdapterListQuery,
  AdapterSessionFilter,
  CallContext,
  JsonValue,
  Page,
  Session,
  SessionDriver,
  SessionFilter,
  SessionInput,
  SessionListQuery,
  SessionWrite,
  StoredSession,
  Ttl,
} from './types.js';
import {
  parseTtl,
  validateId,
  validateIds,
  validateInteger,
  validateLabels,
  validateState,
} from './validate.js';

/** Options of `sessions.save`. */
export interface SaveOptions {
  /** Save only if the stored version equals this; 0 means "create, must not exist". */
  expectedVersion?: number;
  /**
   * Time to live from now; `null` for no expiry. Omitted: now + the storage's `sessionTtl`
   * when it has one, else the session keeps its current expiry (none when new).
   */
  ttl?: Ttl | null;
  /** Absolute lifetime from creation that neither saves nor `touch` extend. Used on create only. */
  maxLifetime?: Ttl;
}

/** One item of `sessions.saveMany`: the input plus its own save options. */
export type SaveManyItem<T = JsonValue> = SessionInput<T> & SaveOptions;

/** What an `update` callback returns: fields to change. Omitted fields keep their value. */
export interface SessionChange<T = JsonValue> {
  data?: T;
  state?: string;
  labels?: Record<string, string>;
}

/** Options of `sessions.update`. */
export interface UpdateOptions extends Omit<SaveOptions, 'expectedVersion'> {
  /** How many times to retry after a version conflict (default 10), with jittered backoff. */
  retries?: number;
}

/** Default page size of `list`. */
export const DEFAULT_PAGE_SIZE = 100;
/** Largest page size of `list` and `kv.keys`. */
export const MAX_PAGE_SIZE = 1000;
const DEFAULT_UPDATE_RETRIES = 10;

/**
 * Sessions: JSON documents with versions, TTL, state and labels.
 *
 * @example
 * ```ts
 * const s = await storage.sessions.save({ id: 'c1', data: { turns: 0 }, labels: { userId: 'u1' } }, { ttl: '30m' });
 * await storage.sessions.update('c1', (cur) => ({ data: { turns: (cur?.data as { turns: number }).turns + 1 } }));
 * const page = await storage.sessions.list({ labels: { userId: 'u1' }, limit: 20 });
 * ```
 */
export class SessionsApi {
  /** @internal */
  constructor(
    private readonly runtime: AdapterRuntime,
    private readonly encoder: Encoder,
    private readonly defaultTtl: number | null,
  ) {}

  /** Returns the live session with this id, or `null` when it does not exist or has expired. */
  async get<T = JsonValue>(id: string): Promise<Session<T> | null> {
    validateId(id);
    // Decoding runs inside the call, so a corrupt value counts as a failed call in stats/spans.
    return this.run('sessions.get', (d, ctx) =>
      d.get(id, ctx).then((stored) => (stored ? this.decode<T>(stored) : null)),
    );
  }

  /** Returns one entry per id, in input order: the session or `null`. */
  async getMany<T = JsonValue>(ids: readonly string[]): Promise<(Session<T> | null)[]> {
    const checked = validateIds(ids, 'ids', false);
    if (checked.length === 0) return [];
    return this.run('sessions.getMany', async (d, ctx) =>
      (await d.getMany(checked, ctx)).map((s) => (s ? this.decode<T>(s) : null)),
    );
  }

  /**
   * Creates or replaces a session and returns it with its new version. With `expectedVersion`
   * the save is conditional and a mismatch is a `ConflictError` carrying the current version.
   * The result's `data` is the value passed in (not read back), so its `Date`s are still
   * `Date`s; `get` returns them as the ISO strings that were stored.
   */
  async save<T = JsonValue>(
    input: SessionInput<T>,
    options: SaveOptions = {},
  ): Promise<Session<T>> {
    const write = this.toWrite(input, options);
    const stored = await this.run('sessions.save', (d, ctx) =>
      d.save(this.stamp(write, ctx.now), ctx),
    );
    return withData(stored, input.data);
  }

  /**
   * Saves several sessions (distinct ids), in input order. All-or-nothing where the adapter's
   * `capabilities.atomicBatch` is true.
   */
  async saveMany<T = JsonValue>(items: readonly SaveManyItem<T>[]): Promise<Session<T>[]> {
    if (!Array.isArray(items)) throw new ValidationError('saveMany takes an array of sessions');
    validateIds(
      items.map((item) => (item as Partial<SessionInput> | null)?.id),
      'ids',
      true,
    );
    const writes = items.map((item) => this.toWrite(item, item));
    if (writes.length === 0) return [];
    const stored = await this.run('sessions.saveMany', (d, ctx) =>
      d.saveMany(
        writes.map((w) => this.stamp(w, ctx.now)),
        ctx,
      ),
    );
    return stored.map((s, i) => withData(s, (items[i] as SaveManyItem<T>).data));
  }

  /**
   * Deletes a session and its messages; returns whether it existed. With `expectedVersion`,
   * deletes only that version and otherwise throws `ConflictError`.
   */
  async delete(id: string, options: { expectedVersion?: number } = {}): Promise<boolean> {
    validateId(id);
    const expected = this.expectedVersion(options.expectedVersion);
    return this.run('sessions.delete', (d, ctx) => d.delete(id, expected, ctx));
  }

  /** Deletes several sessions and their messages; returns how many existed. */
  async deleteMany(ids: readonly string[]): Promise<number> {
    const checked = validateIds(ids, 'ids', false);
    if (checked.length === 0) return 0;
    return this.run('sessions.deleteMany', (d, ctx) => d.deleteMany(checked, ctx));
  }

  /**
   * Extends a session's expiry to now + `ttl` (default: the storage's `sessionTtl`) without
   * rewriting it; never beyond its `maxExpiresAt`. Returns false when it does not exist.
   */
  async touch(id: string, ttl?: Ttl | null): Promise<boolean> {
    validateId(id);
    const ms = this.ttlMs(ttl);
    if (ms === undefined) {
      throw new ValidationError(
        'touch needs a ttl, or a storage created with the sessionTtl option',
      );
    }
    const result = await this.run('sessions.touch', (d, ctx) =>
      d.touch(id, ms === null ? null : ctx.now + ms, ctx),
    );
    return result !== undefined;
  }

  /**
   * Read-modify-write made safe: reads the session, calls `change` with it (or `null`), and
   * saves the result conditionally on the version read, retrying on conflict. Return
   * `undefined` from `change` to write nothing. Resolves to the saved (or unchanged) session.
   */
  async update<T = JsonValue>(
    id: string,
    change: (
      current: Session<T> | null,
    ) => SessionChange<T> | undefined | Promise<SessionChange<T> | undefined>,
    options: UpdateOptions = {},
  ): Promise<Session<T> | null> {
    validateId(id);
    if (typeof change !== 'function') throw new ValidationError('update needs a change function');
    const { retries: maxRetries, ...saveOptions } = options;
    const retries = validateInteger(maxRetries ?? DEFAULT_UPDATE_RETRIES, 'retries', {
      min: 0,
      max: 1000,
    });
    for (let attempt = 0; ; attempt++) {
      const current = await this.get<T>(id);
      const next = await change(current);
      if (next === undefined) return current;
      if (current === null && !('data' in next)) {
        throw new ValidationError(
          `update of missing session ${JSON.stringify(id)} must return data`,
        );
      }
      try {
        return await this.save<T>(
          {
            id,
            data: 'data' in next ? (next.data as T) : (current as Session<T>).data,
            state: next.state ?? current?.state,
            labels: next.labels ?? current?.labels,
          },
          { ...saveOptions, expectedVersion: current?.version ?? 0 },
        );
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= retries) throw error;
        // Full jitter: spreads competing writers out so most of them win on the next try. The
        // window grows to a second so dozens of writers on a slow backend (fsync per save)
        // still spread out before the retries run out.
        const cap = Math.min(1000, 4 * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
      }
    }
  }

  /** One page of live sessions matching the query, ordered by creation time then id. */
  async list<T = JsonValue>(query: SessionListQuery = {}): Promise<Page<Session<T>>> {
    const filter = this.filter(query);
    const order = query.order ?? 'asc';
    if (order !== 'asc' && order !== 'desc')
      throw new ValidationError("order must be 'asc' or 'desc'");
    const limit = validateInteger(query.limit ?? DEFAULT_PAGE_SIZE, 'limit', {
      min: 1,
      max: MAX_PAGE_SIZE,
    });
    const adapterQuery: AdapterListQuery = { ...filter, order, limit: limit + 1 };
    if (query.cursor !== undefined) adapterQuery.after = decodeCursor(query.cursor);
    return this.run('sessions.list', async (d, ctx) => {
      const stored = await d.list(adapterQuery, ctx);
      const items = stored.slice(0, limit).map((s) => this.decode<T>(s));
      const last = stored.length > limit ? stored[limit - 1] : undefined;
      return { items, cursor: last ? encodeCursor(last) : null };
    });
  }

  /** Iterates every matching session, page by page. */
  async *iterate<T = JsonValue>(
    query: Omit<SessionListQuery, 'cursor'> = {},
  ): AsyncGenerator<Session<T>> {
    let cursor: string | undefined;
    do {
      const page: Page<Session<T>> = await this.list<T>(
        cursor === undefined ? query : { ...query, cursor },
      );
      yield* page.items;
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Number of live sessions matching the filter. */
  async count(filter: SessionFilter = {}): Promise<number> {
    const checked = this.filter(filter);
    return this.run('sessions.count', (d, ctx) => d.count(checked, ctx));
  }

  /**
   * Deletes every live session matching the filter, with its messages, and returns how many.
   * An empty filter is refused: use `{ state: [...] }` or labels to say what to delete.
   */
  async deleteWhere(filter: SessionFilter): Promise<number> {
    const checked = this.filter(filter);
    if (Object.keys(checked).length === 0) {
      throw new ValidationError(
        'deleteWhere needs at least one filter field; it never deletes everything',
      );
    }
    return this.run('sessions.deleteWhere', (d, ctx) => d.deleteWhere(checked, ctx));
  }

  private run<R>(
    op: string,
    fn: (driver: SessionDriver, ctx: CallContext) => Promise<R>,
  ): Promise<R> {
    return this.runtime.run(op, (adapter, ctx) => fn(driverOf(adapter, 'sessions'), ctx));
  }

  // Expiry is relative to the call's clock reading, taken once the adapter is ready.
  private stamp(write: SessionWrite & PendingExpiry, now: number): SessionWrite {
    const { ttlMs, lifetimeMs } = write;
    const maxExpiresAt = lifetimeMs === null ? null : now + lifetimeMs;
    const stamped: SessionWrite = {
      id: write.id,
      data: write.data,
      state: write.state,
      labels: write.labels,
      maxExpiresAt,
    };
    if (write.expectedVersion !== undefined) stamped.expectedVersion = write.expectedVersion;
    if (ttlMs !== undefined) {
      stamped.expiresAt = clampExpiry(ttlMs === null ? null : now + ttlMs, maxExpiresAt);
    }
    return stamped;
  }

  private toWrite(
    input: SessionInput<unknown>,
    options: SaveOptions,
  ): SessionWrite & PendingExpiry {
    if (typeof input !== 'object' || input === null)
      throw new ValidationError('session must be an object');
    const id = validateId(input.id);
    if (!('data' in input)) throw new ValidationError(`session ${JSON.stringify(id)} has no data`);
    const write: SessionWrite & PendingExpiry = {
      id,
      data: this.encoder.encode(input.data, 'data'),
      state: input.state === undefined ? 'active' : validateState(input.state),
      labels: input.labels === undefined ? {} : validateLabels(input.labels),
      maxExpiresAt: null,
      ttlMs: this.ttlMs(options.ttl),
      lifetimeMs:
        options.maxLifetime === undefined ? null : parseTtl(options.maxLifetime, 'maxLifetime'),
    };
    const expected = this.expectedVersion(options.expectedVersion);
    if (expected !== undefined) write.expectedVersion = expected;
    return write;
  }

  private ttlMs(ttl: Ttl | null | undefined): number | null | undefined {
    if (ttl === undefined) return this.defaultTtl ?? undefined;
    return ttl === null ? null : parseTtl(ttl);
  }

  private expectedVersion(value: number | undefined): number | undefined {
    if (value === undefined) return undefined;
    return validateInteger(value, 'expectedVersion', { min: 0, max: Number.MAX_SAFE_INTEGER });
  }

  private filter(query: SessionFilter): AdapterSessionFilter {
    if (typeof query !== 'object' || query === null)
      throw new ValidationError('query must be an object');
    const filter: AdapterSessionFilter = {};
    if (query.state !== undefined) {
      const states = Array.isArray(query.state) ? query.state : [query.state];
      if (states.length === 0)
        throw new ValidationError('state filter must name at least one state');
      filter.states = states.map((s) => validateState(s));
    }
    if (query.labels !== undefined) {
      const labels = validateLabels(query.labels);
      if (Object.keys(labels).length > 0) filter.labels = labels;
    }
    for (const bound of ['updatedAfter', 'updatedBefore'] as const) {
      const value = query[bound];
      if (value !== undefined) {
        filter[bound] = validateInteger(value, bound, { min: 0, max: Number.MAX_SAFE_INTEGER });
      }
    }
    return filter;
  }

  private decode<T>(stored: StoredSession): Session<T> {
    return withData(
      stored,
      this.encoder.decode<T>(stored.data, () => `session ${JSON.stringify(stored.id)}`),
    );
  }
}

function withData<T>(stored: StoredSession, data: T): Session<T> {
  return {
    id: stored.id,
    data,
    state: stored.state,
    labels: stored.labels,
    version: stored.version,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    expiresAt: stored.expiresAt,
    maxExpiresAt: stored.maxExpiresAt,
  };
}

interface PendingExpiry {
  /** undefined: keep the stored expiry; null: none. */
  ttlMs: number | null | undefined;
  lifetimeMs: number | null;
}
