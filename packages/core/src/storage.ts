import { z } from 'zod';
import { systemClock } from './clock.js';
import { type Codec, jsonCodec } from './codec.js';
import { Encoder } from './encoder.js';
import { ConfigError, StowageError } from './errors.js';
import { KvApi } from './kv.js';
import { MessagesApi } from './messages.js';
import { OperationObserver } from './observability/operation-observer.js';
import type { StorageStats } from './observability/operation-stats.js';
import type { TracerLike } from './observability/tracer.js';
import { type MessageHandler, PubSubHub, type SubscriberErrorHandler } from './pubsub.js';
import { openQueue, type Queue } from './queues.js';
import { AdapterRuntime, nameErrors, type OperationEvent } from './runtime.js';
import { SessionsApi } from './sessions.js';
import type { AdapterCapabilities, Clock, JsonValue, StowageAdapter, Ttl } from './types.js';
import { adapterFromUrl, schemeOf } from './url.js';
import { durationOption } from './validate.js';

/** Default deadline of every call: 5 seconds. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Default size limit of one value: 16 MiB. */
export const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;

/** Options of `createStorage`. */
export interface StorageOptions {
  /** The adapter to use. Give either `adapter` or `url`. */
  adapter?: StowageAdapter;
  /**
   * A connection URL resolved to an adapter package on first use: `memory:`,
   * `sqlite:./data/app.db`, `file:./data`, `postgres://...`, `redis://...`.
   */
  url?: string;
  /** Isolates apps that share one backend. Only with `url`; adapters take it as their own option. */
  namespace?: string;
  /** Options passed to the adapter factory along with `url`. */
  adapterOptions?: Record<string, unknown>;
  /** Deadline of every call in ms or as a duration string (default 5 s). */
  timeout?: Ttl;
  /** Largest value (session data, message, kv value) in bytes of JSON (default 16 MiB). */
  maxValueBytes?: number;
  /** Transforms values at rest, for example `encrypted(...)` (default: plain JSON). */
  codec?: Codec;
  /** Default TTL of sessions saved without one (default: no expiry). */
  sessionTtl?: Ttl | null;
  /** Where time comes from (default: `Date.now`). Inject a `manualClock()` in tests. */
  clock?: Clock;
  /** Called after every operation with its name, adapter, duration and outcome. */
  onOperation?: (event: OperationEvent) => void;
  /**
   * An OpenTelemetry tracer, such as `trace.getTracer('my-app')` (default: no spans). Every
   * operation then runs in a `stowage.<operation>` span carrying the adapter, operation and
   * outcome, never ids or values.
   */
  tracer?: TracerLike;
  /**
   * Receives errors thrown by pub/sub handlers (and messages that fail to decode). Default:
   * a process warning. Either way the other handlers keep running.
   */
  onError?: SubscriberErrorHandler;
}

/** Result of `storage.health()`. */
export interface HealthReport {
  /** Whether the backend answered. */
  ok: boolean;
  /** Round-trip time of the probe in ms. */
  latencyMs: number;
  /** Adapter name, its report, or the error that made the probe fail. */
  details: { adapter: string; [key: string]: JsonValue };
}

/**
 * The facade an application uses: sessions, messages, kv, queues and pub/sub over one adapter, with
 * validation, encoding, deadlines and retries done once for every backend.
 */
export interface Storage {
  /** Sessions: versioned JSON documents with TTL, state and labels. */
  readonly sessions: SessionsApi;
  /** Append-only message history per session. */
  readonly messages: MessagesApi;
  /** Key-value entries with TTL, counters and set-if-absent. */
  readonly kv: KvApi;
  /** The job queue `name` (validated as an id); the adapter must offer queues. */
  queue<T = JsonValue>(name: string): Queue<T>;
  /** Sends a JSON message to every current subscriber of `channel` (at most once each). */
  publish<T = JsonValue>(channel: string, message: T): Promise<void>;
  /**
   * Calls `handler` with every message published on `channel` from the moment this resolves,
   * until the returned function is called or the storage is closed.
   */
  subscribe<T = JsonValue>(
    channel: string,
    handler: MessageHandler<T>,
  ): Promise<() => Promise<void>>;
  /** The adapter's name (the URL scheme until the adapter has been loaded). */
  readonly adapterName: string;
  /** The adapter's capabilities; connects first if needed. */
  capabilities(): Promise<AdapterCapabilities>;
  /** Probes the backend; never throws. */
  health(): Promise<HealthReport>;
  /** Removes up to `limit` expired items now (default 1000); returns how many. */
  sweep(options?: { limit?: number }): Promise<number>;
  /**
   * Operation counts, errors by code, latency percentiles and calls in flight since the storage
   * was created. Kept in fixed memory, so it is always on.
   */
  stats(): StorageStats;
  /** Waits for in-flight calls, then releases the backend. Idempotent. */
  close(): Promise<void>;
}

/** How errors in `createStorage` options begin. */
const STORAGE_OPTIONS = 'Invalid storage options';

const clockSchema = z.custom<Clock>(
  (value) => typeof (value as Partial<Clock> | null)?.now === 'function',
  'must be an object with a now() method',
);
const codecSchema = z.custom<Codec>((value) => {
  const codec = value as Partial<Codec> | null;
  return typeof codec?.encode === 'function' && typeof codec.decode === 'function';
}, 'must be a codec with encode() and decode()');
const adapterSchema = z.custom<StowageAdapter>((value) => {
  const adapter = value as Partial<StowageAdapter> | null;
  return typeof adapter?.name === 'string' && typeof adapter.close === 'function';
}, 'must be a Stowage adapter (an object with name and close())');
const ttlSchema = z.union([z.number(), z.string()]);

const optionsSchema = z
  .object({
    adapter: adapterSchema.optional(),
    url: z.string().min(1).optional(),
    namespace: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_]{0,47}$/,
        'must be a letter followed by up to 47 letters, digits or _',
      )
      .optional(),
    adapterOptions: z.record(z.string(), z.unknown()).optional(),
    timeout: ttlSchema.optional(),
    maxValueBytes: z
      .number()
      .int()
      .positive()
      .max(512 * 1024 * 1024)
      .optional(),
    codec: codecSchema.optional(),
    sessionTtl: ttlSchema.nullable().optional(),
    clock: clockSchema.optional(),
    onOperation: z
      .custom<(event: OperationEvent) => void>((v) => typeof v === 'function')
      .optional(),
    onError: z.custom<SubscriberErrorHandler>((v) => typeof v === 'function').optional(),
    tracer: z
      .custom<TracerLike>(
        (v) => typeof (v as Partial<TracerLike> | null)?.startActiveSpan === 'function',
        'must be an OpenTelemetry tracer (with startActiveSpan())',
      )
      .optional(),
  })
  .strict()
  .refine((o) => (o.adapter === undefined) !== (o.url === undefined), {
    message: 'give exactly one of adapter or url',
  })
  .refine((o) => o.namespace === undefined || o.url !== undefined, {
    message:
      'namespace goes with url; when passing an adapter, set namespace in the adapter options',
    path: ['namespace'],
  });

function parseOptions(options: StorageOptions): StorageOptions {
  const result = optionsSchema.safeParse(options);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? `options.${issue.path.join('.')}` : 'options';
      return `${path}: ${issue.message}`;
    });
    throw new ConfigError(`${STORAGE_OPTIONS}: ${problems.join('; ')}`);
  }
  return options;
}

function isAdapter(value: unknown): value is StowageAdapter {
  return typeof value === 'object' && value !== null && 'capabilities' in value && 'close' in value;
}

/**
 * Creates a `Storage` over an adapter, a URL, or full options. Nothing connects until the first
 * call; a failed connection is retried on the next call.
 *
 * @example
 * ```ts
 * import { createStorage, memoryAdapter } from '@stowage/core';
 * const storage = createStorage(memoryAdapter());             // or createStorage('sqlite:./app.db')
 * await storage.sessions.save({ id: 'c1', data: { topic: 'hello' } }, { ttl: '30m' });
 * await storage.messages.append('c1', [{ role: 'user', text: 'Hi!' }]);
 * console.log(await storage.messages.range('c1'));
 * await storage.close();
 * ```
 */
export function createStorage(
  target: StowageAdapter | string | StorageOptions,
  options: Omit<StorageOptions, 'adapter' | 'url'> = {},
): Storage {
  let merged: StorageOptions;
  if (typeof target === 'string') merged = { ...options, url: target };
  else if (isAdapter(target)) merged = { ...options, adapter: target };
  else if (typeof target === 'object' && target !== null) merged = { ...target, ...options };
  else throw new ConfigError('createStorage takes an adapter, a URL string or an options object');
  const opts = parseOptions(merged);

  const clock = opts.clock ?? systemClock;
  const timeoutMs =
    opts.timeout === undefined
      ? DEFAULT_TIMEOUT_MS
      : durationOption(opts.timeout, 'timeout', STORAGE_OPTIONS);
  const sessionTtl =
    opts.sessionTtl === undefined || opts.sessionTtl === null
      ? null
      : durationOption(opts.sessionTtl, 'sessionTtl', STORAGE_OPTIONS);
  const encoder = new Encoder(
    opts.codec ?? jsonCodec,
    opts.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
  );

  const { adapter, url } = opts;
  const resolve = adapter
    ? async () => adapter
    : () => adapterFromUrl(url as string, { ...opts.adapterOptions, namespace: opts.namespace });
  const observer = new OperationObserver(opts.onOperation, opts.tracer);
  const runtime = new AdapterRuntime(
    resolve,
    { clock, timeoutMs, observer },
    adapter?.name ?? schemeOf(url as string),
  );

  const hub = nameErrors(new PubSubHub(runtime, encoder, opts.onError), runtime);

  return {
    sessions: nameErrors(new SessionsApi(runtime, encoder, sessionTtl), runtime),
    messages: nameErrors(new MessagesApi(runtime, encoder), runtime),
    kv: nameErrors(new KvApi(runtime, encoder), runtime),
    queue: <T = JsonValue>(name: string) => openQueue<T>(runtime, encoder, name),
    publish: (channel, message) => hub.publish(channel, message),
    subscribe: (channel, handler) => hub.subscribe(channel, handler),
    get adapterName() {
      return runtime.name;
    },
    capabilities: () => runtime.run('capabilities', async (a) => ({ ...a.capabilities })),
    async health(): Promise<HealthReport> {
      const started = performance.now();
      try {
        const details = await runtime.run('health', async (a) => (a.health ? a.health() : {}));
        return {
          ok: true,
          latencyMs: performance.now() - started,
          details: { ...details, adapter: runtime.name },
        };
      } catch (error) {
        const code = error instanceof StowageError ? error.code : 'BACKEND';
        const message = error instanceof Error ? error.message : String(error);
        return {
          ok: false,
          latencyMs: performance.now() - started,
          details: { adapter: runtime.name, code, error: message },
        };
      }
    },
    async sweep({ limit = 1000 } = {}) {
      return runtime.run('sweep', async (a, ctx) => (a.sweep ? a.sweep(limit, ctx) : 0));
    },
    stats: () => observer.stats.snapshot(runtime.inFlightCount),
    async close() {
      // Subscriptions end first: closing the adapter under them would drop them uncleanly.
      await hub.close();
      await runtime.close();
    },
  };
}
