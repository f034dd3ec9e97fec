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

/**
 * The RETURNING list of the upserts. A row that replaced an expired one comes back at version 1
 * with its head moved to the old `msg_next` (a new row, or a replaced one that never had
 * messages, has head 0 and nothing to clean), and only such a row calls `dropReplaced`, which
 * deletes the old messages and idempotency keys in the same statement. Calling it from
 * RETURNING rather than joining DELETEs against a CTE of the upsert keeps saves of live rows
 * free of that work: the two DELETE branches cost a third of a single save's server time even
 * when they deleted nothing, and their generic plan for batches scanned the whole messages table.
 */
function upsertReturning(t: TableNames): string {
  return `RETURNING s.id, s.version, ${timeColumns('s')},
    CASE WHEN s.version = 1 AND s.msg_head > 0 THEN ${t.dropReplaced}(s.id, s.msg_head) END AS dropped`;
}

/** Builds the session write statements for one table set. */
export function sessionWriteSql(t: TableNames): SessionWriteSql {
  const returning = `RETURNING s.id, s.version, ${timeColumns('s')}`;
  const single = `INSERT INTO ${t.sessions} AS s
      (id, data, state, labels, version, created_at, updated_at, expires_at, max_expires_at)
    VALUES ($1, $2, $3, $4::jsonb, 1, ${ts('$5')}, ${ts('$5')}, LEAST(${ts('$6')}, ${ts('$8')}), ${ts('$8')})
    ON CONFLICT (id) DO UPDATE SET ${assignments('$5', `CASE WHEN $7::bool THEN s.expires_at ELSE ${ts('$6')} END`)}`;
  // A conflicting row finds its own write's requested expiry in a jsonb object keyed by id
  // ($6; absent = keep the stored expiry): a jsonb key lookup is a binary search, where a
  // correlated subquery over the input cost a scan of the whole batch per updated row.
  return {
    upsert: `${single} ${upsertReturning(t)}`,
    create: `${single} WHERE NOT ${liveAt('s', '$5')} ${upsertReturning(t)}`,
    update: `UPDATE ${t.sessions} AS s SET data = $2, state = $3, labels = $4::jsonb,
      version = s.version + 1, updated_at = ${ts('$5')},
      expires_at = LEAST(CASE WHEN $7::bool THEN s.expires_at ELSE ${ts('$6')} END, s.max_expires_at)
      WHERE s.id = $1 AND s.version = $8 AND ${liveAt('s', '$5')} ${returning}`,
    upsertMany: `INSERT INTO ${t.sessions} AS s
        (id, data, state, labels, version, created_at, updated_at, expires_at, max_expires_at)
      SELECT u.id, u.data, u.state, u.labels::jsonb, 1, ${ts('$8')}, ${ts('$8')},
        LEAST(${ts('u.exp')}, ${ts('u.max_exp')}), ${ts('u.max_exp')}
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $7::int8[])
        AS u(id, data, state, labels, exp, max_exp)
      ON CONFLICT (id) DO UPDATE SET ${assignments(
        '$8',
        `CASE WHEN $6::jsonb ? s.id THEN ${ts('($6::jsonb ->> s.id)')} ELSE s.expires_at END`,
      )} ${upsertReturning(t)}`,
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

/**
 * Parameters of `upsertMany`: one array per column, the requested expiries as a jsonb object
 * keyed by id (writes that keep their stored expiry are left out, `null` removes it), the
 * absolute lifetimes, then `now`. The object is written by hand because an id such as
 * `__proto__` cannot be a plain object key.
 */
export function batchParams(writes: readonly SessionWrite[], now: number): unknown[] {
  const requested = writes
    .filter((w) => w.expiresAt !== undefined)
    .map((w) => `${JSON.stringify(w.id)}:${JSON.stringify(w.expiresAt)}`);
  return [
    writes.map((w) => w.id),
    writes.map((w) => w.data),
    writes.map((w) => w.state),
    writes.map((w) => JSON.stringify(w.labels)),
    writes.map((w) => w.expiresAt ?? null),
    `{${requested.join(',')}}`,
    writes.map((w) => w.maxExpiresAt),
    now,
  ];
}
