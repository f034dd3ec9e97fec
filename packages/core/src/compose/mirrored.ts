import { Deadlines } from '../deadlines.js';
import { CapabilityError, ConflictError, TimeoutError } from '../errors.js';
import type {
  CallContext,
  KvDriver,
  MessageDriver,
  SessionDriver,
  StoredSession,
  StowageAdapter,
  Ttl,
} from '../types.js';
import { durationOption } from '../validate.js';
import { type MirrorDifference, MirrorRecorder, type MirrorReport } from './mirror-report.js';
import { assertAdapter, requireDriver } from './options.js';
import { compositeName, type Part, partsLifecycle, stampErrors, wrapMethods } from './parts.js';
import { copySession, sessionDifferences } from './session-copy.js';

/** Options of `mirrored`. */
export interface MirroredOptions {
  /** Called with each difference found (after the user's call succeeded). Default: none. */
  onDifference?: (difference: MirrorDifference) => void;
  /**
   * How long a secondary call may take before it counts as failed (ms or `'1s'`); default half
   * the storage's `timeout`, so a hung secondary never makes the call miss its deadline.
   */
  secondaryTimeout?: Ttl;
  /** How many recent differences `differences()` keeps; default 1000. */
  maxDifferences?: number;
  /**
   * For a secondary without `sessions.restore`: sessions up to this version are rebuilt
   * exactly when it has drifted (one save per version); larger ones get their data only and
   * stay a difference. Default 100.
   */
  maxRebuildVersions?: number;
}

/** The adapter `mirrored` returns: a `StowageAdapter` with a difference report. */
export interface MirroredAdapter extends StowageAdapter {
  /** What did not match on the secondary so far. */
  differences(): MirrorReport;
}

/**
 * Dual writes for moving between backends without downtime. Reads, queues and pub/sub use
 * `primary`; every session, message and kv write goes to the primary and then, once it
 * succeeded, to `secondary` at the same clock time, so the secondary stores the same
 * `StoredSession` (version, createdAt, updatedAt, expiry): a session save there expects the
 * version before the primary's result, and a secondary that drifted (a conflict, a different
 * answer, a failure) gets the session rebuilt exactly from the primary. A secondary failure
 * never fails the call: it goes to `onDifference` and the `differences()` report, which lists
 * what is still unrepaired (for example a kv counter, whose expiry cannot be read back). Copy
 * the existing data with `migrate` while mirroring, then switch reads by swapping the roles.
 *
 * @example
 * ```ts
 * const adapter = mirrored(sqliteAdapter({ path: 'app.db' }), postgresAdapter({ connection: url }), {
 *   onDifference: (d) => console.warn('mirror', d.op, d.key, d.detail),
 * });
 * ```
 */
export function mirrored(
  primaryAdapter: StowageAdapter,
  secondaryAdapter: StowageAdapter,
  options: MirroredOptions = {},
): MirroredAdapter {
  const primary = assertAdapter(primaryAdapter, 'primary', 'mirrored');
  const secondary = assertAdapter(secondaryAdapter, 'secondary', 'mirrored');
  const parts: Part[] = [
    { role: 'primary', adapter: primary },
    { role: 'secondary', adapter: secondary },
  ];
  const name = compositeName('mirrored', parts);
  const recorder = new MirrorRecorder(options.maxDifferences ?? 1000, options.onDifference);
  const maxVersions = options.maxRebuildVersions ?? 100;
  const fixedSecondaryMs =
    options.secondaryTimeout === undefined
      ? undefined
      : durationOption(options.secondaryTimeout, 'secondaryTimeout', 'mirrored');
  const lifecycle = partsLifecycle(name, parts, (part) => part.role === 'primary');
  const queue = new Map<string, Promise<void>>();
  let openSecondary: (() => Promise<void>) | undefined;
  let timeoutMs = 5000;
  const deadlines = new Deadlines();
  /** A secondary call, failing with `TimeoutError` past `secondaryTimeout`. */
  const onTime = <T>(start: () => Promise<T>): Promise<T> => {
    const ms = fixedSecondaryMs ?? Math.max(1, Math.floor(timeoutMs / 2));
    return deadlines.race(
      start(),
      ms,
      () =>
        new TimeoutError(`the secondary (${secondary.name}) did not answer within ${ms} ms`, ms),
    );
  };
  // The secondary as replication sees it: a hung call becomes a difference, not a hung write.
  const timed: StowageAdapter = {
    ...secondary,
    ...(secondary.sessions ? { sessions: wrapMethods(secondary.sessions, onTime) } : {}),
    ...(secondary.messages ? { messages: wrapMethods(secondary.messages, onTime) } : {}),
    ...(secondary.kv ? { kv: wrapMethods(secondary.kv, onTime) } : {}),
  };

  // Replications of one id run one after another, in the order the primary answered.
  const serial = (id: string, task: () => Promise<void>): Promise<void> => {
    const run = (queue.get(id) ?? Promise.resolve()).then(task);
    queue.set(id, run);
    return run.finally(() => {
      if (queue.get(id) === run) queue.delete(id);
    });
  };
  const record = (d: Omit<MirrorDifference, 'at'>, ctx: CallContext) =>
    recorder.record({ ...d, at: ctx.now });

  /** Brings one session of the secondary to the primary's state; returns what still differs. */
  const resync = async (id: string, ctx: CallContext): Promise<string[]> => {
    const current = await primary.sessions?.get(id, ctx);
    if (!current) {
      await timed.sessions?.delete(id, undefined, ctx);
      return [];
    }
    const messages = (await primary.messages?.range(id, 0, -1, ctx)) ?? [];
    return copySession(timed, current, messages, maxVersions);
  };

  /** Runs a secondary call; a failure or a `check` complaint becomes a (repaired) difference. */
  const mirror = async <T>(
    op: string,
    key: string,
    ctx: CallContext,
    call: () => Promise<T>,
    check?: (result: T) => string | undefined,
    repair?: () => Promise<string[]>,
  ): Promise<void> => {
    let reason: MirrorDifference['reason'];
    let detail: string;
    let error: unknown;
    try {
      await openSecondary?.();
      // Awaited apart: `check?.(await call())` would skip the call when there is no check.
      const result = await call();
      const complaint = check?.(result);
      if (complaint === undefined) return;
      reason = 'mismatch';
      detail = complaint;
    } catch (failure) {
      reason = failure instanceof ConflictError ? 'conflict' : 'error';
      detail = failure instanceof Error ? failure.message : String(failure);
      error = failure;
    }
    let repaired = false;
    if (repair) {
      try {
        const left = await repair();
        repaired = left.length === 0;
        if (!repaired) detail += `; after repair still differs: ${left.join(', ')}`;
      } catch (failure) {
        detail += `; repair failed: ${failure instanceof Error ? failure.message : String(failure)}`;
      }
    }
    record({ op, key, reason, detail, repaired, ...(error === undefined ? {} : { error }) }, ctx);
  };

  const replicateSession = (op: string, stored: StoredSession, ctx: CallContext) =>
    serial(stored.id, () =>
      mirror(
        op,
        stored.id,
        ctx,
        () =>
          requireDriver(timed, 'sessions', 'secondary', name).save(
            {
              id: stored.id,
              data: stored.data,
              state: stored.state,
              labels: stored.labels,
              expiresAt: stored.expiresAt,
              maxExpiresAt: stored.maxExpiresAt,
              expectedVersion: stored.version - 1,
            },
            ctx,
          ),
        (copy) => {
          const fields = sessionDifferences(stored, copy);
          return fields.length === 0 ? undefined : `secondary stored ${fields.join(', ')}`;
        },
        () => resync(stored.id, ctx),
      ),
    );
  const same =
    <T>(what: string) =>
    (expected: T) =>
    (found: T) =>
      found === expected
        ? undefined
        : `${what}: primary ${String(expected)}, secondary ${String(found)}`;

  const ps = requireDriver(primary, 'sessions', 'primary', 'mirrored');
  requireDriver(secondary, 'sessions', 'secondary', 'mirrored');
  const ss = timed.sessions as SessionDriver;
  const sessionDriver: SessionDriver = {
    get: (id, ctx) => ps.get(id, ctx),
    getMany: (ids, ctx) => ps.getMany(ids, ctx),
    list: (query, ctx) => ps.list(query, ctx),
    count: (filter, ctx) => ps.count(filter, ctx),
    async save(write, ctx) {
      const stored = await ps.save(write, ctx);
      await replicateSession('sessions.save', stored, ctx);
      return stored;
    },
    async saveMany(writes, ctx) {
      const stored = await ps.saveMany(writes, ctx);
      await Promise.all(stored.map((s) => replicateSession('sessions.saveMany', s, ctx)));
      return stored;
    },
    async delete(id, expectedVersion, ctx) {
      const deleted = await ps.delete(id, expectedVersion, ctx);
      await serial(id, () =>
        mirror(
          'sessions.delete',
          id,
          ctx,
          () => ss.delete(id, undefined, ctx),
          same('deleted')(deleted),
          () => resync(id, ctx),
        ),
      );
      return deleted;
    },
    async deleteMany(ids, ctx) {
      const count = await ps.deleteMany(ids, ctx);
      // Deleting again is the repair: afterwards neither side holds these ids.
      await mirror(
        'sessions.deleteMany',
        '',
        ctx,
        () => ss.deleteMany(ids, ctx),
        same('deleted')(count),
        () => ss.deleteMany(ids, ctx).then(() => []),
      );
      return count;
    },
    async touch(id, expiresAt, ctx) {
      const result = await ps.touch(id, expiresAt, ctx);
      await serial(id, () =>
        mirror(
          'sessions.touch',
          id,
          ctx,
          () => ss.touch(id, expiresAt, ctx),
          same('expiry')(result),
          () => resync(id, ctx),
        ),
      );
      return result;
    },
    ...(ps.restore
      ? {
          async restore(sessions: readonly StoredSession[], ctx: CallContext) {
            await ps.restore?.(sessions, ctx);
            await Promise.all(
              sessions.map((s) =>
                serial(s.id, () =>
                  mirror(
                    'sessions.restore',
                    s.id,
                    ctx,
                    async () => {
                      if (!ss.restore) throw new CapabilityError('the secondary has no restore');
                      await ss.restore([s], ctx);
                    },
                    undefined,
                    () => resync(s.id, ctx),
                  ),
                ),
              ),
            );
          },
        }
      : {}),
    async deleteWhere(filter, ctx) {
      const count = await ps.deleteWhere(filter, ctx);
      await mirror(
        'sessions.deleteWhere',
        '',
        ctx,
        () => ss.deleteWhere(filter, ctx),
        same('deleted')(count),
        () => ss.deleteWhere(filter, ctx).then(() => []),
      );
      return count;
    },
  };

  const pm = primary.messages;
  const messageDriver: MessageDriver | undefined = pm && {
    range: (sessionId, start, end, ctx) => pm.range(sessionId, start, end, ctx),
    length: (sessionId, ctx) => pm.length(sessionId, ctx),
    async append(sessionId, messages, appendOptions, ctx) {
      const length = await pm.append(sessionId, messages, appendOptions, ctx);
      await serial(sessionId, () =>
        mirror(
          'messages.append',
          sessionId,
          ctx,
          () =>
            requireDriver(timed, 'messages', 'secondary', name).append(
              sessionId,
              messages,
              appendOptions,
              ctx,
            ),
          same('length')(length),
          () => resync(sessionId, ctx),
        ),
      );
      return length;
    },
    async trim(sessionId, keepLast, ctx) {
      const removed = await pm.trim(sessionId, keepLast, ctx);
      await serial(sessionId, () =>
        mirror(
          'messages.trim',
          sessionId,
          ctx,
          () => requireDriver(timed, 'messages', 'secondary', name).trim(sessionId, keepLast, ctx),
          same('removed')(removed),
          () => resync(sessionId, ctx),
        ),
      );
      return removed;
    },
  };

  const pk = primary.kv;
  const kvOf = () => requireDriver(timed, 'kv', 'secondary', name);
  // An exact copy needs the primary's expiry, which only `getEntries` reads.
  const copyKvEntry = async (key: string, ctx: CallContext): Promise<string[]> => {
    if (!pk?.getEntries) return ['expiry unknown: the primary has no kv getEntries'];
    const [entry] = await pk.getEntries([key], ctx);
    if (entry) await kvOf().set(entry, ctx);
    else await kvOf().delete(key, ctx);
    return [];
  };
  const kvDriver: KvDriver | undefined = pk && {
    get: (key, ctx) => pk.get(key, ctx),
    getMany: (keys, ctx) => pk.getMany(keys, ctx),
    keys: (query, ctx) => pk.keys(query, ctx),
    ...(pk.getEntries
      ? {
          getEntries: async (keys: readonly string[], ctx: CallContext) =>
            (await pk.getEntries?.(keys, ctx)) ?? [],
        }
      : {}),
    async set(write, ctx) {
      await pk.set(write, ctx);
      const set = () => kvOf().set(write, ctx);
      await serial(`kv:${write.key}`, () =>
        mirror('kv.set', write.key, ctx, set, undefined, () => set().then(() => [])),
      );
    },
    async setMany(writes, ctx) {
      await pk.setMany(writes, ctx);
      const set = () => kvOf().setMany(writes, ctx);
      await mirror('kv.setMany', '', ctx, set, undefined, () => set().then(() => []));
    },
    async delete(key, ctx) {
      const deleted = await pk.delete(key, ctx);
      await serial(`kv:${key}`, () =>
        mirror(
          'kv.delete',
          key,
          ctx,
          () => kvOf().delete(key, ctx),
          same('deleted')(deleted),
          () =>
            kvOf()
              .delete(key, ctx)
              .then(() => []),
        ),
      );
      return deleted;
    },
    async deleteMany(keys, ctx) {
      const count = await pk.deleteMany(keys, ctx);
      const remove = () => kvOf().deleteMany(keys, ctx);
      await mirror('kv.deleteMany', '', ctx, remove, same('deleted')(count), () =>
        remove().then(() => []),
      );
      return count;
    },
    async expire(key, expiresAt, ctx) {
      const found = await pk.expire(key, expiresAt, ctx);
      await serial(`kv:${key}`, () =>
        mirror(
          'kv.expire',
          key,
          ctx,
          () => kvOf().expire(key, expiresAt, ctx),
          same('found')(found),
        ),
      );
      return found;
    },
    async increment(key, by, expiresAt, ctx) {
      const value = await pk.increment(key, by, expiresAt, ctx);
      await serial(`kv:${key}`, () =>
        mirror(
          'kv.increment',
          key,
          ctx,
          () => kvOf().increment(key, by, expiresAt, ctx),
          same('value')(value),
          () => copyKvEntry(key, ctx),
        ),
      );
      return value;
    },
    async setIfAbsent(write, ctx) {
      const stored = await pk.setIfAbsent(write, ctx);
      // Only the primary's answer counts: when it stored, the secondary must hold the same.
      if (stored) {
        const set = () => kvOf().set(write, ctx);
        await serial(`kv:${write.key}`, () =>
          mirror('kv.setIfAbsent', write.key, ctx, set, undefined, () => set().then(() => [])),
        );
      }
      return stored;
    },
  };

  return {
    name,
    capabilities: {
      atomicBatch: primary.capabilities.atomicBatch,
      multiProcess: primary.capabilities.multiProcess && secondary.capabilities.multiProcess,
      persistent: primary.capabilities.persistent,
    },
    differences: () => recorder.report(),
    sessions: stampErrors(sessionDriver, name),
    ...(messageDriver ? { messages: stampErrors(messageDriver, name) } : {}),
    ...(kvDriver ? { kv: stampErrors(kvDriver, name) } : {}),
    ...(primary.queues ? { queues: stampErrors(primary.queues, name) } : {}),
    ...(primary.pubsub ? { pubsub: stampErrors(primary.pubsub, name) } : {}),
    async open(context) {
      timeoutMs = context.timeoutMs;
      await primary.open?.(context);
      // The secondary must not keep the primary from serving: open it on first use if need be.
      openSecondary = async () => {
        await onTime(async () => secondary.open?.(context));
        openSecondary = undefined;
      };
      await openSecondary().catch((error: unknown) => {
        record(
          {
            op: 'open',
            key: '',
            reason: 'error',
            detail: error instanceof Error ? error.message : String(error),
            repaired: false,
            error,
          },
          { now: context.clock.now() },
        );
      });
    },
    close: () => lifecycle.close(),
    health: () => lifecycle.health(),
    async sweep(limit, ctx) {
      const removed = primary.sweep ? await primary.sweep(limit, ctx) : 0;
      await mirror('sweep', '', ctx, () => onTime(async () => secondary.sweep?.(limit, ctx)));
      return removed;
    },
  };
}
