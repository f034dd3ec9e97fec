import type { SessionWrite } from '@stowage/core';
import { liveAt, type TableNames, timeColumns, ts } from './sql.js';

/** The statements that write sessions, built once per table set. */
export interface SessionWriteSql {
  /** Upsert of one session; `$1..$8` as in `upsertParams`. */
  upsert: string;
  /** The same upsert, but it only replaces a row that has expired (`expectedVersion: 0`). */
  create: string;
  /** Conditional update of one live session at an expected version; see `updateParams`. */
  update: string;
  /** Multi-row upsert of a batch; see `batchParams`. */
  upsertMany: string;
}

/**
 * ON CONFLICT assignments shared by the single and batch upserts. A live row keeps its
 * creation time, absolute lifetime and messages and gets `version + 1`; an expired one is
 * replaced as a new session (version 1, messages cut off by moving `msg_head`).
 */
function assignments(now: string, expiry: string): string {
  const l = liveAt('s', now);
  return `data = excluded.data, state = excluded.state, labels = excluded.labels,
    updated_at = excluded.updated_at,
    version = CASE WHEN ${l} THEN s.version + 1 ELSE 1 END,
    created_at = CASE WHEN ${l} THEN s.created_at ELSE excluded.created_at END,
    max_expires_at = CASE WHEN ${l} THEN s.max_expires_at ELSE excluded.max_expires_at END,
    expires_at = CASE WHEN ${l} THEN LEAST(${expiry}, s.max_expires_at) ELSE excluded.expires_at END,
    msg_head = CASE WHEN ${l} THEN s.msg_head ELSE s.msg_next END`;
}

/** CTEs that delete the messages and idempotency keys of expired rows among `ids`. */
function clearStale(t: TableNames, ids: string, now: string): string {
  return `stale AS (
      SELECT x.id FROM ${t.sessions} x WHERE x.id IN (${ids}) AND x.expires_at <= ${ts(now)}
    ), stale_messages AS (
      DELETE FROM ${t.messages} WHERE session_id IN (SELECT id FROM stale)
    ), stale_keys AS (
      DELETE FROM ${t.idempotency} WHERE session_id IN (SELECT id FROM stale)
    )`;
}

/** Builds the session write statements for one table set. */
export function sessionWriteSql(t: TableNames): SessionWriteSql {
  const returning = `RETURNING s.id, s.version, ${timeColumns('s')}`;
  const single = `WITH ${clearStale(t, '$1', '$5')}
    INSERT INTO ${t.sessions} AS s
      (id, data, state, labels, version, created_at, updated_at, expires_at, max_expires_at)
    VALUES ($1, $2::jsonb, $3, $4::jsonb, 1, ${ts('$5')}, ${ts('$5')}, LEAST(${ts('$6')}, ${ts('$8')}), ${ts('$8')})
    ON CONFLICT (id) DO UPDATE SET ${assignments('$5', `CASE WHEN $7::bool THEN s.expires_at ELSE ${ts('$6')} END`)}`;
  return {
    upsert: `${single} ${returning}`,
    create: `${single} WHERE NOT ${liveAt('s', '$5')} ${returning}`,
    update: `UPDATE ${t.sessions} AS s SET data = $2::jsonb, state = $3, labels = $4::jsonb,
      version = s.version + 1, updated_at = ${ts('$5')},
      expires_at = LEAST(CASE WHEN $7::bool THEN s.expires_at ELSE ${ts('$6')} END, s.max_expires_at)
      WHERE s.id = $1 AND s.version = $8 AND ${liveAt('s', '$5')} ${returning}`,
    upsertMany: `WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::bool[], $7::int8[])
          AS u(id, data, state, labels, exp, keep, max_exp)
      ), ${clearStale(t, 'SELECT id FROM input', '$8')}
      INSERT INTO ${t.sessions} AS s
        (id, data, state, labels, version, created_at, updated_at, expires_at, max_expires_at)
      SELECT i.id, i.data::jsonb, i.state, i.labels::jsonb, 1, ${ts('$8')}, ${ts('$8')},
        LEAST(${ts('i.exp')}, ${ts('i.max_exp')}), ${ts('i.max_exp')}
      FROM input i
      ON CONFLICT (id) DO UPDATE SET ${assignments(
        '$8',
        `(SELECT CASE WHEN i.keep THEN s.expires_at ELSE ${ts('i.exp')} END FROM input i WHERE i.id = s.id)`,
      )} ${returning}`,
  };
}

/** Parameters of `upsert` and `create`. */
export function upsertParams(w: SessionWrite, now: number): unknown[] {
  return [
    w.id,
    w.data,
    w.state,
    JSON.stringify(w.labels),
    now,
    w.expiresAt ?? null,
    w.expiresAt === undefined,
    w.maxExpiresAt,
  ];
}

/** Parameters of `update`: like `upsertParams`, with the expected version as `$8`. */
export function updateParams(w: SessionWrite, now: number, expectedVersion: number): unknown[] {
  const params = upsertParams(w, now);
  params[7] = expectedVersion;
  return params;
}

/** Parameters of `upsertMany`: one array per column, then `now`. */
export function batchParams(writes: readonly SessionWrite[], now: number): unknown[] {
  return [
    writes.map((w) => w.id),
    writes.map((w) => w.data),
    writes.map((w) => w.state),
    writes.map((w) => JSON.stringify(w.labels)),
    writes.map((w) => w.expiresAt ?? null),
    writes.map((w) => w.expiresAt === undefined),
    writes.map((w) => w.maxExpiresAt),
    now,
  ];
}
