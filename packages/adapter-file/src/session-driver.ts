import { randomBytes } from 'node:crypto';
import {
  type AdapterSessionFilter,
  assertVersion,
  type CallContext,
  CorruptionError,
  clampExpiry,
  compareListPosition,
  isExpired,
  matchesFilter,
  nextSession,
  type SessionDriver,
  type SessionWrite,
  type StoredSession,
} from '@stowage/core';
import { ADAPTER } from './errors.js';
import { scanFiles } from './scan.js';
import { sessionRestore } from './session-restore.js';
import { sessionDeleteIfUnchanged } from './session-unchanged.js';
import type { FileStore, SessionRecord } from './store.js';

/** The record as core sees it: the message-log bookkeeping stays inside the adapter. */
export function toStored(record: SessionRecord): StoredSession {
  const { log: _log, ...stored } = record;
  return { ...stored, labels: { ...stored.labels } };
}

/** The live session in `record`, or `undefined` when there is none or it has expired. */
export function live(record: SessionRecord | undefined, now: number): SessionRecord | undefined {
  return record && !isExpired(record.expiresAt, now) ? record : undefined;
}

/** A fresh message-log state for a newly created session. */
export function newLog(): SessionRecord['log'] {
  return { inc: randomBytes(8).toString('hex'), seg: 0, count: 0, bytes: 0, total: 0 };
}

/**
 * A conditional save that a plain read already shows to be stale fails without taking the
 * file lock: the session had another version at that moment, so the failure is as correct as
 * one found under the lock, and losing writers stop delaying the winner.
 */
function save(store: FileStore, w: SessionWrite, now: number): Promise<StoredSession> {
  const marker = store.commits.mark();
  const precheck = async () => {
    const expected = w.expectedVersion;
    if (expected === undefined) return;
    // A commit by this process while the save waited is the cheapest proof of staleness.
    const committed = store.commits.since(w.id, marker);
    if (committed !== undefined) assertVersion(w.id, expected, committed, ADAPTER);
    assertVersion(w.id, expected, live(await store.readSession(w.id), now)?.version ?? 0, ADAPTER);
  };
  return store.withSessionLock(w.id, () => saveLocked(store, w, now), precheck);
}

async function saveLocked(store: FileStore, w: SessionWrite, now: number): Promise<StoredSession> {
  const current = live(await store.readSession(w.id), now);
  assertVersion(w.id, w.expectedVersion, current?.version ?? 0, ADAPTER);
  // Messages of an expired or half-deleted predecessor must not leak into a new session.
  if (!current) await store.removeMessages(w.id);
  const record: SessionRecord = { ...nextSession(w, current, now), log: current?.log ?? newLog() };
  await store.writeSession(record);
  store.commits.note(record.id, record.version);
  return toStored(record);
}

/**
 * Removes a session if it is still live (and, with `check`, still passes it) under its lock.
 * A damaged file counts as present, so deleting is how an operator clears it.
 */
async function deleteLocked(
  store: FileStore,
  id: string,
  now: number,
  check?: (record: SessionRecord) => boolean,
): Promise<boolean> {
  return store.withSessionLock(id, async () => {
    let record: SessionRecord | undefined;
    try {
      record = live(await store.readSession(id), now);
    } catch (error) {
      if (!(error instanceof CorruptionError) || check) throw error;
      await store.removeSession(id);
      return true;
    }
    if (!record || (check && !check(record))) return false;
    await store.removeSession(id);
    return true;
  });
}

async function matching(
  store: FileStore,
  filter: AdapterSessionFilter,
  now: number,
): Promise<SessionRecord[]> {
  const records = await scanFiles(await store.sessionFiles(), (file) =>
    store.readSessionFile(file),
  );
  return records.filter((r) => !isExpired(r.expiresAt, now) && matchesFilter(r, filter));
}

/** The session primitives over a `FileStore`. */
export function sessionDriver(store: FileStore): SessionDriver {
  const get = async (id: string, { now }: CallContext) => {
    const record = live(await store.readSessionFresh(id), now);
    return record ? toStored(record) : null;
  };
  return {
    restore: sessionRestore(store),
    deleteIfUnchanged: sessionDeleteIfUnchanged(store),
    get,
    getMany: (ids, ctx) => Promise.all(ids.map((id) => get(id, ctx))),
    save: (write, { now }) => save(store, write, now),
    async saveMany(writes, { now }) {
      const saved: StoredSession[] = [];
      for (const w of writes) {
        saved.push(await save(store, w, now));
      }
      return saved;
    },
    async delete(id, expectedVersion, { now }) {
      if (expectedVersion === undefined) return deleteLocked(store, id, now);
      return store.withSessionLock(id, async () => {
        const current = live(await store.readSession(id), now);
        assertVersion(id, expectedVersion, current?.version ?? 0, ADAPTER);
        if (!current) return false;
        await store.removeSession(id);
        return true;
      });
    },
    async deleteMany(ids, { now }) {
      let deleted = 0;
      for (const id of ids) if (await deleteLocked(store, id, now)) deleted++;
      return deleted;
    },
    touch: (id, expiresAt, { now }) =>
      store.withSessionLock(id, async () => {
        const record = live(await store.readSession(id), now);
        if (!record) return undefined;
        record.expiresAt = clampExpiry(expiresAt, record.maxExpiresAt);
        await store.writeSession(record);
        return record.expiresAt;
      }),
    async list(query, { now }) {
      const sign = query.order === 'asc' ? 1 : -1;
      const { after } = query;
      return (await matching(store, query, now))
        .filter((s) => !after || sign * compareListPosition(s, after) > 0)
        .sort((a, b) => sign * compareListPosition(a, b))
        .slice(0, query.limit)
        .map(toStored);
    },
    async count(filter, { now }) {
      return (await matching(store, filter, now)).length;
    },
    async deleteWhere(filter, { now }) {
      let deleted = 0;
      for (const found of await matching(store, filter, now)) {
        const still = (r: SessionRecord) => matchesFilter(r, filter);
        if (await deleteLocked(store, found.id, now, still)) deleted++;
      }
      return deleted;
    },
  };
}
