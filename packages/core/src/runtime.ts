import { Deadlines } from './deadlines.js';
import {
  BackendError,
  CapabilityError,
  ClosedError,
  ConfigError,
  StowageError,
  TimeoutError,
} from './errors.js';
import type { OperationObserver } from './observability/operation-observer.js';
import type { CallContext, Clock, StowageAdapter } from './types.js';

/** One finished storage operation, reported to the `onOperation` hook. */
export interface OperationEvent {
  /** Operation name, for example `'sessions.get'` or `'kv.increment'`. */
  op: string;
  /** Adapter name. */
  adapter: string;
  /** Wall time of the call in milliseconds, including waiting for the connection. */
  ms: number;
  /** Whether the call succeeded. */
  ok: boolean;
  /** The error code when it failed. */
  code?: string;
}

/** Settings of an `AdapterRuntime`. */
export interface RuntimeSettings {
  clock: Clock;
  timeoutMs: number;
  /** Times every call for the `onOperation` hook, `stats()` and tracing. */
  observer: OperationObserver;
}

const claimed = new WeakSet<StowageAdapter>();

/**
 * Runs adapter calls: opens the adapter once (lazily, again after a failed open), puts a
 * deadline on every call, turns foreign errors into `StowageError`s that name the adapter,
 * tracks in-flight calls so `close()` can wait for them, and reports timings.
 */
export class AdapterRuntime {
  private adapter: StowageAdapter | undefined;
  private opening: Promise<StowageAdapter> | undefined;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  /** One ticker for every call's deadline; a call fails at most 250 ms after it. */
  private readonly deadlines = new Deadlines(250);

  constructor(
    private readonly resolve: () => Promise<StowageAdapter>,
    private readonly settings: RuntimeSettings,
    /** Name used before the adapter is resolved (the URL scheme). */
    public name: string,
  ) {}

  /** The opened adapter, if any. */
  get current(): StowageAdapter | undefined {
    return this.adapter;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Calls started and not yet finished. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Runs `fn` against the open adapter within the deadline. */
  run<T>(op: string, fn: (adapter: StowageAdapter, ctx: CallContext) => Promise<T>): Promise<T> {
    if (this.closing) {
      return Promise.reject(
        new ClosedError(`Storage is closed; ${op} was refused`, { adapter: this.name }),
      );
    }
    return this.settings.observer.observe(op, this, () => this.execute(op, fn));
  }

  /**
   * One promise per call that settles with the adapter's outcome or the deadline's, whichever
   * comes first, and ends the call exactly once. Plain callbacks rather than async/await or a
   * chain of `then`s: this runs on every call, and each extra promise costs a microtask turn.
   */
  private execute<T>(
    op: string,
    fn: (adapter: StowageAdapter, ctx: CallContext) => Promise<T>,
  ): Promise<T> {
    this.inFlight++;
    const ms = this.settings.timeoutMs;
    const task = this.adapter
      ? this.invoke(this.adapter, fn)
      : this.open().then((adapter) => this.invoke(adapter, fn));
    return new Promise<T>((resolve, reject) => {
      const deadline = this.deadlines.add(ms, () => {
        this.settle();
        reject(
          new TimeoutError(`${op} did not finish within ${ms} ms`, ms, { adapter: this.name }),
        );
      });
      task.then(
        (value) => {
          if (!this.deadlines.remove(deadline)) return;
          this.settle();
          resolve(value);
        },
        (error: unknown) => {
          if (!this.deadlines.remove(deadline)) return;
          this.settle();
          reject(this.normalize(error, op));
        },
      );
    });
  }

  private invoke<T>(
    adapter: StowageAdapter,
    fn: (adapter: StowageAdapter, ctx: CallContext) => Promise<T>,
  ): Promise<T> {
    try {
      return fn(adapter, { now: this.settings.clock.now() });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.drained?.();
  }

  /** Closes the adapter once, after in-flight calls have settled. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => {
          this.drained = resolve;
        });
        // Let the callers' own continuations of those calls run before the adapter goes away.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const adapter =
        this.adapter ?? (this.opening ? await this.opening.catch(() => undefined) : undefined);
      if (adapter) await adapter.close();
    })();
    return this.closing;
  }

  private open(): Promise<StowageAdapter> {
    this.opening ??= (async () => {
      try {
        const adapter = await this.resolve();
        this.name = adapter.name;
        if (claimed.has(adapter)) {
          throw new ConfigError(
            `This ${adapter.name} adapter instance already belongs to another storage; create one adapter per storage`,
            { adapter: adapter.name },
          );
        }
        await adapter.open?.({ clock: this.settings.clock, timeoutMs: this.settings.timeoutMs });
        claimed.add(adapter);
        this.adapter = adapter;
        return adapter;
      } catch (error) {
        this.opening = undefined;
        throw error;
      }
    })();
    return this.opening;
  }

  private normalize(error: unknown, op: string): StowageError {
    if (error instanceof StowageError) {
      error.adapter ??= this.name;
      return error;
    }
    const message = error instanceof Error ? error.message : String(error);
    return new BackendError(`${op} failed in the ${this.name} adapter: ${message}`, {
      adapter: this.name,
      cause: error,
    });
  }
}

const KIND_NAMES = {
  sessions: 'sessions',
  messages: 'messages',
  kv: 'key-value entries',
  queues: 'job queues',
  pubsub: 'pub/sub channels',
} as const;

/** The adapter's driver for one kind of data, or a `CapabilityError` when it has none. */
export function driverOf<K extends keyof typeof KIND_NAMES>(
  adapter: StowageAdapter,
  kind: K,
): NonNullable<StowageAdapter[K]> {
  const driver = adapter[kind];
  if (!driver) {
    throw new CapabilityError(`The ${adapter.name} adapter does not store ${KIND_NAMES[kind]}`, {
      adapter: adapter.name,
    });
  }
  return driver as NonNullable<StowageAdapter[K]>;
}

/**
 * Makes every method of a facade API stamp the adapter's name on the Stowage errors it throws,
 * including validation errors raised before the call reaches the adapter.
 */
export function nameErrors<T extends object>(api: T, runtime: AdapterRuntime): T {
  const proto = Object.getPrototypeOf(api) as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(proto)) {
    const method = proto[key];
    if (
      key === 'constructor' ||
      typeof method !== 'function' ||
      method.constructor.name !== 'AsyncFunction'
    ) {
      continue;
    }
    Object.defineProperty(api, key, {
      value: (...args: unknown[]) =>
        (method as (...a: unknown[]) => Promise<unknown>)
          .apply(api, args)
          .catch((error: unknown) => {
            if (error instanceof StowageError) error.adapter ??= runtime.name;
            throw error;
          }),
    });
  }
  return api;
}
