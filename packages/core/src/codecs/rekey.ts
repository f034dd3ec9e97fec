import { isCounterText } from '../adapter-kit.js';
import { systemClock } from '../clock.js';
import { ConfigError, ConflictError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS } from '../storage.js';
import type {
  CallContext,
  Clock,
  KvDriver,
  KvWrite,
  ListPosition,
  MessageDriver,
  SessionDriver,
  StoredSession,
  StowageAdapter,
} from '../types.js';
import { isRotatingCodec, type RotatingCodec } from './rotating-codec.js';

/** Options of `rekey`. */
export interface RekeyOptions {
  /** Sessions, kv keys or messages read per round trip, 1-1000 (default 100). */
  batchSize?: number;
  /** Conditional rewrites tried per session when concurrent saves keep winning (default 5). */
  retries?: number;
  /** Also scan message histories to count messages left under old keys (default `true`). */
  countMessages?: boolean;
  /**
   * Rewrite kv entries too (default `false`: count them only). Needs an adapter whose kv driver
   * offers `getEntries`, so expiries are kept. Kv has no conditional write, so a write that lands
   * between rekey's read and its rewrite of the same key is lost: use it while writers are quiet.
   */
  rewriteKv?: boolean;
  /** Called after every batch with running totals. */
  onProgress?: (progress: RekeyProgress) => void;
  /** Stops the run between batches; `rekey` then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Clock handed to the adapter (default `Date.now`). */
  clock?: Clock;
  /** Per-call deadline handed to the adapter when it opens, in ms (default 5000). */
  timeoutMs?: number;
}

/** Running totals reported by `rekey` after every batch. */
export interface RekeyProgress {
  /** The kind of data being processed. */
  phase: 'sessions' | 'kv';
  /** Sessions or kv entries scanned so far in this phase. */
  scanned: number;
  /** Values rewritten under the current key so far in this phase. */
  rekeyed: number;
}

/** What `rekey` found and did for one kind of data. */
export interface RekeyCounts {
  /** Values read. */
  scanned: number;
  /** Values rewritten under the current key by this run. */
  rekeyed: number;
  /** Values already under the current key (or rewritten by someone else meanwhile). */
  current: number;
  /** Values still under an old key (or not encoded) when the run ended. */
  left: number;
}

/** One value `rekey` could not read or rewrite. */
export interface RekeyFailure {
  kind: 'session' | 'message' | 'kv';
  /** Session id or kv key. */
  id: string;
  /** Stowage error code, `CORRUPTION` for a value the codec could not decode. */
  code: string;
}

/** Result of `rekey`. */
export interface RekeyReport {
  /** Sessions: rewritten with a conditional save (version + 1, `updatedAt` = now). */
  sessions: RekeyCounts;
  /** Messages: counted only; the adapter contract has no way to rewrite them (`rekeyed` is 0). */
  messages: RekeyCounts;
  /** Kv entries: counted only, unless `rewriteKv` is set and the adapter can read expiries. */
  kv: RekeyCounts & {
    /** Bare integer counters, which never pass through the codec. */
    counters: number;
  };
  /** The first 100 values that failed (see `left`). */
  failures: RekeyFailure[];
  /** Whether nothing readable is left under an old key. */
  complete: boolean;
}

const MAX_FAILURES = 100;

function counts(): RekeyCounts {
  return { scanned: 0, rekeyed: 0, current: 0, left: 0 };
}

/**
 * Re-encrypts stored values that are not under the codec's current key, working directly on an
 * adapter so it sees the stored text. Give it a fresh adapter instance (it opens the adapter and
 * closes it at the end) and the storage's codec with the new key as `current` and the old keys
 * still listed. Sessions are rewritten with a conditional save on the version read, so a
 * concurrent write is never overwritten (the session is re-read and retried); each rekeyed
 * session gets version + 1 and `updatedAt` = now, with its expiry, state and labels kept.
 * Messages are append-only and cannot be rewritten through the adapter contract, so they are
 * counted, not changed; kv entries likewise, unless `rewriteKv` is set (see there). Retire an old
 * key only when the report's `complete` is true or what is left under it has expired. Queue
 * payloads are not scanned. Values the codec cannot read are reported, not fatal; a backend error
 * rejects. Safe to rerun: values already under the current key are skipped.
 *
 * @example
 * ```ts
 * const codec = encrypted({ keys: { k1: oldKey, k2: newKey }, current: 'k2' });
 * const report = await rekey(sqliteAdapter({ path: './app.db' }), codec, { batchSize: 500 });
 * console.log(report.sessions.rekeyed, report.messages.left, report.complete);
 * ```
 */
export async function rekey(
  adapter: StowageAdapter,
  codec: RotatingCodec,
  options: RekeyOptions = {},
): Promise<RekeyReport> {
  if (!isRotatingCodec(codec)) {
    const name = (codec as { name?: unknown } | null)?.name;
    throw new ConfigError(
      `rekey() needs a codec that rotates keys, such as encrypted(); got ${String(name)}`,
    );
  }
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    throw new ConfigError('rekey() batchSize must be an integer from 1 to 1000');
  }
  const retries = options.retries ?? 5;
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) {
    throw new ConfigError('rekey() retries must be an integer from 0 to 100');
  }
  const clock = options.clock ?? systemClock;
  const run = new RekeyRun(codec, batchSize, options, clock);
  await adapter.open?.({ clock, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  try {
    if (adapter.sessions) await run.sessions(adapter.sessions, adapter.messages);
    if (adapter.kv) await run.kv(adapter.kv);
  } finally {
    await adapter.close();
  }
  return run.report();
}

/** The state of one `rekey` call. */
class RekeyRun {
  private readonly totals = {
    sessions: counts(),
    messages: counts(),
    kv: { ...counts(), counters: 0 },
  };
  private readonly failures: RekeyFailure[] = [];
  private readonly retries: number;

  constructor(
    private readonly codec: RotatingCodec,
    private readonly batchSize: number,
    private readonly options: RekeyOptions,
    private readonly clock: Clock,
  ) {
    this.retries = options.retries ?? 5;
  }

  report(): RekeyReport {
    const { sessions, messages, kv } = this.totals;
    return {
      sessions,
      messages,
      kv,
      failures: this.failures,
      complete: sessions.left + messages.left + kv.left === 0,
    };
  }

  async sessions(driver: SessionDriver, messages: MessageDriver | undefined): Promise<void> {
    const countMessages = (this.options.countMessages ?? true) && messages !== undefined;
    let after: ListPosition | undefined;
    for (;;) {
      this.options.signal?.throwIfAborted();
      const page = await driver.list(
        { order: 'asc', limit: this.batchSize, ...(after ? { after } : {}) },
        this.ctx(),
      );
      for (const session of page) {
        await this.session(driver, session);
        if (countMessages) await this.messages(messages, session.id);
      }
      const totals = this.totals.sessions;
      this.options.onProgress?.({
        phase: 'sessions',
        scanned: totals.scanned,
        rekeyed: totals.rekeyed,
      });
      const last = page[page.length - 1];
      if (page.length < this.batchSize || !last) return;
      after = { createdAt: last.createdAt, id: last.id };
    }
  }

  private async session(driver: SessionDriver, first: StoredSession): Promise<void> {
    const totals = this.totals.sessions;
    totals.scanned++;
    let stored: StoredSession | null = first;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      const data = this.reencode(stored.data);
      if (data === null) {
        totals.current++;
        return;
      }
      if (data === undefined) {
        totals.left++;
        this.fail('session', first.id, 'CORRUPTION');
        return;
      }
      try {
        await driver.save(
          {
            id: stored.id,
            data,
            state: stored.state,
            labels: stored.labels,
            expiresAt: stored.expiresAt,
            maxExpiresAt: stored.maxExpiresAt,
            expectedVersion: stored.version,
          },
          this.ctx(),
        );
        totals.rekeyed++;
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      // Someone saved (or deleted) it since it was read: look again rather than overwrite.
      stored = await driver.get(first.id, this.ctx());
      if (stored === null) {
        totals.scanned--;
        return;
      }
    }
    totals.left++;
    this.fail('session', first.id, 'CONFLICT');
  }

  private async messages(driver: MessageDriver, sessionId: string): Promise<void> {
    const totals = this.totals.messages;
    for (let start = 0; ; start += this.batchSize) {
      const chunk = await driver.range(sessionId, start, start + this.batchSize - 1, this.ctx());
      for (const text of chunk) {
        totals.scanned++;
        const stale = this.stale(text);
        if (stale === false) totals.current++;
        else totals.left++;
        if (stale === undefined) this.fail('message', sessionId, 'CORRUPTION');
      }
      if (chunk.length < this.batchSize) return;
    }
  }

  async kv(driver: KvDriver): Promise<void> {
    const totals = this.totals.kv;
    const rewrite = (this.options.rewriteKv ?? false) && driver.getEntries !== undefined;
    let after: string | undefined;
    for (;;) {
      this.options.signal?.throwIfAborted();
      const keys = await driver.keys(
        { prefix: '', limit: this.batchSize, ...(after === undefined ? {} : { after }) },
        this.ctx(),
      );
      if (keys.length > 0) {
        const entries = rewrite
          ? await this.entries(driver, keys)
          : (await driver.getMany(keys, this.ctx())).map((value, i) =>
              value === undefined ? undefined : { key: keys[i] as string, value, expiresAt: null },
            );
        for (const entry of entries) if (entry) await this.entry(driver, entry, rewrite);
      }
      this.options.onProgress?.({ phase: 'kv', scanned: totals.scanned, rekeyed: totals.rekeyed });
      if (keys.length < this.batchSize) return;
      after = keys[keys.length - 1];
    }
  }

  private entries(driver: KvDriver, keys: readonly string[]): Promise<(KvWrite | undefined)[]> {
    const getEntries = driver.getEntries as NonNullable<KvDriver['getEntries']>;
    return getEntries.call(driver, keys, this.ctx());
  }

  private async entry(driver: KvDriver, entry: KvWrite, rewrite: boolean): Promise<void> {
    const totals = this.totals.kv;
    totals.scanned++;
    // Counters are bare integers that never pass through the codec.
    if (isCounterText(entry.value)) {
      totals.counters++;
      return;
    }
    const value = this.reencode(entry.value);
    if (value === null) totals.current++;
    else if (value === undefined) {
      totals.left++;
      this.fail('kv', entry.key, 'CORRUPTION');
    } else if (!rewrite) totals.left++;
    else {
      // Re-read right before writing to keep the lost-update window as small as kv allows.
      const [fresh] = await this.entries(driver, [entry.key]);
      if (fresh === undefined) {
        totals.scanned--;
        return;
      }
      if (fresh.value !== entry.value) {
        // Someone wrote it meanwhile; their value stands, counted as it now is.
        if (!isCounterText(fresh.value) && this.stale(fresh.value) !== false) totals.left++;
        else totals.current++;
        return;
      }
      await driver.set({ key: entry.key, value, expiresAt: fresh.expiresAt }, this.ctx());
      totals.rekeyed++;
    }
  }

  /** Whether stored text is under an old key; `undefined` when the codec cannot read it. */
  private stale(stored: string): boolean | undefined {
    try {
      return this.codec.needsRekey(stored);
    } catch {
      // Unreadable values are counted and listed in the report, not fatal to the run.
      return undefined;
    }
  }

  /**
   * The stored text re-encoded under the current key; `null` when it already is, `undefined`
   * when the codec cannot read it.
   */
  private reencode(stored: string): string | null | undefined {
    try {
      return this.codec.needsRekey(stored) ? this.codec.encode(this.codec.decode(stored)) : null;
    } catch {
      return undefined;
    }
  }

  private ctx(): CallContext {
    return { now: this.clock.now() };
  }

  private fail(kind: RekeyFailure['kind'], id: string, code: string): void {
    if (this.failures.length < MAX_FAILURES) this.failures.push({ kind, id, code });
  }
}
