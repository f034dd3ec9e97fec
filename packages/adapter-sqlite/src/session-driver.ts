import {
  assertVersion,
  type CallContext,
  clampExpiry,
  resolveExpiry,
  type SessionDriver,
  type SessionWrite,
  type StoredSession,
} from '@stowage/core';
import type { SqliteStatement } from './database.js';
import { ADAPTER } from './errors.js';
import type { Guard } from './guard.js';
import { countQuery, idsQuery, listQuery } from './query.js';
import { sessionRestore } from './session-restore.js';
import { sessionDeleteIfUnchanged } from './session-unchanged.js';
import { isLive, SESSION_COLUMNS, type SessionRow, type Store, toStored } from './store.js';

interface CurrentRow {
  version: number;
  state: string;
  labels: string;
  createdAt: number;
  expiresAt: number | null;
  maxExpiresAt: number | null;
}

/** Builds the session primitives over an open store. */
export function sessionDriver(store: Store, guard: Guard): SessionDriver {
  const { db, tables: t } = store;
  const selectOne = db.prepare(`SELECT ${SESSION_COLUMNS} FROM ${t.sessions} s WHERE s.id = ?`);
  const selectCurrent = db.prepare(
    `SELECT version, state, labels, created_at AS createdAt, expires_at AS expiresAt, max_expires_at AS maxExpiresAt FROM ${t.sessions} WHERE id = ?`,
  );
  const update = db.prepare(
    `UPDATE ${t.sessions} SET data = ?, state = ?, labels = ?, version = ?, updated_at = ?, expires_at = ? WHERE id = ?`,
  );
  // Most saves keep the state and the expiry. SQLite rewrites an index entry whenever the
  // statement assigns one of its columns, even to the same value, so leaving `state` and
  // `expires_at` out spares the `(state, created_at, id, expires_at)` index a page per save.
  const updateKept = db.prepare(
    `UPDATE ${t.sessions} SET data = ?, labels = ?, version = ?, updated_at = ? WHERE id = ?`,
  );
  const insert = db.prepare(
    `INSERT INTO ${t.sessions} (id, state, labels, version, created_at, updated_at, expires_at, max_expires_at, data) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)`,
  );
  const setExpiry = db.prepare(`UPDATE ${t.sessions} SET expires_at = ? WHERE id = ?`);

  const read = (id: string, now: number): StoredSession | null => {
    const row = selectOne.get(id) as SessionRow | undefined;
    return isLive(row, now) ? toStored(row) : null;
  };

  // Check-in-transaction: every caller runs this inside BEGIN IMMEDIATE, so the row read here
  // cannot change before the write below it.
  const apply = (w: SessionWrite, now: number): StoredSession => {
    const row = selectCurrent.get(w.id) as CurrentRow | undefined;
    const current = isLive(row, now) ? row : undefined;
    assertVersion(w.id, w.expectedVersion, current ? current.version : 0, ADAPTER);
    const labels = JSON.stringify(w.labels);
    const expiry = resolveExpiry(w, current);
    if (current) {
      const version = current.version + 1;
      if (w.state === current.state && expiry.expiresAt === current.expiresAt) {
        updateKept.run(w.data, labels, version, now, w.id);
      } else {
        update.run(w.data, w.state, labels, version, now, expiry.expiresAt, w.id);
        store.countState(current.state, w.state);
      }
      if (labels !== current.labels) store.writeLabels(w.id, w.labels, current.createdAt, true);
      return { ...stored(w, now, expiry), version, createdAt: current.createdAt };
    }
    // An expired leftover goes first, with its messages, so the new session starts empty.
    if (row) store.removeSession(w.id);
    insert.run(w.id, w.state, labels, now, now, expiry.expiresAt, expiry.maxExpiresAt, w.data);
    store.countState(undefined, w.state);
    store.writeLabels(w.id, w.labels, now, false);
    return stored(w, now, expiry);
  };

  // One read snapshot for the whole batch: consistent, and much cheaper than one per id (a
  // statement outside a transaction opens and closes a WAL read transaction of its own).
  const readAll = db.transaction((ids: readonly string[], now: number) =>
    ids.map((id) => read(id, now)),
  );
  const saveOne = db.transaction(apply);
  const saveAll = db.transaction((writes: readonly SessionWrite[], now: number) =>
    writes.map((w) => apply(w, now)),
  );
  const deleteOne = db.transaction((id: string, expected: number | undefined, now: number) => {
    const row = selectCurrent.get(id) as CurrentRow | undefined;
    const live = isLive(row, now);
    assertVersion(id, expected, live ? row.version : 0, ADAPTER);
    if (row) store.removeSession(id);
    return live;
  });
  const deleteIds = db.transaction((ids: readonly string[], now: number) => {
    let deleted = 0;
    for (const id of ids) {
      const row = selectCurrent.get(id) as CurrentRow | undefined;
      if (!row) continue;
      if (isLive(row, now)) deleted++;
      store.removeSession(id);
    }
    return deleted;
  });
  const touchOne = db.transaction((id: string, expiresAt: number | null, now: number) => {
    const row = selectCurrent.get(id) as CurrentRow | undefined;
    if (!isLive(row, now)) return undefined;
    const next = clampExpiry(expiresAt, row.maxExpiresAt);
    setExpiry.run(next, id);
    return next;
  });
  // The ids are read inside the write transaction, so nothing matching slips in between.
  const deleteMatching = db.transaction((select: SqliteStatement, params: unknown[]) => {
    const ids = select.pluck().all(...params) as string[];
    for (const id of ids) store.removeSession(id);
    return ids.length;
  });

  return {
    restore: sessionRestore(store, guard),
    deleteIfUnchanged: sessionDeleteIfUnchanged(store, guard),
    get: (id, { now }) => guard(() => read(id, now)),
    getMany: (ids, { now }) => guard(() => readAll.deferred(ids, now)),
    save: (write, { now }) => guard(() => saveOne.immediate(write, now)),
    saveMany: (writes, { now }) => guard(() => saveAll.immediate(writes, now)),
    delete: (id, expectedVersion, { now }) =>
      guard(() => deleteOne.immediate(id, expectedVersion, now)),
    deleteMany: (ids, { now }) => guard(() => deleteIds.immediate(ids, now)),
    touch: (id, expiresAt, { now }) => guard(() => touchOne.immediate(id, expiresAt, now)),
    list: (query, { now }: CallContext) =>
      guard(() => {
        const q = listQuery(t, query, now);
        return (store.statement(q.sql).all(...q.params) as SessionRow[]).map(toStored);
      }),
    count: (filter, { now }) =>
      guard(() => {
        const q = countQuery(t, filter, now);
        return store
          .statement(q.sql)
          .pluck()
          .get(...q.params) as number;
      }),
    deleteWhere: (filter, { now }) =>
      guard(() => {
        const q = idsQuery(t, filter, now);
        return deleteMatching.immediate(store.statement(q.sql), q.params);
      }),
  };
}

function stored(
  w: SessionWrite,
  now: number,
  expiry: { expiresAt: number | null; maxExpiresAt: number | null },
): StoredSession {
  return {
    id: w.id,
    data: w.data,
    state: w.state,
    labels: { ...w.labels },
    version: 1,
    createdAt: now,
    updatedAt: now,
    expiresAt: expiry.expiresAt,
    maxExpiresAt: expiry.maxExpiresAt,
  };
}
