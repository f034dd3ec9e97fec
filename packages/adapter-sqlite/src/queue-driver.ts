import { randomUUID } from 'node:crypto';
import { type DeadJob, type LeasedJob, LeaseLostError, type QueueDriver } from '@stowage/core';
import type { SqliteDatabase, SqliteStatement } from './database.js';
import { ADAPTER } from './errors.js';
import type { Guard } from './guard.js';
import type { Tables } from './schema.js';

interface LeaseRow {
  id: string;
  payload: string;
  attempts: number;
  maxAttempts: number;
}

/**
 * Queue primitives over the jobs table. Steps that read before they write (settling ended
 * leases, choosing the jobs to lease, replaying) run in `BEGIN IMMEDIATE`, so processes sharing
 * the file take turns and no job is leased twice; `ack`, `nack` and `extend` are single
 * statements whose `WHERE` clause is the lease check, so they are atomic on their own.
 */
export function queueDriver(db: SqliteDatabase, t: Tables, guard: Guard): QueueDriver {
  const live = 'queue = ? AND id = ? AND token = ? AND visible_until > ?';
  const insert = db.prepare(
    `INSERT INTO ${t.jobs} (queue, id, payload, available_at, max_attempts) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (queue, id) DO NOTHING`,
  );
  // An ended lease makes the job dead from `visible_until` when out of attempts, otherwise
  // ready from `visible_until`; settling before each scan keeps every state a plain column test.
  const settleDead = db.prepare(
    `UPDATE ${t.jobs} SET token = NULL, failed_at = visible_until
     WHERE queue = ? AND token IS NOT NULL AND visible_until <= ? AND attempts >= max_attempts`,
  );
  const settleReady = db.prepare(
    `UPDATE ${t.jobs} SET token = NULL, available_at = visible_until
     WHERE queue = ? AND token IS NOT NULL AND visible_until <= ?`,
  );
  const pickReady = db
    .prepare(
      `SELECT seq FROM ${t.jobs} WHERE queue = ? AND token IS NULL AND failed_at IS NULL
     AND available_at <= ? ORDER BY available_at, seq LIMIT ?`,
    )
    .pluck();
  const lease = db.prepare(
    `UPDATE ${t.jobs} SET attempts = attempts + 1, token = ?, visible_until = ? WHERE seq = ?
     RETURNING id, payload, attempts, max_attempts AS maxAttempts`,
  );
  const remove = db.prepare(`DELETE FROM ${t.jobs} WHERE ${live}`);
  const release = db.prepare(
    `UPDATE ${t.jobs} SET token = NULL,
       failed_at = CASE WHEN attempts >= max_attempts THEN ? END,
       available_at = CASE WHEN attempts >= max_attempts THEN available_at ELSE ? END
     WHERE ${live} RETURNING failed_at AS failedAt`,
  );
  const prolong = db.prepare(`UPDATE ${t.jobs} SET visible_until = ? WHERE ${live}`);
  const sizes = db.prepare(
    `SELECT
       coalesce(sum(failed_at IS NULL AND token IS NULL AND available_at <= ?), 0) AS ready,
       coalesce(sum(failed_at IS NULL AND token IS NULL AND available_at > ?), 0) AS delayed,
       coalesce(sum(token IS NOT NULL), 0) AS leased,
       coalesce(sum(failed_at IS NOT NULL), 0) AS dead
     FROM ${t.jobs} WHERE queue = ?`,
  );
  const deadPage = (after: boolean): SqliteStatement =>
    db.prepare(
      `SELECT id, payload, attempts, failed_at AS failedAt FROM ${t.jobs}
       WHERE queue = ? AND failed_at IS NOT NULL ${after ? 'AND (failed_at, id) > (?, ?)' : ''}
       ORDER BY failed_at, id LIMIT ?`,
    );
  const deadFirst = deadPage(false);
  const deadAfter = deadPage(true);
  const deleteDead = db.prepare(
    `DELETE FROM ${t.jobs} WHERE queue = ? AND id = ? AND failed_at IS NOT NULL
     RETURNING payload, max_attempts AS maxAttempts`,
  );

  const settle = (queue: string, now: number): void => {
    settleDead.run(queue, now);
    settleReady.run(queue, now);
  };
  const lost = (queue: string, jobId: string): LeaseLostError =>
    new LeaseLostError(queue, jobId, { adapter: ADAPTER });

  const enqueueTx = db.transaction(
    (queue: string, jobs: Parameters<QueueDriver['enqueue']>[1]): number => {
      let added = 0;
      for (const j of jobs) {
        added += insert.run(queue, j.id, j.payload, j.availableAt, j.maxAttempts).changes;
      }
      return added;
    },
  );
  const dequeueTx = db.transaction(
    (queue: string, visibleUntil: number, limit: number, now: number): LeasedJob[] => {
      settle(queue, now);
      const seqs = pickReady.all(queue, now, limit) as number[];
      return seqs.map((seq) => {
        const token = randomUUID();
        const row = lease.get(token, visibleUntil, seq) as LeaseRow;
        return { ...row, token, visibleUntil };
      });
    },
  );
  const sizeTx = db.transaction((queue: string, now: number) => {
    settle(queue, now);
    return sizes.get(now, now, queue) as {
      ready: number;
      delayed: number;
      leased: number;
      dead: number;
    };
  });
  const deadTx = db.transaction(
    (
      queue: string,
      limit: number,
      after: { createdAt: number; id: string } | undefined,
      now: number,
    ) => {
      settle(queue, now);
      const rows = after
        ? deadAfter.all(queue, after.createdAt, after.id, limit)
        : deadFirst.all(queue, limit);
      return rows as DeadJob[];
    },
  );
  const replayTx = db.transaction((queue: string, jobIds: readonly string[], now: number) => {
    settle(queue, now);
    let moved = 0;
    for (const id of new Set(jobIds)) {
      const row = deleteDead.get(queue, id) as { payload: string; maxAttempts: number } | undefined;
      if (!row) continue;
      // Re-inserting gives the job a new, larger `seq`: it queues behind jobs already waiting.
      insert.run(queue, id, row.payload, now, row.maxAttempts);
      moved++;
    }
    return moved;
  });

  return {
    enqueue: (queue, jobs) => guard(() => enqueueTx.immediate(queue, jobs)),
    dequeue: (queue, { visibleUntil, limit }, { now }) =>
      guard(() => dequeueTx.immediate(queue, visibleUntil, limit, now)),
    ack: (queue, jobId, token, { now }) =>
      guard(() => {
        if (remove.run(queue, jobId, token, now).changes === 0) throw lost(queue, jobId);
      }),
    nack: (queue, jobId, token, availableAt, { now }) =>
      guard(() => {
        const row = release.get(now, availableAt, queue, jobId, token, now) as
          | { failedAt: number | null }
          | undefined;
        if (!row) throw lost(queue, jobId);
        return row.failedAt === null ? 'queued' : 'dead';
      }),
    extend: (queue, jobId, token, visibleUntil, { now }) =>
      guard(() => {
        if (prolong.run(visibleUntil, queue, jobId, token, now).changes === 0) {
          throw lost(queue, jobId);
        }
      }),
    size: (queue, { now }) => guard(() => sizeTx.immediate(queue, now)),
    deadLetters: (queue, { limit, after }, { now }) =>
      guard(() => deadTx.immediate(queue, limit, after, now)),
    replay: (queue, jobIds, { now }) => guard(() => replayTx.immediate(queue, jobIds, now)),
  };
}
