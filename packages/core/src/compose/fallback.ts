import { randomUUID } from 'node:crypto';
import { systemClock } from '../clock.js';
import { Deadlines } from '../deadlines.js';
import { ConfigError, StowageError, TimeoutError } from '../errors.js';
import type {
  AdapterOpenContext,
  CallContext,
  KvDriver,
  MessageDriver,
  SessionDriver,
  StoredSession,
  StowageAdapter,
  Ttl,
} from '../types.js';
import { durationOption } from '../validate.js';
import { FailoverLog, type ReconcileCounts } from './failover-log.js';
import { assertAdapter, requireDriver } from './options.js';
import { compositeName, type Part, partsLifecycle, stampErrors, wrapMethods } from './parts.js';

/** Which side of a `withFallback` serves calls. */
export type FallbackSide = 'primary' | 'secondary';

/** What `onSwitch` receives when a `withFallback` changes sides. */
export interface FallbackSwitch {
  /** The side that serves calls from now on. */
  to: FallbackSide;
  /** The primary's outage that caused a switch to the secondary. */
  reason?: StowageError;
  /** On a return to the primary: what was copied back from the secondary. */
  reconciled?: ReconcileCounts;
}

/** Options of `withFallback`. */
export interface FallbackOptions {
  /** How often the primary is probed with `health()` while the secondary serves (ms or `'5s'`); default `'5s'`. */
  probeInterval?: Ttl;
  /**
   * How long a primary call may take before it counts as an outage (ms or `'1s'`); default half
   * the storage's `timeout`, so the call that meets a hung primary still has time to complete
   * on the secondary.
   */
  primaryTimeout?: Ttl;
  /** Called on every switch, after it happened. Default: none. */
  onSwitch?: (event: FallbackSwitch) => void;
  /** Receives failed probes and failed returns while on the secondary; default: none. */
  onProbeError?: (error: unknown) => void;
}

/** The adapter `withFallback` returns: a `StowageAdapter` that also tells which side serves. */
export interface FallbackAdapter extends StowageAdapter {
  /** The side serving calls now. */
  readonly active: FallbackSide;
  /**
   * Probes the primary now (the timer does it every `probeInterval`) and returns to it when it
   * answers, after copying back what the secondary received. Resolves to the active side.
   */
  probe(): Promise<FallbackSide>;
}

/** Whether an error means the backend could not be reached or did not answer in time. */
function isOutage(error: unknown): error is StowageError {
  return error instanceof StowageError && (error.code === 'CONNECTION' || error.code === 'TIMEOUT');
}

/**
 * Keeps a cache role (sessions, messages, kv) available when its backend is down. Calls go to
 * `primary`; a `ConnectionError` or `TimeoutError` from it switches every call, this one
 * included, to `secondary`, and `primary.health()` is probed every `probeInterval` until it
 * answers. Before calls go back, every session, message and kv entry written during the
 * failover is copied from the secondary to the primary (sessions keep data, state, labels and
 * expiry; the primary numbers their versions) and `deleteWhere` calls are replayed, so no
 * write is dropped and stale primary data never wins; the copies are then removed from the
 * secondary. During a failover the secondary starts empty: data only the primary holds reads
 * as missing, which suits caches, sessions that can be signed in again and rate limits, not
 * data of record. A primary call slower than `primaryTimeout` counts as an outage too; a write
 * that timed out may still land on the primary, and the copy back then overwrites it with the
 * secondary's outcome. Queues and pub/sub are not offered.
 *
 * @example
 * ```ts
 * const cache = withFallback(redisAdapter({ url }), memoryAdapter(), {
 *   onSwitch: (e) => console.warn('cache now on', e.to),
 * });
 * ```
 */
export function withFallback(
  primaryAdapter: StowageAdapter,
  secondaryAdapter: StowageAdapter,
  options: FallbackOptions = {},
): FallbackAdapter {
  const primary = assertAdapter(primaryAdapter, 'primary', 'withFallback');
  const secondary = assertAdapter(secondaryAdapter, 'secondary', 'withFallback');
  if (typeof primary.health !== 'function') {
    throw new ConfigError(
      `withFallback: the primary (${primary.name}) has no health(), which the probe needs`,
    );
  }
  const probeMs = durationOption(options.probeInterval ?? '5s', 'probeInterval', 'withFallback');
  const fixedPrimaryMs =
    options.primaryTimeout === undefined
      ? undefined
      : durationOption(options.primaryTimeout, 'primaryTimeout', 'withFallback');
  const deadlines = new Deadlines();
  const parts: Part[] = [
    { role: 'primary', adapter: primary },
    { role: 'secondary', adapter: secondary },
  ];
  const name = compositeName('fallback', parts);
  // The primary may be down: health fails only when the side in use is.
  const lifecycle = partsLifecycle(name, parts, (part) => part.role === active);
  const log = new FailoverLog();
  let active: FallbackSide = 'primary';
  let context: AdapterOpenContext = { clock: systemClock, timeoutMs: 5000 };
  let primaryOpening: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let returning: Promise<FallbackSide> | undefined;
  let failoverTag = randomUUID();
  const inFlight = new Set<Promise<unknown>>();
  const now = (): CallContext => ({ now: context.clock.now() });
  // One open at a time, kept once it succeeded; a hung open is joined rather than repeated.
  const openPrimary = (): Promise<void> => {
    primaryOpening ??= (async () => {
      try {
        await primary.open?.(context);
      } catch (error) {
        primaryOpening = undefined;
        throw error;
      }
    })();
    return primaryOpening;
  };
  /** A primary call, failing with `TimeoutError` when it takes longer than `primaryTimeout`. */
  const onTime = <T>(start: () => Promise<T>): Promise<T> => {
    const task = start();
    const ms = fixedPrimaryMs ?? Math.max(1, Math.floor(context.timeoutMs / 2));
    return deadlines.race(
      task,
      ms,
      () => new TimeoutError(`the primary (${primary.name}) did not answer within ${ms} ms`, ms),
    );
  };

  // The primary as every call and every copy back sees it: hung calls become outages.
  const timedPrimary: StowageAdapter = {
    ...primary,
    ...(primary.sessions ? { sessions: wrapMethods(primary.sessions, onTime) } : {}),
    ...(primary.messages ? { messages: wrapMethods(primary.messages, onTime) } : {}),
    ...(primary.kv ? { kv: wrapMethods(primary.kv, onTime) } : {}),
  };

  const switchTo = (to: FallbackSide, event: FallbackSwitch) => {
    active = to;
    if (to === 'secondary') {
      failoverTag = randomUUID();
      timer = setInterval(() => {
        void probe();
      }, probeMs);
      timer.unref();
    } else {
      clearInterval(timer);
      timer = undefined;
    }
    try {
      options.onSwitch?.(event);
    } catch (error) {
      // The switch happened; a broken listener must not fail the call that caused it.
      process.emitWarning(`Stowage onSwitch listener threw: ${String(error)}`, 'StowageWarning');
    }
  };

  /** Runs a call on the active side; `record` notes what a secondary write changed. */
  const route = async <T>(
    run: (adapter: StowageAdapter) => Promise<T>,
    record?: (result: T) => void,
  ): Promise<T> => {
    if (active === 'primary') {
      try {
        return await run(timedPrimary);
      } catch (error) {
        if (!isOutage(error)) throw error;
        if (active === 'primary') switchTo('secondary', { to: 'secondary', reason: error });
      }
    }
    const call = run(secondary);
    inFlight.add(call);
    try {
      const result = await call;
      record?.(result);
      return result;
    } finally {
      inFlight.delete(call);
    }
  };

  const probe = (): Promise<FallbackSide> => {
    if (active === 'primary') return Promise.resolve(active);
    returning ??= (async () => {
      try {
        await onTime(openPrimary);
        await onTime(async () => primary.health?.());
        const counts: ReconcileCounts = { sessions: 0, kv: 0, deletions: 0 };
        // Copy until nothing written to the secondary is left, then switch in the same tick, so
        // no write can land on the secondary unseen.
        for (;;) {
          await Promise.allSettled(inFlight);
          if (log.empty && inFlight.size === 0) break;
          await log.copyBack(timedPrimary, secondary, failoverTag, now(), counts);
        }
        switchTo('primary', { to: 'primary', reconciled: counts });
      } catch (error) {
        options.onProbeError?.(error);
        return active;
      } finally {
        returning = undefined;
      }
      // The secondary's copies are now redundant; failing to drop them only costs memory there.
      await log.clearSecondary(secondary, now()).catch((error: unknown) => {
        options.onProbeError?.(error);
      });
      return active;
    })();
    return returning;
  };

  const sessions = (a: StowageAdapter): SessionDriver => requireDriver(a, 'sessions', name, name);
  const messages = (a: StowageAdapter): MessageDriver => requireDriver(a, 'messages', name, name);
  const kv = (a: StowageAdapter): KvDriver => requireDriver(a, 'kv', name, name);
  const written = (ids: readonly string[]) => () => log.sessionsWritten(ids);

  const sessionDriver: SessionDriver = {
    get: (id, ctx) => route((a) => sessions(a).get(id, ctx)),
    getMany: (ids, ctx) => route((a) => sessions(a).getMany(ids, ctx)),
    save: (write, ctx) => route((a) => sessions(a).save(write, ctx), written([write.id])),
    saveMany: (writes, ctx) =>
      route((a) => sessions(a).saveMany(writes, ctx), written(writes.map((w) => w.id))),
    delete: (id, expectedVersion, ctx) =>
      route((a) => sessions(a).delete(id, expectedVersion, ctx), written([id])),
    deleteMany: (ids, ctx) => route((a) => sessions(a).deleteMany(ids, ctx), written(ids)),
    touch: (id, expiresAt, ctx) =>
      route(
        (a) => sessions(a).touch(id, expiresAt, ctx),
        (result) => {
          if (result !== undefined) log.sessionsWritten([id]);
        },
      ),
    list: (query, ctx) => route((a) => sessions(a).list(query, ctx)),
    count: (filter, ctx) => route((a) => sessions(a).count(filter, ctx)),
    ...(primary.sessions?.restore && secondary.sessions?.restore
      ? {
          restore: (stored: readonly StoredSession[], ctx: CallContext) =>
            route(
              async (a) => sessions(a).restore?.(stored, ctx),
              written(stored.map((s) => s.id)),
            ),
        }
      : {}),
    deleteWhere: (filter, ctx) =>
      route(
        (a) => sessions(a).deleteWhere(filter, ctx),
        () => log.filterDeleted(filter),
      ),
  };

  const messageDriver: MessageDriver = {
    append: (sessionId, items, appendOptions, ctx) =>
      route((a) => messages(a).append(sessionId, items, appendOptions, ctx), written([sessionId])),
    range: (sessionId, start, end, ctx) =>
      route((a) => messages(a).range(sessionId, start, end, ctx)),
    length: (sessionId, ctx) => route((a) => messages(a).length(sessionId, ctx)),
    trim: (sessionId, keepLast, ctx) =>
      route((a) => messages(a).trim(sessionId, keepLast, ctx), written([sessionId])),
  };

  const kvDriver: KvDriver = {
    get: (key, ctx) => route((a) => kv(a).get(key, ctx)),
    getMany: (keys, ctx) => route((a) => kv(a).getMany(keys, ctx)),
    set: (write, ctx) =>
      route(
        (a) => kv(a).set(write, ctx),
        () => log.kvWritten(write.key, write.expiresAt),
      ),
    setMany: (writes, ctx) =>
      route(
        (a) => kv(a).setMany(writes, ctx),
        () => {
          for (const w of writes) log.kvWritten(w.key, w.expiresAt);
        },
      ),
    delete: (key, ctx) =>
      route(
        (a) => kv(a).delete(key, ctx),
        () => log.kvWritten(key, null),
      ),
    deleteMany: (keys, ctx) =>
      route(
        (a) => kv(a).deleteMany(keys, ctx),
        () => {
          for (const key of keys) log.kvWritten(key, null);
        },
      ),
    keys: (query, ctx) => route((a) => kv(a).keys(query, ctx)),
    ...(primary.kv?.getEntries && secondary.kv?.getEntries
      ? {
          getEntries: (keys: readonly string[], ctx: CallContext) =>
            route(async (a) => (await kv(a).getEntries?.(keys, ctx)) ?? []),
        }
      : {}),
    expire: (key, expiresAt, ctx) =>
      route(
        (a) => kv(a).expire(key, expiresAt, ctx),
        (found) => {
          if (found) log.kvWritten(key, expiresAt);
        },
      ),
    increment: (key, by, expiresAt, ctx) => {
      // A new counter takes `expiresAt`; one written earlier in this failover keeps its own.
      const known = log.hasKv(key);
      return route(
        (a) => kv(a).increment(key, by, expiresAt, ctx),
        () => log.kvWritten(key, known ? undefined : expiresAt),
      );
    },
    setIfAbsent: (write, ctx) =>
      route(
        (a) => kv(a).setIfAbsent(write, ctx),
        (stored) => {
          if (stored) log.kvWritten(write.key, write.expiresAt);
        },
      ),
  };

  const both = (kind: 'sessions' | 'messages' | 'kv') =>
    primary[kind] !== undefined && secondary[kind] !== undefined;
  const flag = (f: 'atomicBatch' | 'multiProcess' | 'persistent') =>
    primary.capabilities[f] && secondary.capabilities[f];

  return {
    name,
    capabilities: {
      atomicBatch: flag('atomicBatch'),
      multiProcess: flag('multiProcess'),
      persistent: flag('persistent'),
    },
    get active() {
      return active;
    },
    probe,
    ...(both('sessions') ? { sessions: stampErrors(sessionDriver, name) } : {}),
    ...(both('messages') ? { messages: stampErrors(messageDriver, name) } : {}),
    ...(both('kv') ? { kv: stampErrors(kvDriver, name) } : {}),
    async open(openContext) {
      context = openContext;
      try {
        await onTime(openPrimary);
      } catch (error) {
        // Starting while the primary is down is what the secondary is for.
        if (!isOutage(error)) throw error;
        if (active === 'primary') switchTo('secondary', { to: 'secondary', reason: error });
      }
      await secondary.open?.(context);
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      await lifecycle.close();
    },
    async health() {
      const report = await lifecycle.health();
      return { ...report, active };
    },
    sweep: (limit, ctx) => route(async (a) => (a.sweep ? a.sweep(limit, ctx) : 0)),
  };
}
