import { BackendError } from '@stowage/core';
import type { Executor } from './database.js';
import { ADAPTER } from './errors.js';
import type { Envelope } from './listen-client.js';
import type { TableNames } from './sql.js';

/**
 * NOTIFY payloads must stay under 8000 bytes; anything larger than this (with the envelope)
 * travels through the pubsub table and the notification carries only the row id.
 */
export const MAX_INLINE_BYTES = 7900;
/** How long a large message's row is kept for receivers to read it, in ms of `ctx.now`. */
export const LARGE_MESSAGE_RETENTION_MS = 60_000;

/**
 * Sends `message` for the Stowage `channel` on the namespace's LISTEN channel `listen`. A
 * small message rides in the payload; a large one is stored in the same statement as its
 * NOTIFY, so the row is committed before any receiver hears of it, and rows past retention
 * (by `now`, the storage clock) are deleted afterwards.
 */
export async function publishNotification(
  db: Executor,
  t: TableNames,
  listen: string,
  channel: string,
  message: string,
  now: number,
): Promise<void> {
  const inline = JSON.stringify({ c: channel, m: message } satisfies Envelope);
  if (Buffer.byteLength(inline) <= MAX_INLINE_BYTES) {
    await db.query('pubsub publish', 'SELECT pg_notify($1, $2)', [listen, inline]);
    return;
  }
  await db.query(
    'pubsub publish',
    `WITH stored AS (
       INSERT INTO ${t.pubsub} (message, created_at) VALUES ($1, $2) RETURNING id
     )
     SELECT pg_notify($3, json_build_object('c', $4::text, 'r', stored.id::text)::text)
     FROM stored`,
    [message, now, listen, channel],
  );
  await db.query('pubsub sweep', `DELETE FROM ${t.pubsub} WHERE created_at < $1`, [
    now - LARGE_MESSAGE_RETENTION_MS,
  ]);
}

/** The message an envelope carries, read from the pubsub table when it was too large. */
export async function readEnvelope(
  db: Executor,
  t: TableNames,
  envelope: Envelope,
): Promise<string> {
  if (envelope.m !== undefined) return envelope.m;
  const [row] = await db.query<{ message: string }>(
    'pubsub read',
    `SELECT message FROM ${t.pubsub} WHERE id = $1`,
    [envelope.r],
  );
  if (!row) {
    throw new BackendError(`large pub/sub message ${envelope.r} was swept before it was read`, {
      adapter: ADAPTER,
    });
  }
  return row.message;
}
