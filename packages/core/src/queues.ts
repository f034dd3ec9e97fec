import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Encoder } from './encoder.js';
import { StowageError, ValidationError } from './errors.js';
import { type AdapterRuntime, driverOf, nameErrors } from './runtime.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './sessions.js';
import type {
  CallContext,
  JsonValue,
  LeasedJob,
  Page,
  QueueDriver,
  QueueSizes,
  Ttl,
} from './types.js';
import { parseTtl, validateId, validateIds, validateInteger } from './validate.js';

/** Default lease of a dequeued job: 30 seconds. */
export const DEFAULT_VISIBILITY_MS = 30_000;
/** Default number of deliveries before a job moves to the dead-letter list. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Most deliveries a job may be allowed. */
export const MAX_ATTEMPTS_LIMIT = 1000;

/** Options of `queue.enqueue`. */
export interface EnqueueOptions {
  /** Wait before the job becomes available, in ms or as a duration (default 0: at once). */
  delay?: Ttl;
  /** Deliveries before the job moves to the dead-letter list, 1–1000 (default 5). */
  maxAttempts?: number;
  /** Job id; a job with this id already in the queue makes the call a no-op (default: a UUID). */
  id?: string;
}

/** Most jobs one `enqueueMany` call accepts, so a single backend statement or script stays bounded. */
export const MAX_ENQUEUE_BATCH = 10_000;

/** One job of `queue.enqueueMany`: its payload plus the options `enqueue` takes. */
export interface EnqueueJob<T = JsonValue> extends EnqueueOptions {
  /** The job's payload. */
  payload: T;
}

/** Options of `queue.enqueueMany` that apply to every job lacking its own value. */
export interface EnqueueManyOptions {
  /** Wait before each job becomes available (default 0: at once). */
  delay?: Ttl;
  /** Deliveries before a job moves to the dead-letter list, 1–1000 (default 5). */
  maxAttempts?: number;
}

/** Options of `queue.dequeue`. */
export interface DequeueOptions {
  /** How long the job stays hidden from other workers before redelivery (default 30 s). */
  visibility?: Ttl;
  /** How long to poll for a job when none is ready (default 0: answer at once). */
  wait?: Ttl;
}

/** A job on the dead-letter list. */
export interface DeadLetter<T = JsonValue> {
  /** The job id. */
  id: string;
  /** The job's payload. */
  payload: T;
  /** Deliveries made before the job was given up. */
  attempts: number;
  /** When it moved to the dead-letter list (epoch ms). */
  failedAt: number;
}

/**
 * One delivery of a job to this worker. Settle it with `ack()` when done or `nack()` to retry;
 * calls through a delivery whose lease ended fail with `LeaseLostError`.
 */
export interface Job<T = JsonValue> {
  /** The job id. */
  readonly id: string;
  /** The job's payload. */
  readonly payload: T;
  /** Deliveries so far, this one included. */
  readonly attempts: number;
  /** Deliveries allowed before the job is dead-lettered. */
  readonly maxAttempts: number;
  /** When this delivery's lease ends (epoch ms); `extend` moves it. */
  readonly visibleUntil: number;
  /** Removes the job: it is done. */
  ack(): Promise<void>;
  /**
   * Gives the job back for another attempt after `delay` (default 0), or to the dead-letter
   * list when it has used its attempts. Resolves to which happened.
   */
  nack(options?: { delay?: Ttl }): Promise<'queued' | 'dead'>;
  /** Keeps the job hidden for `visibility` more from now. */
  extend(visibility: Ttl): Promise<void>;
}

function optionalDelay(value: Ttl | undefined, what: string): number {
  return value === undefined || value === 0 ? 0 : parseTtl(value, what);
}

/**
 * A named job queue: at-least-once delivery with leases (a job not acknowledged before its
 * visibility timeout is delivered again), delays, retries and a dead-letter list.
 *
 * @example
 * ```ts
 * const emails = storage.queue('emails');
 * await emails.enqueue({ to: 'ada@example.com' }, { delay: '10s', maxAttempts: 3 });
 * const job = await emails.dequeue({ visibility: '1m' });
 * if (job) await job.ack();
 * ```
 */
export class Queue<T = JsonValue> {
  /** @internal */
  constructor(
    private readonly runtime: AdapterRuntime,
    private readonly encoder: Encoder,
    /** The queue name. */
    readonly name: string,
  ) {}

  /** Adds a job and returns its id. */
  async enqueue(payload: T, options: EnqueueOptions = {}): Promise<string> {
    const job = this.prepare(payload, options, '');
    await this.run('queue.enqueue', (d, ctx) =>
      d.enqueue(
        this.name,
        [
          {
            id: job.id,
            payload: job.payload,
            availableAt: ctx.now + job.delay,
            maxAttempts: job.maxAttempts,
          },
        ],
        ctx,
      ),
    );
    return job.id;
  }

  /**
   * Adds up to 10,000 jobs in one backend call and returns their ids in input order. Each item
   * is `{ payload, id?, delay?, maxAttempts? }`; `defaults` fill in what an item leaves out. A
   * list of bare payloads is `payloads.map((payload) => ({ payload }))`: the wrapper is required
   * because a payload may itself have a `payload` field. Every item is validated before any I/O,
   * and one id twice in the list is a `ValidationError`; an id already in the queue is skipped,
   * as with `enqueue`.
   *
   * @example
   * ```ts
   * const ids = await storage.queue('emails').enqueueMany(
   *   [{ payload: { to: 'ada@example.com' } }, { payload: { to: 'alan@example.com' }, delay: '1m' }],
   *   { maxAttempts: 3 },
   * );
   * ```
   */
  async enqueueMany(
    jobs: readonly EnqueueJob<T>[],
    defaults: EnqueueManyOptions = {},
  ): Promise<string[]> {
    if (!Array.isArray(jobs)) throw new ValidationError('jobs must be an array');
    if (jobs.length > MAX_ENQUEUE_BATCH) {
      throw new ValidationError(
        `enqueueMany takes at most ${MAX_ENQUEUE_BATCH} jobs per call, got ${jobs.length}`,
      );
    }
    const seen = new Set<string>();
    const prepared = jobs.map((item: unknown, index) => {
      const at = `jobs[${index}]`;
      if (typeof item !== 'object' || item === null || !Object.hasOwn(item, 'payload')) {
        throw new ValidationError(`${at} must be an object with a payload`);
      }
      const job = item as EnqueueJob<T>;
      const options: EnqueueOptions = {
        delay: job.delay ?? defaults.delay,
        maxAttempts: job.maxAttempts ?? defaults.maxAttempts,
      };
      if (job.id !== undefined) options.id = job.id;
      const checked = this.prepare(job.payload, options, `${at}.`);
      if (seen.has(checked.id)) {
        throw new ValidationError(`jobs contains the id ${JSON.stringify(checked.id)} twice`);
      }
      seen.add(checked.id);
      return checked;
    });
    if (prepared.length === 0) return [];
    await this.run('queue.enqueueMany', (d, ctx) =>
      d.enqueue(
        this.name,
        prepared.map((job) => ({
          id: job.id,
          payload: job.payload,
          availableAt: ctx.now + job.delay,
          maxAttempts: job.maxAttempts,
        })),
        ctx,
      ),
    );
    return prepared.map((job) => job.id);
  }

  /** Leases the next ready job, or returns null when none is ready (after `wait`, if given). */
  async dequeue(options: DequeueOptions = {}): Promise<Job<T> | null> {
    const visibility = parseTtl(options.visibility ?? DEFAULT_VISIBILITY_MS, 'visibility');
    const wait = optionalDelay(options.wait, 'wait');
    const until = performance.now() + wait;
    let pause = 10;
    for (;;) {
      const [leased] = await this.run('queue.dequeue', (d, ctx) =>
        d.dequeue(this.name, { visibleUntil: ctx.now + visibility, limit: 1 }, ctx),
      );
      if (leased) return this.toJob(leased);
      const left = until - performance.now();
      if (left <= 0) return null;
      // Polling keeps every backend on the same primitives; the pause grows to spare the backend.
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(pause * 2, 250);
    }
  }

  /** Job counts by state: ready, delayed, leased and dead. */
  async size(): Promise<QueueSizes> {
    return this.run('queue.size', (d, ctx) => d.size(this.name, ctx));
  }

  /** One page of dead-lettered jobs, oldest failure first. */
  async deadLetters(query: { limit?: number; cursor?: string } = {}): Promise<Page<DeadLetter<T>>> {
    const limit = validateInteger(query.limit ?? DEFAULT_PAGE_SIZE, 'limit', {
      min: 1,
      max: MAX_PAGE_SIZE,
    });
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const found = await this.run('queue.deadLetters', (d, ctx) =>
      d.deadLetters(this.name, after ? { limit: limit + 1, after } : { limit: limit + 1 }, ctx),
    );
    const items = found.slice(0, limit).map((job) => ({
      id: job.id,
      payload: this.decode(job.payload, job.id),
      attempts: job.attempts,
      failedAt: job.failedAt,
    }));
    const last = found.length > limit ? items[items.length - 1] : undefined;
    return {
      items,
      cursor: last ? encodeCursor({ createdAt: last.failedAt, id: last.id }) : null,
    };
  }

  /** Moves dead-lettered jobs back to the queue with fresh attempts; returns how many moved. */
  async replay(ids: readonly string[]): Promise<number> {
    const checked = validateIds(ids, 'ids', true);
    if (checked.length === 0) return 0;
    return this.run('queue.replay', (d, ctx) => d.replay(this.name, checked, ctx));
  }

  /** Validates and encodes one job before any I/O; `at` prefixes error messages in batches. */
  private prepare(
    payload: T,
    options: EnqueueOptions,
    at: string,
  ): { id: string; payload: string; delay: number; maxAttempts: number } {
    return {
      id: options.id === undefined ? randomUUID() : validateId(options.id, `${at}job id`),
      delay: optionalDelay(options.delay, `${at}delay`),
      maxAttempts: validateInteger(
        options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        `${at}maxAttempts`,
        { min: 1, max: MAX_ATTEMPTS_LIMIT },
      ),
      payload: this.encoder.encode(payload, `${at}payload`),
    };
  }

  private toJob(leased: LeasedJob): Job<T> {
    const { id, token } = leased;
    const payload = this.decode(leased.payload, id);
    let visibleUntil = leased.visibleUntil;
    const run = this.run.bind(this);
    const name = this.name;
    const job: Job<T> = {
      id,
      payload,
      attempts: leased.attempts,
      maxAttempts: leased.maxAttempts,
      get visibleUntil() {
        return visibleUntil;
      },
      ack: () => run('job.ack', (d, ctx) => d.ack(name, id, token, ctx)),
      nack: (options = {}) =>
        run('job.nack', (d, ctx) =>
          d.nack(name, id, token, ctx.now + optionalDelay(options.delay, 'delay'), ctx),
        ),
      extend: (visibility) =>
        run('job.extend', async (d, ctx) => {
          const ms = parseTtl(visibility, 'visibility');
          await d.extend(name, id, token, ctx.now + ms, ctx);
          visibleUntil = ctx.now + ms;
        }),
    };
    return job;
  }

  private decode(stored: string, id: string): T {
    return this.encoder.decode<T>(
      stored,
      () => `job ${JSON.stringify(id)} of queue ${JSON.stringify(this.name)}`,
    );
  }

  private async run<R>(
    op: string,
    fn: (driver: QueueDriver, ctx: CallContext) => Promise<R>,
  ): Promise<R> {
    try {
      return await this.runtime.run(op, (adapter, ctx) => fn(driverOf(adapter, 'queues'), ctx));
    } catch (error) {
      if (error instanceof StowageError) error.adapter ??= this.runtime.name;
      throw error;
    }
  }
}

/** Builds the facade of one queue, validating its name. */
export function openQueue<T>(runtime: AdapterRuntime, encoder: Encoder, name: string): Queue<T> {
  try {
    validateId(name, 'queue name');
  } catch (error) {
    if (error instanceof ValidationError) error.adapter ??= runtime.name;
    throw error;
  }
  return nameErrors(new Queue<T>(runtime, encoder, name), runtime);
}
