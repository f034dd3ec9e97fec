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
import { eachLimit } from './fs-io.js';
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
 * Sessions written under one set of locks, with one fsync of the sessions folder: a batch of
 * up to this many waits for no chunk to drain before the next. Such a chunk holds its locks
 * for about a second (0.6–1.6 s measured on a loaded 2-core VM), well under the default
 * `staleLockMs` of 10 s, after which other processes would take its locks over.
 */
const BATCH_CHUNK = 1000;

/**
 * Applies `writes` in order under the locks of all their sessions, stopping at the first
 * conflict (or damaged file) and rethrowing it, with the writes before it kept. The files are
 * written side by side and the folder is fsynced once (see `FileStore.writeSessions`), instead
 * of one locked, fsynced save after another.
 */
async function saveMany(
  store: FileStore,
  writes: readonly SessionWrite[],
  now: number,
): Promise<StoredSession[]> {
  const saved: StoredSession[] = [];
  // Chunks bound how long one call holds its locks; a later chunk re-reads what an earlier
  // one wrote, so an id twice in the batch still sees its first write.
  for (let at = 0; at < writes.length; at += BATCH_CHUNK) {
    saved.push(...(await saveChunk(store, writes.slice(at, at + BATCH_CHUNK), now)));
  }
  return saved;
}

function saveChunk(
  store: FileStore,
  writes: readonly SessionWrite[],
  now: number,
): Promise<StoredSession[]> {
  const ids = [...new Set(writes.map((w) => w.id))];
  return store.withSessionLocks(ids, async () => {
    const current = new Map<string, SessionRecord | undefined>();
    const unreadable = new Map<string, unknown>();
    await eachLimit(ids, async (id) => {
      try {
        current.set(id, live(await store.readSession(id), now));
      } catch (error) {
        unreadable.set(id, error);
      }
    });
    const planned: SessionRecord[] = [];
    let failure: unknown;
    for (const w of writes) {
      if (unreadable.has(w.id)) {
        failure = unreadable.get(w.id);
        break;
      }
      const stored = current.get(w.id);
      try {
        assertVersion(w.id, w.expectedVersion, stored?.version ?? 0, ADAPTER);
      } catch (error) {
        failure = error;
        break;
      }
      const record: SessionRecord = {
        ...nextSession(w, stored, now),
        log: stored?.log ?? newLog(),
      };
      current.set(w.id, record);
      planned.push(record);
    }
    // Messages of an expired or half-deleted predecessor must not leak into a new session.
    const fresh = [...new Set(planned.filter((r) => r.version === 1).map((r) => r.id))];
    await eachLimit(fresh, (id) => store.removeMessages(id));
    await store.writeSessions(planned);
    for (const record of planned) store.commits.note(record.id, record.version);
    if (failure !== undefined) throw failure;
    return planned.map(toStored);
  });
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
  const records = await scanFiles(await store.sessionFiles(), async (file) => {
    const record = await store.readSessionFile(file);
    return record && store.resolveTail(record);
  });
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
    async getMany(ids, ctx) {
      // A few reads at a time keep the thread pool busy; a thousand at once would only queue
      // there, each holding its read buffer, for no earlier result.
      const found: (StoredSession | null)[] = new Array(ids.length).fill(null);
      await eachLimit(ids, async (id, index) => {
        found[index] = await get(id, ctx);
      });
      return found;
    },
    save: (write, { now }) => save(store, write, now),
    saveMany: (writes, { now }) => saveMany(store, writes, now),
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
