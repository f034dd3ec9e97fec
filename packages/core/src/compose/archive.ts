import { createHash, randomUUID } from 'node:crypto';
import { compareListPosition, matchesFilter } from '../adapter-kit.js';
import { systemClock } from '../clock.js';
import {
  BackendError,
  CapabilityError,
  ClosedError,
  ConfigError,
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../errors.js';
import { validateStoredSessions } from '../migrate/stored-session.js';
import type {
  AdapterListQuery,
  AdapterOpenContext,
  AdapterSessionFilter,
  CallContext,
  KvDriver,
  ListPosition,
  MessageDriver,
  SessionDriver,
  SessionFingerprint,
  SessionWrite,
  StoredSession,
  StowageAdapter,
  Ttl,
} from '../types.js';
import { durationOption } from '../validate.js';
import { assertAdapter, requireDriver } from './options.js';
import { compositeName, type Part, partsLifecycle, stampErrors } from './parts.js';
import { sessionDifferences } from './session-copy.js';

/** Options of `archive`. */
export interface ArchiveOptions {
  /**
   * The tier new and active sessions live in (memory, Redis, SQLite): needs sessions, kv (for
   * the archivers' claims) and `sessions.deleteIfUnchanged`. Its kv, queues and pub/sub are
   * the composition's.
   */
  hot: StowageAdapter;
  /**
   * The tier idle sessions move to (PostgreSQL, SQLite, files): needs sessions with
   * `sessions.restore` (exact copies), and messages when `hot` has them.
   */
  cold: StowageAdapter;
  /** How long a session must go without a save or an append to be archived (ms or `'30d'`). */
  idleFor: Ttl;
  /** Runs `archiveIdle({ limit: batchSize })` this often (ms or `'5m'`) once opened; default off. */
  interval?: Ttl;
  /** Sessions examined per timed run; default 100, at most 10,000. */
  batchSize?: number;
  /**
   * How long an archiver's claim on one session lasts (ms or `'1m'`); default `'5m'`. Claims
   * expire by the storage clock of the instance that checks them, so it must comfortably exceed
   * the time one session's copy takes plus the clock skew between instances. An archiver that
   * finds its claim gone leaves the session where it is.
   */
  lease?: Ttl;
  /** Prefix of the hot kv keys holding claims; default `'stowage:archive:'`. */
  prefix?: string;
  /** Receives failures of timed runs and of single sessions; default: a process warning. */
  onError?: (error: unknown) => void;
}

/** Options of one `archiveIdle` run. */
export interface ArchiveRunOptions {
  /** Most idle sessions to examine in this run (1–10,000); default 100. */
  limit?: number;
}

/** What one `archiveIdle` run did. */
export interface ArchiveReport {
  /** Idle sessions examined. */
  examined: number;
  /** Sessions now in the cold tier only, with their messages. */
  moved: number;
  /**
   * Sessions written, appended to, touched, trimmed or deleted while they were being copied:
   * left as they are in the hot tier (their copy was removed from the cold tier).
   */
  changed: number;
  /** Sessions another archiver (another instance, or an overlapping run) was moving. */
  busy: number;
  /** Sessions whose move failed; each error went to `onError`. They stay in the hot tier. */
  failed: number;
}

/** The adapter `archive` returns: a `StowageAdapter` that moves idle sessions on request. */
export interface ArchivedAdapter extends StowageAdapter {
  /**
   * Moves sessions idle for `idleFor` (oldest created first) from the hot tier to the cold one.
   * Safe to run from several instances at once; see `archive`.
   */
  archiveIdle(options?: ArchiveRunOptions): Promise<ArchiveReport>;
}

/** Messages per append when copying a log into the cold tier. */
const APPEND_BATCH = 100;
/** Page size of internal listings. */
const PAGE = 1000;
/** Bound on re-routing a save whose session moved or appeared meanwhile. */
const MAX_REROUTES = 1000;

const isConflict = (error: unknown): error is ConflictError => error instanceof ConflictError;
/** A conflict saying the session is absent: it may live in the other tier. */
const isAbsent = (error: unknown): boolean => isConflict(error) && error.currentVersion === 0;

/**
 * Two tiers of session storage: new and active sessions in `hot`, sessions idle for `idleFor`
 * moved (with their message history) to `cold` by `archiveIdle()` or every `interval`. The
 * result is one adapter, so it runs behind `createStorage` and passes the contract suite.
 *
 * - Reads look in the hot tier, then the cold one; `list` merges both in `(createdAt, id)` order
 *   and `count` adds both, a session held by both (for the instant of a move, or after an
 *   interrupted one) counting once, as its hot copy.
 * - New sessions are created in the hot tier. A save, append, touch or trim of an archived
 *   session is applied where it lives, in the cold tier, with the cold tier's own atomicity
 *   (version checks, idempotency keys); it is not brought back, since a copy back could only be
 *   made safe with locks every write would have to take. An upsert reads the hot tier first to
 *   find the session (one more round trip than a save with `expectedVersion`).
 * - Deletes remove both tiers' copies. `saveMany` is not atomic across tiers.
 * - Kv, queues and pub/sub are the hot tier's.
 *
 * A move: claim the session (a kv entry with a `lease`), read it and its whole message log from
 * the hot tier, write an exact copy to the cold tier (`restore`, appends, verified read back),
 * then delete the hot copy with `deleteIfUnchanged`, which refuses if anything (a save, append,
 * touch, trim, delete) touched the session after it was read; the copy is then removed and the
 * session stays hot. Nothing written is ever lost, and a crash leaves at most a hidden cold copy
 * that the next run replaces.
 *
 * @example
 * ```ts
 * const adapter = archive({
 *   hot: redisAdapter({ url: 'redis://localhost:6379' }),
 *   cold: postgresAdapter({ connection: process.env.DATABASE_URL }),
 *   idleFor: '7d',
 *   interval: '10m',
 * });
 * const storage = createStorage(adapter);
 * ```
 */
export function archive(options: ArchiveOptions): ArchivedAdapter {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('archive: give { hot, cold, idleFor }');
  }
  const hot = assertAdapter(options.hot, 'hot', 'archive');
  const cold = assertAdapter(options.cold, 'cold', 'archive');
  if (hot === cold) {
    throw new ConfigError('archive: hot and cold must be different adapter instances');
  }
  const hs = requireDriver(hot, 'sessions', 'hot tier', 'archive');
  const kv = requireDriver(hot, 'kv', 'hot tier (claims of archivers)', 'archive');
  const cs = requireDriver(cold, 'sessions', 'cold tier', 'archive');
  const hm = hot.messages;
  const cm = hm
    ? requireDriver(cold, 'messages', 'cold tier (the hot tier has messages)', 'archive')
    : undefined;
  if (options.idleFor === undefined) {
    throw new ConfigError('archive: idleFor is required (for example idleFor: "7d")');
  }
  const idleMs = durationOption(options.idleFor, 'idleFor', 'archive');
  const intervalMs =
    options.interval === undefined
      ? undefined
      : durationOption(options.interval, 'interval', 'archive');
  const leaseMs = durationOption(options.lease ?? '5m', 'lease', 'archive');
  const batchSize = runLimit(options.batchSize ?? 100, 'batchSize', ConfigError);
  const prefix = options.prefix ?? 'stowage:archive:';
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new ConfigError('archive: prefix must be a non-empty string');
  }
  if (typeof cs.restore !== 'function') {
    throw new CapabilityError(
      `archive: the cold tier (${cold.name}) has no sessions.restore, which exact copies need`,
      { adapter: cold.name },
    );
  }
  if (typeof hs.deleteIfUnchanged !== 'function') {
    throw new CapabilityError(
      `archive: the hot tier (${hot.name}) has no sessions.deleteIfUnchanged, without which a write landing during a move could be lost`,
      { adapter: hot.name },
    );
  }
  const restoreCold = cs.restore.bind(cs);
  const deleteHotIfUnchanged = hs.deleteIfUnchanged.bind(hs);
  const parts: Part[] = [
    { role: 'hot', adapter: hot },
    { role: 'cold', adapter: cold },
  ];
  const name = compositeName('archive', parts);
  const onError =
    options.onError ??
    ((error: unknown) => process.emitWarning(`${name}: ${String(error)}`, 'StowageWarning'));
  const lifecycle = partsLifecycle(name, parts);
  let context: AdapterOpenContext | undefined;
  let opening: Promise<void> | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let timedRun: Promise<unknown> | undefined;

  // -------------------------------------------------------------------------------------------
  // Reads and writes over both tiers. The hot tier is always asked first: a move writes the cold
  // copy before it deletes the hot one, so a reader that misses the hot copy finds the cold one.
  // -------------------------------------------------------------------------------------------

  /** The tier holding a live session, hot first. */
  const locate = async (
    id: string,
    ctx: CallContext,
  ): Promise<{ driver: SessionDriver; session: StoredSession } | undefined> => {
    const inHot = await hs.get(id, ctx);
    if (inHot) return { driver: hs, session: inHot };
    const inCold = await cs.get(id, ctx);
    return inCold ? { driver: cs, session: inCold } : undefined;
  };

  const save = async (write: SessionWrite, ctx: CallContext): Promise<StoredSession> => {
    const expected = write.expectedVersion;
    if (expected !== undefined && expected > 0) {
      // The condition names one version: whichever tier holds the session checks it.
      try {
        return await hs.save(write, ctx);
      } catch (error) {
        if (!isAbsent(error)) throw error;
      }
      return cs.save(write, ctx);
    }
    let lastConflict: unknown;
    for (let attempt = 0; attempt < MAX_REROUTES; attempt++) {
      const found = await locate(write.id, ctx);
      if (found && expected === 0) {
        throw new ConflictError(write.id, 0, found.session.version, { adapter: name });
      }
      try {
        // An upsert becomes a save of the version just read, so a session that moves or is
        // deleted in between makes it conflict and look again instead of forking a copy.
        return found
          ? await found.driver.save({ ...write, expectedVersion: found.session.version }, ctx)
          : await hs.save({ ...write, expectedVersion: 0 }, ctx);
      } catch (error) {
        if (!isConflict(error) || expected === 0) throw error;
        lastConflict = error;
      }
    }
    throw lastConflict;
  };

  /** Ids among `ids` with a live session in the hot tier. */
  const liveInHot = async (ids: readonly string[], ctx: CallContext): Promise<Set<string>> => {
    if (ids.length === 0) return new Set();
    const found = await hs.getMany(ids, ctx);
    return new Set(ids.filter((_, i) => found[i] !== null));
  };

  /** Up to `need` cold sessions after `after` that the hot tier does not shadow. */
  const coldPage = async (query: AdapterListQuery, ctx: CallContext): Promise<StoredSession[]> => {
    const out: StoredSession[] = [];
    let after = query.after;
    for (;;) {
      const page = await cs.list({ ...query, after }, ctx);
      const shadowed = await liveInHot(
        page.map((s) => s.id),
        ctx,
      );
      for (const s of page) if (!shadowed.has(s.id)) out.push(s);
      const last = page.at(-1);
      if (out.length >= query.limit || !last || page.length < query.limit) return out;
      after = { createdAt: last.createdAt, id: last.id };
    }
  };

  /** Walks every page of `list` on one tier. */
  const eachPage = async (
    driver: SessionDriver,
    filter: AdapterSessionFilter,
    ctx: CallContext,
    visit: (page: StoredSession[]) => Promise<void>,
  ): Promise<void> => {
    let after: ListPosition | undefined;
    for (;;) {
      const page = await driver.list({ ...filter, order: 'asc', limit: PAGE, after }, ctx);
      if (page.length > 0) await visit(page);
      const last = page.at(-1);
      if (!last || page.length < PAGE) return;
      after = { createdAt: last.createdAt, id: last.id };
    }
  };

  /**
   * How many cold sessions matching `filter` a live hot session shadows (`coldCount` of them
   * match). Walks the smaller of the cold matches and the whole hot tier.
   */
  const shadowedCount = async (
    filter: AdapterSessionFilter,
    coldCount: number,
    ctx: CallContext,
  ): Promise<number> => {
    if (coldCount === 0) return 0;
    const hotTotal = await hs.count({}, ctx);
    if (hotTotal === 0) return 0;
    let shadowed = 0;
    if (coldCount <= hotTotal) {
      await eachPage(cs, filter, ctx, async (page) => {
        shadowed += (
          await liveInHot(
            page.map((s) => s.id),
            ctx,
          )
        ).size;
      });
    } else {
      await eachPage(hs, {}, ctx, async (page) => {
        const copies = await cs.getMany(
          page.map((s) => s.id),
          ctx,
        );
        for (const copy of copies) if (copy && matchesFilter(copy, filter)) shadowed++;
      });
    }
    return shadowed;
  };

  const sessionDriver: SessionDriver = {
    async get(id, ctx) {
      return (await hs.get(id, ctx)) ?? cs.get(id, ctx);
    },
    async getMany(ids, ctx) {
      const fromHot = await hs.getMany(ids, ctx);
      const missing = ids.filter((_, i) => fromHot[i] === null);
      if (missing.length === 0) return fromHot;
      const fromCold = await cs.getMany(missing, ctx);
      const byId = new Map(missing.map((id, i) => [id, fromCold[i] ?? null]));
      return ids.map((id, i) => fromHot[i] ?? byId.get(id) ?? null);
    },
    save,
    async saveMany(writes, ctx) {
      const out: StoredSession[] = [];
      for (const w of writes) out.push(await save(w, ctx));
      return out;
    },
    async delete(id, expectedVersion, ctx) {
      if (expectedVersion === undefined) {
        const inHot = await hs.delete(id, undefined, ctx);
        const inCold = await cs.delete(id, undefined, ctx);
        return inHot || inCold;
      }
      try {
        if (await hs.delete(id, expectedVersion, ctx)) {
          // A cold copy behind a hot session is a leftover of a move; it goes too.
          await cs.delete(id, undefined, ctx);
          return true;
        }
      } catch (error) {
        if (!isAbsent(error)) throw error;
      }
      return cs.delete(id, expectedVersion, ctx);
    },
    async deleteMany(ids, ctx) {
      const inHot = await liveInHot(ids, ctx);
      const fromHot = await hs.deleteMany(ids, ctx);
      const coldOnly = ids.filter((id) => !inHot.has(id));
      const fromCold = coldOnly.length > 0 ? await cs.deleteMany(coldOnly, ctx) : 0;
      if (inHot.size > 0) await cs.deleteMany([...inHot], ctx);
      return fromHot + fromCold;
    },
    async touch(id, expiresAt, ctx) {
      const inHot = await hs.touch(id, expiresAt, ctx);
      return inHot !== undefined ? inHot : cs.touch(id, expiresAt, ctx);
    },
    async list(query, ctx) {
      // Hot before cold, never in parallel: a session moving meanwhile is then seen in at least
      // one of them.
      const fromHot = await hs.list(query, ctx);
      const hotIds = new Set(fromHot.map((s) => s.id));
      const fromCold = (await coldPage(query, ctx)).filter((s) => !hotIds.has(s.id));
      const sign = query.order === 'desc' ? -1 : 1;
      return [...fromHot, ...fromCold]
        .sort((a, b) => sign * compareListPosition(a, b))
        .slice(0, query.limit);
    },
    async count(filter, ctx) {
      const inHot = await hs.count(filter, ctx);
      const inCold = await cs.count(filter, ctx);
      return inHot + inCold - (await shadowedCount(filter, inCold, ctx));
    },
    async deleteWhere(filter, ctx) {
      const shadowed = await shadowedCount(filter, await cs.count(filter, ctx), ctx);
      const fromHot = await hs.deleteWhere(filter, ctx);
      const fromCold = await cs.deleteWhere(filter, ctx);
      return fromHot + Math.max(0, fromCold - shadowed);
    },
    async deleteIfUnchanged(id, expected, ctx) {
      if (await deleteHotIfUnchanged(id, expected, ctx)) {
        await cs.delete(id, undefined, ctx);
        return true;
      }
      if (await hs.get(id, ctx)) return false;
      return coldDeleteIfUnchanged(id, expected, ctx);
    },
    ...(hs.restore
      ? {
          async restore(copies: readonly StoredSession[], ctx: CallContext) {
            validateStoredSessions(copies);
            // A copy replaces the session where it lives (so a live one keeps its messages);
            // one that lives nowhere is created in the hot tier.
            const ids = copies.map((s) => s.id);
            const inHot = await liveInHot(ids, ctx);
            const inCold = await cs.getMany(ids, ctx);
            const toCold = copies.filter((s, i) => !inHot.has(s.id) && inCold[i] !== null);
            const toHot = copies.filter((s, i) => inHot.has(s.id) || inCold[i] === null);
            if (toHot.length > 0) await hs.restore?.(toHot, ctx);
            if (toCold.length > 0) await restoreCold(toCold, ctx);
          },
        }
      : {}),
  };

  /** The cold tier's compare-and-delete, or a version-checked delete when it has none. */
  const coldDeleteIfUnchanged = async (
    id: string,
    expected: SessionFingerprint,
    ctx: CallContext,
  ): Promise<boolean> => {
    if (cs.deleteIfUnchanged) return cs.deleteIfUnchanged(id, expected, ctx);
    try {
      return await cs.delete(id, expected.version, ctx);
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  };

  const messageDriver: MessageDriver | undefined =
    hm && cm
      ? {
          async append(sessionId, messages, appendOptions, ctx) {
            try {
              return await hm.append(sessionId, messages, appendOptions, ctx);
            } catch (error) {
              if (!(error instanceof NotFoundError)) throw error;
            }
            return cm.append(sessionId, messages, appendOptions, ctx);
          },
          // An empty answer from the hot tier is either an empty log or no session there.
          async range(sessionId, start, end, ctx) {
            const fromHot = await hm.range(sessionId, start, end, ctx);
            if (fromHot.length > 0 || (await hs.get(sessionId, ctx))) return fromHot;
            return cm.range(sessionId, start, end, ctx);
          },
          async length(sessionId, ctx) {
            const inHot = await hm.length(sessionId, ctx);
            if (inHot > 0 || (await hs.get(sessionId, ctx))) return inHot;
            return cm.length(sessionId, ctx);
          },
          async trim(sessionId, keepLast, ctx) {
            const fromHot = await hm.trim(sessionId, keepLast, ctx);
            if (fromHot > 0 || (await hs.get(sessionId, ctx))) return fromHot;
            return cm.trim(sessionId, keepLast, ctx);
          },
        }
      : undefined;

  // -------------------------------------------------------------------------------------------
  // Moving idle sessions.
  // -------------------------------------------------------------------------------------------

  const claimKey = (id: string) =>
    `${prefix}claim:${createHash('sha256').update(id).digest('base64url')}`;

  /** Whether this archiver still holds its claim (a lease that ran out may be someone else's). */
  const holds = async (key: string, token: string, ctx: CallContext) =>
    (await kv.get(key, ctx)) === token;

  /** Writes `session` and its log to the cold tier exactly, replacing any leftover copy. */
  const copyToCold = async (
    session: StoredSession,
    messages: readonly string[],
    ctx: CallContext,
  ): Promise<void> => {
    const { id } = session;
    // Any cold copy of a session the hot tier holds is the leftover of an interrupted move.
    await cs.delete(id, undefined, ctx);
    await restoreCold([session], ctx);
    if (cm && messages.length > 0) {
      for (let i = 0; i < messages.length; i += APPEND_BATCH) {
        await cm.append(id, messages.slice(i, i + APPEND_BATCH), {}, ctx);
      }
      // Appending moved updatedAt; the second restore puts it back, keeping the messages.
      await restoreCold([session], ctx);
    }
    const copy = await cs.get(id, ctx);
    const length = cm ? await cm.length(id, ctx) : 0;
    const differences = copy ? sessionDifferences(session, copy) : ['missing'];
    if (length !== messages.length) differences.push(`${length} of ${messages.length} messages`);
    if (differences.length > 0) {
      throw new BackendError(
        `${name}: the cold copy of ${JSON.stringify(id)} differs (${differences.join(', ')})`,
        { adapter: name },
      );
    }
  };

  type Outcome = 'moved' | 'changed' | 'busy';

  const moveOne = async (candidate: StoredSession): Promise<Outcome> => {
    const ctx = { now: clockNow() };
    const key = claimKey(candidate.id);
    const token = JSON.stringify(randomUUID());
    const claimed = await kv.setIfAbsent({ key, value: token, expiresAt: ctx.now + leaseMs }, ctx);
    if (!claimed) return 'busy';
    try {
      const session = await hs.get(candidate.id, ctx);
      if (!session || session.updatedAt >= ctx.now - idleMs) return 'changed';
      // One range call reads the log as of one moment on every adapter.
      const messages = hm ? await hm.range(session.id, 0, -1, ctx) : [];
      const fingerprint: SessionFingerprint = {
        version: session.version,
        createdAt: session.createdAt,
        updatedAt: session.updatedAt,
        expiresAt: session.expiresAt,
        messageCount: messages.length,
      };
      // The copy starts by replacing any cold leftover: only while the claim is surely ours.
      if (!(await holds(key, token, ctx))) return 'busy';
      await copyToCold(session, messages, ctx);
      // Past its lease another archiver may be copying this session: deleting the hot copy
      // now could race its cleanup, so leave the session where it is.
      if (!(await holds(key, token, ctx))) return 'busy';
      if (await deleteHotIfUnchanged(session.id, fingerprint, ctx)) return 'moved';
      // Written, appended, touched, trimmed, deleted or expired since it was read: the hot
      // tier's state stands and the copy must neither shadow nor outlive it.
      await coldDeleteIfUnchanged(session.id, fingerprint, ctx);
      return 'changed';
    } finally {
      const release = { now: clockNow() };
      if (await holds(key, token, release).catch(() => false)) {
        await kv.delete(key, release).catch(onError);
      }
    }
  };

  const clockNow = () => (context?.clock ?? systemClock).now();

  const ensureOpen = async (): Promise<void> => {
    if (closed) throw new ClosedError(`${name} is closed`, { adapter: name });
    if (context) return;
    opening ??= lifecycle.open({ clock: systemClock, timeoutMs: 5000 }).then(() => {
      context ??= { clock: systemClock, timeoutMs: 5000 };
    });
    await opening;
  };

  const archiveIdle = async (runOptions: ArchiveRunOptions = {}): Promise<ArchiveReport> => {
    const limit = runLimit(runOptions.limit ?? 100, 'limit', ValidationError);
    await ensureOpen();
    const report: ArchiveReport = { examined: 0, moved: 0, changed: 0, busy: 0, failed: 0 };
    let after: ListPosition | undefined;
    while (report.examined < limit) {
      const ctx = { now: clockNow() };
      const want = Math.min(PAGE, limit - report.examined);
      const page = await hs.list(
        { updatedBefore: ctx.now - idleMs, order: 'asc', limit: want, after },
        ctx,
      );
      for (const candidate of page) {
        report.examined++;
        try {
          report[await moveOne(candidate)]++;
        } catch (error) {
          report.failed++;
          onError(error);
        }
      }
      const last = page.at(-1);
      if (!last || page.length < want) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    return report;
  };

  return {
    name,
    capabilities: {
      atomicBatch: false,
      multiProcess: hot.capabilities.multiProcess && cold.capabilities.multiProcess,
      persistent: hot.capabilities.persistent && cold.capabilities.persistent,
    },
    sessions: stampErrors(sessionDriver, name),
    ...(messageDriver ? { messages: stampErrors(messageDriver, name) } : {}),
    kv: stampErrors(kv as KvDriver, name),
    ...(hot.queues ? { queues: stampErrors(hot.queues, name) } : {}),
    ...(hot.pubsub ? { pubsub: stampErrors(hot.pubsub, name) } : {}),
    archiveIdle,
    async open(openContext) {
      closed = false;
      await lifecycle.open(openContext);
      context = openContext;
      if (intervalMs !== undefined && timer === undefined) {
        timer = setInterval(() => {
          if (timedRun) return;
          timedRun = archiveIdle({ limit: batchSize })
            .catch(onError)
            .finally(() => {
              timedRun = undefined;
            });
        }, intervalMs);
        timer.unref();
      }
    },
    async close() {
      closed = true;
      clearInterval(timer);
      timer = undefined;
      await timedRun;
      context = undefined;
      opening = undefined;
      await lifecycle.close();
    },
    health: () => lifecycle.health(),
    sweep: (limit, ctx) => lifecycle.sweep(limit, ctx),
  };
}

/** A whole number of sessions between 1 and 10,000. */
function runLimit(value: unknown, what: string, ErrorType: new (message: string) => Error): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > 10_000) {
    throw new ErrorType(
      `archive: ${what} must be a whole number from 1 to 10000, got ${String(value)}`,
    );
  }
  return value;
}
