import { BackendError, ConnectionError, StowageError } from '../errors.js';
import type {
  AdapterHealth,
  AdapterOpenContext,
  CallContext,
  JsonValue,
  StowageAdapter,
} from '../types.js';

/** One named part of a composition (`'cache'`, `'store'`, `'primary'`, ...). */
export interface Part {
  role: string;
  adapter: StowageAdapter;
}

/** The lifecycle members every composition delegates to all of its parts. */
export interface PartsLifecycle {
  open(context: AdapterOpenContext): Promise<void>;
  close(): Promise<void>;
  health(): Promise<AdapterHealth>;
  sweep(limit: number, ctx: CallContext): Promise<number>;
}

/**
 * The distinct adapters among `parts` (one adapter may fill several roles, as when `routed`
 * keeps sessions and kv on one backend): each is opened, closed and swept once.
 */
export function distinctParts(parts: readonly Part[]): Part[] {
  const seen = new Map<StowageAdapter, Part>();
  for (const part of parts) {
    const known = seen.get(part.adapter);
    if (known) known.role = `${known.role}+${part.role}`;
    else seen.set(part.adapter, { ...part });
  }
  return [...seen.values()];
}

/** A name for a composition that shows its parts, for example `tiered(redis,postgres)`. */
export function compositeName(kind: string, parts: readonly Part[]): string {
  return `${kind}(${distinctParts(parts)
    .map((p) => p.adapter.name)
    .join(',')})`;
}

/** Health of one part as reported by a composition. */
export function partHealth(part: Part, result: PromiseSettledResult<AdapterHealth>): JsonValue {
  if (result.status === 'fulfilled') {
    return { ok: true, role: part.role, adapter: part.adapter.name, ...result.value };
  }
  const error = result.reason;
  return {
    ok: false,
    role: part.role,
    adapter: part.adapter.name,
    code: error instanceof StowageError ? error.code : 'BACKEND',
    error: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Lifecycle over several adapters. `open` opens each part not yet open (a failed open is
 * retried by the runtime, and parts that did open are not opened twice); `close` closes every
 * part even when one fails, then reports the first failure; `health` probes all parts and
 * fails when one that `required` names is down, listing each part's state; `sweep` sweeps the
 * parts in turn within one overall `limit`.
 */
export function partsLifecycle(
  name: string,
  parts: readonly Part[],
  required: (part: Part) => boolean = () => true,
): PartsLifecycle {
  const all = distinctParts(parts);
  const opened = new Set<StowageAdapter>();
  return {
    async open(context) {
      for (const { adapter } of all) {
        if (opened.has(adapter)) continue;
        await adapter.open?.(context);
        opened.add(adapter);
      }
    },
    async close() {
      const results = await Promise.allSettled(all.map((p) => p.adapter.close()));
      opened.clear();
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        throw failed.reason instanceof StowageError
          ? failed.reason
          : new BackendError(`closing a part of ${name} failed`, {
              adapter: name,
              cause: failed.reason,
            });
      }
    },
    async health() {
      const results = await Promise.allSettled(
        all.map((p) => (p.adapter.health ? p.adapter.health() : Promise.resolve({}))),
      );
      const report: Record<string, JsonValue> = {};
      const down: string[] = [];
      all.forEach((part, i) => {
        const result = results[i] as PromiseSettledResult<AdapterHealth>;
        report[part.role] = partHealth(part, result);
        if (result.status === 'rejected' && required(part)) down.push(part.role);
      });
      if (down.length > 0) {
        throw new ConnectionError(
          `${name}: ${down.join(', ')} unhealthy: ${JSON.stringify(report)}`,
          {
            adapter: name,
            cause: results.find((r) => r.status === 'rejected')?.reason,
          },
        );
      }
      return { parts: report };
    },
    async sweep(limit, ctx) {
      let removed = 0;
      for (const { adapter } of all) {
        if (!adapter.sweep || removed >= limit) continue;
        removed += await adapter.sweep(limit - removed, ctx);
      }
      return removed;
    },
  };
}

/**
 * A plain object with every method of `driver` (own or inherited, as when a driver is a class)
 * replaced by `wrap(call)`, where `call` runs the original method with the same arguments.
 */
export function wrapMethods<T extends object>(
  driver: T,
  wrap: (call: () => Promise<unknown>) => Promise<unknown>,
): T {
  const wrapped: Record<string, unknown> = {};
  for (let o: object | null = driver; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      const method = (driver as Record<string, unknown>)[key];
      if (key === 'constructor' || key in wrapped || typeof method !== 'function') continue;
      wrapped[key] = (...args: unknown[]) =>
        wrap(async () => (method as (...a: unknown[]) => Promise<unknown>).apply(driver, args));
    }
  }
  return wrapped as T;
}

/**
 * Makes every method of a driver stamp the composition's name on the Stowage errors it
 * throws. A part's error names the part, but callers (and the contract) expect the adapter
 * they handed to `createStorage`; the part stays visible in the message and `cause` chain.
 */
export function stampErrors<T extends object>(driver: T, name: string): T {
  return wrapMethods(driver, async (call) => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StowageError) error.adapter = name;
      throw error;
    }
  });
}
