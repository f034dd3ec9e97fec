import type { Clock } from '@stowage/core';
import type { Executor } from './database.js';
import { lockKey } from './migrations.js';
import { type TableNames, ts } from './sql.js';

/**
 * Removes up to `limit` expired sessions (their messages and idempotency keys cascade) and kv
 * entries, after folding pending state changes into the state counters. A transaction-scoped `pg_try_advisory_xact_lock` makes one instance sweep at a time
 * (the others return 0 at once) and, unlike a session lock, works behind a pooler. Rows are
 * taken with SKIP LOCKED so a sweep never waits on a row a caller is writing.
 */
export async function sweepExpired(
  db: Executor,
  t: TableNames,
  limit: number,
  now: number,
): Promise<number> {
  return db.transaction('sweep', async (query) => {
    const [lock] = await query<{ got: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1::int8) AS got',
      [lockKey('sweep', t.scope)],
    );
    if (!lock?.got) return 0;
    await query(foldStateMovesSql(t));
    let removed = 0;
    for (const table of [t.sessions, t.kv]) {
      if (removed >= limit) break;
      const key = table === t.kv ? 'key' : 'id';
      const [row] = await query<{ n: number }>(
        // `= ANY(ARRAY(...))` makes the batch a list of primary-key probes; with `IN (...)` the
        // planner may hash-join the batch against a scan of the whole table, on every batch.
        `WITH gone AS (
           DELETE FROM ${table} WHERE ${key} = ANY(ARRAY(
             SELECT ${key} FROM ${table} WHERE expires_at <= ${ts('$1')}
             ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
           )) RETURNING 1
         ) SELECT count(*)::int AS n FROM gone`,
        [now, limit - removed],
      );
      removed += row?.n ?? 0;
    }
    return removed;
  });
}

/**
 * Folds the state changes the update trigger appended to `stateMoves` into the sweeper's own
 * counter row of each state (shard -1), in one statement: rows inserted meanwhile are not in the
 * statement's snapshot and stay for the next fold, so counts never see a change twice or miss
 * one. Only the sweeper (one at a time, under its advisory lock) writes shard -1, so it never
 * waits for the triggers' counter rows, nor they for it.
 */
export function foldStateMovesSql(t: TableNames): string {
  return `WITH moved AS (DELETE FROM ${t.stateMoves} RETURNING state, n)
    INSERT INTO ${t.stateCounts} AS c (state, shard, n)
    SELECT state, -1, sum(n) FROM moved GROUP BY state ORDER BY state
    ON CONFLICT (state, shard) DO UPDATE SET n = c.n + excluded.n`;
}

/** A background timer that sweeps one bounded batch per tick, never two at once. */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly sweep: (limit: number, now: number) => Promise<number>,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Starts ticking every `intervalMs` (0 means never); the timer never keeps the process alive. */
  start(clock: Clock, intervalMs: number, batchSize: number): void {
    if (intervalMs === 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      this.sweep(batchSize, clock.now())
        .catch((error: unknown) =>
          this.onError(error instanceof Error ? error : new Error(String(error))),
        )
        .finally(() => {
          this.running = false;
        });
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
