import { createHash } from 'node:crypto';
import { isExpired } from '../adapter-kit.js';
import { CorruptionError } from '../errors.js';
import type { CallContext, KvDriver, StoredSession } from '../types.js';

/** Keys per `deleteMany`, so invalidating a large `deleteWhere` stays in bounded calls. */
const DELETE_BATCH = 500;

/** A load of one session from the store that concurrent misses share. */
interface Load {
  promise: Promise<StoredSession | null>;
  /** Cleared when the id is invalidated while the load runs: its result must not be cached. */
  current: boolean;
}

/** How `SessionCache` stores copies in the cache tier. */
export interface SessionCacheSettings {
  /** Internal key prefix in the cache's kv. */
  prefix: string;
  /** Longest time a copy stays cached, in ms. */
  ttlMs: number;
  /** Fraction of `ttlMs` (0–1) by which each copy's lifetime is randomly shortened. */
  jitter: number;
  /** Adapter name for errors. */
  name: string;
}

/**
 * Exact copies of `StoredSession`s in a cache tier's kv driver, with one store read per id at a
 * time in this process. Each copy expires at the earlier of the session's own expiry and the
 * cache TTL (minus jitter, so copies written together do not all expire together). A load
 * that an invalidation overtook does not write its result, so a slow reader never puts back a
 * copy older than a write that finished while it ran.
 */
export class SessionCache {
  private readonly loads = new Map<string, Load>();

  constructor(
    private readonly kv: KvDriver,
    private readonly settings: SessionCacheSettings,
  ) {}

  /** The kv key of a session's copy: fixed length whatever the id, so any kv backend takes it. */
  key(id: string): string {
    return this.settings.prefix + createHash('sha256').update(id).digest('base64url');
  }

  /** Cached copies (undefined on a miss), in order. */
  async peek(ids: readonly string[], ctx: CallContext): Promise<(StoredSession | undefined)[]> {
    const texts = await this.kv.getMany(
      ids.map((id) => this.key(id)),
      ctx,
    );
    return texts.map((text, i) => {
      if (text === undefined) return undefined;
      const session = this.decode(text, ids[i] as string);
      return isExpired(session.expiresAt, ctx.now) ? undefined : session;
    });
  }

  /**
   * The sessions, loading those with no load running through `fetch` (one call for all of
   * them) and joining the loads already running for the others. Results are cached unless an
   * invalidation of their id overtakes them.
   */
  async load(
    ids: readonly string[],
    fetch: (ids: readonly string[]) => Promise<(StoredSession | null)[]>,
    ctx: CallContext,
  ): Promise<(StoredSession | null)[]> {
    const fresh = [...new Set(ids)].filter((id) => !this.loads.has(id));
    if (fresh.length > 0) {
      const batch = fetch(fresh);
      fresh.forEach((id, i) => {
        this.start(
          id,
          batch.then((found) => found[i] ?? null),
          ctx,
        );
      });
    }
    const found = await Promise.all(ids.map((id) => (this.loads.get(id) as Load).promise));
    // A joiner may come later than the load's own `now`: apply its clock too.
    return found.map((s) => (s && !isExpired(s.expiresAt, ctx.now) ? copy(s) : null));
  }

  /**
   * Marks running loads of these ids as overtaken (later readers start their own) and removes
   * the cached copies.
   */
  async invalidate(ids: readonly string[], ctx: CallContext): Promise<void> {
    this.detach(ids);
    const keys = [...new Set(ids.map((id) => this.key(id)))];
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      await this.kv.deleteMany(keys.slice(i, i + DELETE_BATCH), ctx);
    }
  }

  /** Marks running loads of these ids as overtaken, without touching the cache. */
  detach(ids: readonly string[]): void {
    for (const id of ids) {
      const load = this.loads.get(id);
      if (!load) continue;
      load.current = false;
      this.loads.delete(id);
    }
  }

  private start(id: string, fetched: Promise<StoredSession | null>, ctx: CallContext): void {
    const load: Load = { current: true, promise: Promise.resolve(null) };
    load.promise = (async () => {
      try {
        const session = await fetched;
        if (session && load.current) await this.fill(session, load, ctx);
        return session;
      } finally {
        if (this.loads.get(id) === load) this.loads.delete(id);
      }
    })();
    this.loads.set(id, load);
  }

  private async fill(session: StoredSession, load: Load, ctx: CallContext): Promise<void> {
    const { ttlMs, jitter } = this.settings;
    const lifetime = Math.max(1, Math.round(ttlMs * (1 - jitter * Math.random())));
    const cacheExpiry = ctx.now + lifetime;
    const expiresAt =
      session.expiresAt === null ? cacheExpiry : Math.min(session.expiresAt, cacheExpiry);
    if (expiresAt <= ctx.now) return;
    const key = this.key(session.id);
    // setIfAbsent: a copy another process cached meanwhile is at least as new as ours.
    await this.kv.setIfAbsent({ key, value: JSON.stringify(session), expiresAt }, ctx);
    // An invalidation that ran while the copy was on its way may have deleted before it landed.
    if (!load.current) await this.kv.delete(key, ctx);
  }

  private decode(text: string, id: string): StoredSession {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new CorruptionError(`cached copy of session ${JSON.stringify(id)} is not JSON`, {
        adapter: this.settings.name,
        cause: error,
      });
    }
    const s = value as StoredSession;
    if (
      typeof s !== 'object' ||
      s === null ||
      s.id !== id ||
      typeof s.data !== 'string' ||
      typeof s.version !== 'number' ||
      typeof s.createdAt !== 'number' ||
      typeof s.updatedAt !== 'number'
    ) {
      throw new CorruptionError(
        `cached copy of session ${JSON.stringify(id)} is not a stored session`,
        { adapter: this.settings.name },
      );
    }
    return s;
  }
}

/** A copy callers may mutate without touching a shared load result. */
function copy(session: StoredSession): StoredSession {
  return { ...session, labels: { ...session.labels } };
}
