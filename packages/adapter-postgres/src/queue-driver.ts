import { LeaseLostError, type QueueDriver } from '@stowage/core';
import type { Executor } from './database.js';
import { ADAPTER } from './errors.js';
import type { TableNames } from './sql.js';

interface LeasedRow {
  id: string;
  payload: string;
  attempts: number;
  max_attempts: number;
  token: string;
  available_at: string;
  prev: string;
  seq: string;
}

interface SizeRow {
  ready: number;
  delayed: number;
  leased: number;
  dead: number;
}

interface DeadRow {
  id: string;
  payload: string;
  attempts: number;
  failed_at: string;
}

// Job states at `now` ($2 in every statement below). While a token is held, available_at is the
// lease end, so a lease that ended needs no write: the row reads as ready again, or as dead
// (failed at its lease end) once its attempts are used up.
const READY =
  '(failed_at IS NULL AND available_at <= $2 AND (token IS NULL OR attempts < max_attempts))';
const DEAD =
  '(failed_at IS NOT NULL OR (token IS NOT NULL AND attempts >= max_attempts AND available_at <= $2))';
const LEASED = '(failed_at IS NULL AND token IS NOT NULL AND available_at > $2)';
const DELAYED = '(failed_at IS NULL AND token IS NULL AND available_at > $2)';
const FAILED_AT = 'coalesce(failed_at, available_at)';
// The caller's lease is live: its token is current and the lease has not ended at $2.
const HELD = `queue = $1 AND id = $3 AND token = $4 AND ${LEASED}`;

/**
 * Queue primitives on one jobs table, every one a single statement. Dequeue claims the oldest
 * ready rows with `FOR UPDATE SKIP LOCKED`, so concurrent workers in any process never lease
 * one job twice and never wait on each other; ack, nack and extend succeed only while the
 * caller's token and lease are current. Time always comes from `ctx.now`.
 */
export function postgresQueueDriver(db: Executor, t: TableNames): QueueDriver {
  const nextSeq = `nextval('${t.jobSeq}'::regclass)`;
  const lost = (queue: string, jobId: string): LeaseLostError =>
    new LeaseLostError(queue, jobId, { adapter: ADAPTER });

  return {
    async enqueue(queue, jobs) {
      if (jobs.length === 0) return 0;
      // Sequence values are drawn after the ORDER BY, so they follow the caller's order;
      // ON CONFLICT DO NOTHING skips ids already present, including repeats within the batch.
      const rows = await db.query(
        'queue enqueue',
        `INSERT INTO ${t.jobs} (queue, id, payload, available_at, max_attempts, seq)
         SELECT $1, u.id, u.payload, u.available_at, u.max_attempts, ${nextSeq}
         FROM unnest($2::text[], $3::text[], $4::int8[], $5::int4[])
           WITH ORDINALITY AS u(id, payload, available_at, max_attempts, ord)
         ORDER BY u.ord
         ON CONFLICT (queue, id) DO NOTHING
         RETURNING 1`,
        [
          queue,
          jobs.map((j) => j.id),
          jobs.map((j) => j.payload),
          jobs.map((j) => j.availableAt),
          jobs.map((j) => j.maxAttempts),
        ],
      );
      return rows.length;
    },

    async dequeue(queue, { visibleUntil, limit }, { now }) {
      const rows = await db.query<LeasedRow>(
        'queue dequeue',
        `WITH picked AS (
           SELECT id, available_at AS prev FROM ${t.jobs}
           WHERE queue = $1 AND ${READY}
           ORDER BY available_at, seq
           LIMIT $3
           FOR UPDATE SKIP LOCKED
         )
         UPDATE ${t.jobs} j
         SET attempts = j.attempts + 1, token = gen_random_uuid()::text, available_at = $4
         FROM picked
         WHERE j.queue = $1 AND j.id = picked.id
         RETURNING j.id, j.payload, j.attempts, j.max_attempts, j.token, j.available_at,
           picked.prev, j.seq`,
        [queue, now, limit, visibleUntil],
      );
      // RETURNING has no defined order; restore the order the rows were picked in.
      rows.sort((a, b) => Number(a.prev) - Number(b.prev) || Number(a.seq) - Number(b.seq));
      return rows.map((r) => ({
        id: r.id,
        payload: r.payload,
        attempts: r.attempts,
        maxAttempts: r.max_attempts,
        token: r.token,
        visibleUntil: Number(r.available_at),
      }));
    },

    async ack(queue, jobId, token, { now }) {
      const rows = await db.query('queue ack', `DELETE FROM ${t.jobs} WHERE ${HELD} RETURNING 1`, [
        queue,
        now,
        jobId,
        token,
      ]);
      if (rows.length === 0) throw lost(queue, jobId);
    },

    async nack(queue, jobId, token, availableAt, { now }) {
      const [row] = await db.query<{ dead: boolean }>(
        'queue nack',
        `UPDATE ${t.jobs}
         SET token = NULL,
           failed_at = CASE WHEN attempts >= max_attempts THEN $2::int8 END,
           available_at = CASE WHEN attempts >= max_attempts THEN available_at ELSE $5::int8 END
         WHERE ${HELD}
         RETURNING failed_at IS NOT NULL AS dead`,
        [queue, now, jobId, token, availableAt],
      );
      if (!row) throw lost(queue, jobId);
      return row.dead ? 'dead' : 'queued';
    },

    async extend(queue, jobId, token, visibleUntil, { now }) {
      const rows = await db.query(
        'queue extend',
        `UPDATE ${t.jobs} SET available_at = $5 WHERE ${HELD} RETURNING 1`,
        [queue, now, jobId, token, visibleUntil],
      );
      if (rows.length === 0) throw lost(queue, jobId);
    },

    async size(queue, { now }) {
      const [row] = await db.query<SizeRow>(
        'queue size',
        `SELECT count(*) FILTER (WHERE ${READY})::int AS ready,
           count(*) FILTER (WHERE ${DELAYED})::int AS delayed,
           count(*) FILTER (WHERE ${LEASED})::int AS leased,
           count(*) FILTER (WHERE ${DEAD})::int AS dead
         FROM ${t.jobs} WHERE queue = $1`,
        [queue, now],
      );
      return {
        ready: row?.ready ?? 0,
        delayed: row?.delayed ?? 0,
        leased: row?.leased ?? 0,
        dead: row?.dead ?? 0,
      };
    },

    async deadLetters(queue, { limit, after }, { now }) {
      // COLLATE "C" orders ids by code point, which is the order compareIds defines.
      const rows = await db.query<DeadRow>(
        'queue dead letters',
        `SELECT id, payload, attempts, ${FAILED_AT} AS failed_at FROM ${t.jobs}
         WHERE queue = $1 AND ${DEAD}
           AND ($4::int8 IS NULL OR ${FAILED_AT} > $4 OR (${FAILED_AT} = $4 AND id > $5))
         ORDER BY ${FAILED_AT}, id
         LIMIT $3`,
        [queue, now, limit, after?.createdAt ?? null, after?.id ?? ''],
      );
      return rows.map((r) => ({
        id: r.id,
        payload: r.payload,
        attempts: r.attempts,
        failedAt: Number(r.failed_at),
      }));
    },

    async replay(queue, jobIds, { now }) {
      if (jobIds.length === 0) return 0;
      // Replayed jobs go to the back of the queue in the order they were listed.
      const rows = await db.query(
        'queue replay',
        `WITH wanted AS (
           SELECT u.id, ${nextSeq} AS seq
           FROM unnest($3::text[]) WITH ORDINALITY AS u(id, ord)
           ORDER BY u.ord
         )
         UPDATE ${t.jobs} j
         SET failed_at = NULL, token = NULL, attempts = 0, available_at = $2, seq = wanted.seq
         FROM wanted
         WHERE j.queue = $1 AND j.id = wanted.id AND ${DEAD}
         RETURNING 1`,
        [queue, now, [...new Set(jobIds)]],
      );
      return rows.length;
    },
  };
}
