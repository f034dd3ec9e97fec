import { systemClock } from '../clock.js';
import { CapabilityError, redactUrl, ValidationError } from '../errors.js';
import type { Clock, StowageAdapter } from '../types.js';
import { type Checkpoint, CheckpointStore } from './checkpoint.js';
import { openAdapter } from './open-adapter.js';
import { readRecords } from './read-records.js';
import { RecordWriter } from './record-writer.js';
import type { CopyPhase } from './records.js';
import { type VerifyReport, verifyCopy } from './verify.js';

/** Default number of sessions or kv entries copied per batch. */
export const DEFAULT_MIGRATE_BATCH = 500;
/** Default number of messages read and appended per call. */
export const DEFAULT_MESSAGE_CHUNK = 1000;
/** Where a migration stands, reported after every batch. */
export interface MigrationProgress {
  /** `'sessions'` (with their messages), `'kv'`, then `'verify'` when asked for. */
  phase: CopyPhase | 'verify';
  /** Items of this phase done so far (including those done before a resume). */
  done: number;
  /** Items the phase will handle, when known (sessions: the source's count at the start). */
  total?: number;
  /** Items per second in this phase, this run. */
  rate: number;
}

/** Options of `migrate`. */
export interface MigrateOptions {
  /** Sessions or kv entries per batch and checkpoint, 1–10,000 (default 500). */
  batchSize?: number;
  /** Messages per read and append, 1–10,000 (default 1000). */
  messageChunk?: number;
  /**
   * Continue after the last completed batch of a migration that stopped part-way, using the
   * checkpoint kept in the target's kv (default false: copy everything again, which is safe
   * because every write replaces what it copies).
   */
  resume?: boolean;
  /**
   * Names the source in the checkpoint, so that `resume` refuses (with a `ConfigError`) a
   * checkpoint left by a copy from a different source. Default: the source adapter's name,
   * which tells a SQLite source from a Redis one but not two SQLite files apart: pass what
   * identifies the database, such as its URL without credentials (`stowage migrate` does).
   * It is stored in the target in clear; passwords in a URL are masked before it is.
   */
  source?: string;
  /** Compare source and target after copying (default false). */
  verify?: boolean;
  /** Most differing ids a verification lists (default 100). */
  maxProblems?: number;
  /** Called after every batch. */
  onProgress?: (progress: MigrationProgress) => void;
  /** Stops the migration between batches; a later `resume: true` run continues it. */
  signal?: AbortSignal;
  /** Where `now` comes from for expiry checks (default the system clock). */
  clock?: Clock;
}

/** What a migration did. */
export interface MigrationResult {
  /** Sessions copied, in this run and any run it resumed. */
  sessions: number;
  /** Messages copied. */
  messages: number;
  /** Kv entries copied. */
  kv: number;
  /** Sessions that expired while being copied (gone on both sides). */
  expired: number;
  /** Whether the run continued from a checkpoint. */
  resumed: boolean;
  /** The verification, when `verify` was set. */
  verify?: VerifyReport;
}

function limit(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > 10_000) {
    throw new ValidationError(`${what} must be an integer from 1 to 10000, got ${String(value)}`);
  }
  return value;
}

/** Measures the rate of the current phase. */
class PhaseClock {
  private started = performance.now();
  private lastTick = this.started;

  constructor(
    private phase: CopyPhase | 'verify',
    private base: number,
  ) {}

  /** Notes that a batch of `phase` ended; `before` is the phase's count before that batch. */
  tick(phase: CopyPhase | 'verify', before: number): void {
    const now = performance.now();
    if (phase !== this.phase) {
      // The new phase began when the previous batch ended, not at its own first batch.
      this.phase = phase;
      this.started = this.lastTick;
      this.base = before;
    }
    this.lastTick = now;
  }

  rate(done: number): number {
    const seconds = (this.lastTick - this.started) / 1000;
    return seconds > 0 ? (done - this.base) / seconds : 0;
  }
}

/**
 * Copies everything live in one adapter to another, exactly: sessions (same versions,
 * timestamps, expiry, state, labels and encoded data, via `sessions.restore`), their messages,
 * and kv entries with their expiry (via `kv.getEntries`). Values are copied as encoded text, so
 * any codec works as long as both sides use the same one. Memory stays bounded: keyset pages
 * of `batchSize`, messages in chunks. After every batch a checkpoint goes to the target's kv;
 * `resume: true` continues from it after a crash or abort. With `verify`, source and target are
 * compared item by item afterwards. Both adapters are opened if needed and left open: the
 * caller closes them. Copy a quiescent source, or move live traffic with `mirrored()` first.
 *
 * @example
 * ```ts
 * import { memoryAdapter, migrate } from '@stowage/core';
 * const from = memoryAdapter();
 * const to = memoryAdapter();
 * const result = await migrate(from, to, { verify: true });
 * console.log(result.sessions, result.verify?.ok);
 * await Promise.all([from.close(), to.close()]);
 * ```
 */
export async function migrate(
  from: StowageAdapter,
  to: StowageAdapter,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  const batchSize = limit(options.batchSize, DEFAULT_MIGRATE_BATCH, 'batchSize');
  const messageChunk = limit(options.messageChunk, DEFAULT_MESSAGE_CHUNK, 'messageChunk');
  const clock = options.clock ?? systemClock;
  const { signal, onProgress } = options;
  if (from === to) throw new ValidationError('migrate needs two different adapters');
  if (from.sessions && !to.sessions?.restore) {
    throw new CapabilityError(
      `The ${to.name} adapter cannot write exact session copies (sessions.restore)`,
      { adapter: to.name },
    );
  }
  await openAdapter(from, clock);
  await openAdapter(to, clock);

  const checkpoints = to.kv ? new CheckpointStore(to.kv, clock) : undefined;
  if (options.resume && !checkpoints) {
    throw new CapabilityError(`The ${to.name} adapter has no kv to keep a checkpoint in`, {
      adapter: to.name,
    });
  }
  const source = redactUrl(options.source ?? from.name);
  const start: Checkpoint | undefined = options.resume
    ? await checkpoints?.loadFor(source)
    : undefined;
  const base = start ?? { sessions: 0, messages: 0, kv: 0 };
  const writer = new RecordWriter(to, clock, batchSize);
  const total = from.sessions ? await from.sessions.count({}, { now: clock.now() }) : 0;
  const startPhase = start?.position.phase ?? 'sessions';
  const timer = new PhaseClock(startPhase, startPhase === 'kv' ? base.kv : base.sessions);
  const done = { sessions: base.sessions, kv: base.kv };

  const records = readRecords(from, {
    batchSize,
    messageChunk,
    clock,
    start: start?.position,
    signal,
  });
  for await (const record of records) {
    if (record.kind !== 'batch') {
      await writer.write(record);
      continue;
    }
    await writer.flush();
    const phase = record.position.phase;
    timer.tick(phase, done[phase]);
    done[phase] += record.items;
    await checkpoints?.save({
      source,
      position: record.position,
      sessions: done.sessions,
      messages: base.messages + writer.counts.messages,
      kv: done.kv,
    });
    const progress: MigrationProgress = { phase, done: done[phase], rate: timer.rate(done[phase]) };
    if (phase === 'sessions') progress.total = total;
    onProgress?.(progress);
  }
  await writer.flush();
  await checkpoints?.clear();

  const result: MigrationResult = {
    sessions: done.sessions,
    messages: base.messages + writer.counts.messages,
    kv: done.kv,
    expired: writer.counts.expired,
    resumed: start !== undefined,
  };
  if (options.verify) {
    timer.tick('verify', 0);
    result.verify = await verifyCopy(from, to, {
      batchSize,
      messageChunk,
      clock,
      signal,
      maxProblems: options.maxProblems ?? 100,
      onPage: (n) => {
        timer.tick('verify', 0);
        onProgress?.({ phase: 'verify', done: n, rate: timer.rate(n) });
      },
    });
  }
  return result;
}
