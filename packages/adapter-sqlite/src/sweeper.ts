import { randomUUID } from 'node:crypto';
import type { Clock } from '@stowage/core';
import type { Store } from './store.js';

/**
 * Removes expired rows in bounded batches. Each batch is one `BEGIN IMMEDIATE` transaction, so
 * it never overlaps another writer; the background loop also holds a lease row in the meta
 * table, so among several processes sharing the file only one sweeps at a time.
 */
export class Sweeper {
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Immediate | undefined;
  /** The last failure of the background loop, reported by `health()` until a batch succeeds. */
  lastError: Error | undefined;
  private readonly batch: (limit: number, now: number) => number;
  private readonly release: () => void;

  constructor(private readonly store: Store) {
    const { db, tables: t } = store;
    const expiredSessions = db
      .prepare(`SELECT id FROM ${t.sessions} WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`)
      .pluck();
    const expiredKv = db.prepare(
      `DELETE FROM ${t.kv} WHERE key IN (SELECT key FROM ${t.kv} WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`,
    );
    const readLease = db.prepare(
      `SELECT value AS owner, expires_at AS expiresAt FROM ${t.meta} WHERE key = 'sweep_lease'`,
    );
    const writeLease = db.prepare(
      `INSERT INTO ${t.meta} (key, value, expires_at) VALUES ('sweep_lease', ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    );
    const dropLease = db.prepare(`DELETE FROM ${t.meta} WHERE key = 'sweep_lease' AND value = ?`);

    const batch = db.transaction((limit: number, now: number) => {
      const ids = expiredSessions.all(now, limit) as string[];
      for (const id of ids) store.removeSession(id);
      const left = limit - ids.length;
      return left > 0 ? ids.length + expiredKv.run(now, left).changes : ids.length;
    });
    const lease = db.transaction((now: number, until: number) => {
      const row = readLease.get() as { owner: string; expiresAt: number } | undefined;
      if (row && row.owner !== this.owner && row.expiresAt > now) return false;
      writeLease.run(this.owner, until);
      return true;
    });
    this.batch = (limit, now) => batch.immediate(limit, now);
    this.acquireLease = (now, until) => lease.immediate(now, until);
    this.release = () => {
      dropLease.run(this.owner);
    };
  }

  /**
   * Takes or renews the sweep lease until `until` unless another live owner holds it; returns
   * whether this sweeper now holds it.
   */
  readonly acquireLease: (now: number, until: number) => boolean;

  /** Removes at most `limit` expired sessions (with their messages) and kv entries now. */
  sweep(limit: number, now: number): number {
    return this.batch(limit, now);
  }

  /** Starts the background loop: every `intervalMs`, batches of `batchSize` until none is full. */
  start(clock: Clock, intervalMs: number, batchSize: number): void {
    if (intervalMs === 0) return;
    const tick = (): void => {
      this.pending = undefined;
      try {
        const now = clock.now();
        if (!this.acquireLease(now, now + intervalMs * 2)) return;
        const removed = this.batch(batchSize, now);
        this.lastError = undefined;
        // A full batch means more may be waiting; yield to other work between batches.
        if (removed >= batchSize) this.pending = setImmediate(tick);
      } catch (error) {
        this.lastError = error instanceof Error ? error : new Error(String(error));
      }
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  /** Stops the loop and gives up the lease so another process can take over at once. */
  stop(): void {
    clearInterval(this.timer);
    if (this.pending) clearImmediate(this.pending);
    this.timer = undefined;
    this.pending = undefined;
    if (this.store.db.open) this.release();
  }
}
