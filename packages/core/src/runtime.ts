import {
  BackendError,
  CapabilityError,
  ClosedError,
  ConfigError,
  StowageError,
  TimeoutError,
} from './errors.js';
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
  onOperation: ((event: OperationEvent) => void) | undefined;
}

const claimed = new WeakSet<StowageAdapter>();

/** A call waiting for its adapter, with the moment (performance.now) its deadline passes. */
interface PendingCall {
  op: string;
  deadline: number;
  reject: (error: TimeoutError) => void;
}

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
  private readonly pending = new Set<PendingCall>();
  private ticker: NodeJS.Timeout | undefined;

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

  /** Runs `fn` against the open adapter within the deadline. */
  async run<T>(
    op: string,
    fn: (adapter: StowageAdapter, ctx: CallContext) => Promise<T>,
  ): Promise<T> {
    if (this.closing)
      throw new ClosedError(`Storage is closed; ${op} was refused`, { adapter: this.name });
    const hook = this.settings.onOperation;
    const started = hook ? performance.now() : 0;
    this.inFlight++;
    let failure: StowageError | undefined;
    try {
      return await this.withDeadline(op, async () => {
        const adapter = this.adapter ?? (await this.open());
        return fn(adapter, { now: this.settings.clock.now() });
      });
    } catch (error) {
      failure = this.normalize(error, op);
      throw failure;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
      if (hook) this.report(hook, op, performance.now() - started, failure);
    }
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

  // One ticker per storage enforces every call's deadline: a timer per call cost more than the
  // rest of the facade's work put together. A call fails at most one tick after its deadline.
  private withDeadline<T>(op: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = {
        op,
        deadline: performance.now() + this.settings.timeoutMs,
        reject,
      };
      this.pending.add(call);
      this.ticker ??= this.startTicker();
      task().then(
        (value) => {
          this.pending.delete(call);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(call);
          reject(error);
        },
      );
    });
  }

  private startTicker(): NodeJS.Timeout {
    const ms = this.settings.timeoutMs;
    const ticker = setInterval(
      () => {
        const now = performance.now();
        for (const call of this.pending) {
          if (call.deadline > now) continue;
          this.pending.delete(call);
          call.reject(
            new TimeoutError(`${call.op} did not finish within ${ms} ms`, ms, {
              adapter: this.name,
            }),
          );
        }
        if (this.pending.size === 0) {
          clearInterval(ticker);
          this.ticker = undefined;
        }
      },
      Math.max(1, Math.min(250, Math.ceil(ms / 10))),
    );
    // Pending I/O keeps the process alive; the ticker alone must not.
    ticker.unref();
    return ticker;
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

  private report(
    hook: (event: OperationEvent) => void,
    op: string,
    ms: number,
    failure: StowageError | undefined,
  ): void {
    const event: OperationEvent = { op, adapter: this.name, ms, ok: failure === undefined };
    if (failure) event.code = failure.code;
    try {
      hook(event);
    } catch (error) {
      // A broken metrics hook must not fail the storage call it reports on.
      process.emitWarning(`Stowage onOperation hook threw: ${String(error)}`, 'StowageWarning');
    }
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
