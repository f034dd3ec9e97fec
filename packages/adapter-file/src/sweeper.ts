import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type CallContext, isExpired } from '@stowage/core';
import { errnoOf } from './errors.js';
import { eachLimit, TEMP_PREFIX } from './fs-io.js';
import { scanFiles } from './scan.js';
import type { FileStore } from './store.js';

/** Sessions removed under one set of locks, with one fsync of the sessions folder. */
const SWEEP_BATCH = 128;

/**
 * Deletes expired sessions (with their messages) under their locks; at most `limit`. Each
 * batch re-reads its files under the locks (a session saved again since the scan stays),
 * unlinks them side by side and fsyncs the folder once before removing their messages.
 */
async function sweepSessions(store: FileStore, limit: number, now: number): Promise<number> {
  const expired = (
    await scanFiles(await store.sessionFiles(), (file) => store.readSessionFile(file))
  ).filter((r) => isExpired(r.expiresAt, now));
  const ids = expired.slice(0, limit).map((r) => r.id);
  let removed = 0;
  for (let at = 0; at < ids.length; at += SWEEP_BATCH) {
    const batch = ids.slice(at, at + SWEEP_BATCH);
    removed += await store.withSessionLocks(batch, async () => {
      const doomed: string[] = [];
      await eachLimit(batch, async (id) => {
        const record = await store.readSessionRaw(id);
        if (record && isExpired(record.expiresAt, now)) doomed.push(id);
      });
      await store.removeSessions(doomed);
      return doomed.length;
    });
  }
  return removed;
}

/** Deletes expired kv entries under their locks; at most `limit`. */
async function sweepKv(store: FileStore, limit: number, now: number): Promise<number> {
  const expired = (await scanFiles(await store.kvFiles(), (file) => store.readKvFile(file))).filter(
    (r) => isExpired(r.expiresAt, now),
  );
  let removed = 0;
  for (const { key } of expired.slice(0, limit)) {
    const done = await store.withKvLock(key, async () => {
      const record = await store.readKv(key);
      if (!record || !isExpired(record.expiresAt, now)) return false;
      return store.removeKv(key);
    });
    if (done) removed++;
  }
  return removed;
}

/**
 * Removes temporary files and half-deleted folders that a crashed writer left behind (and
 * the prepared files of lock sets, see `withLocks`). Only
 * ones older than `minAgeMs` go, so a write in progress in another process keeps its file.
 */
async function sweepLeftovers(store: FileStore, minAgeMs: number): Promise<void> {
  const dirs = [store.sessionsDir, store.messagesDir, store.kvDir, store.queuesDir, store.locksDir];
  for (const dir of dirs) {
    for (const name of await readdir(dir)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const path = join(dir, name);
      try {
        if (Date.now() - (await stat(path)).mtimeMs < minAgeMs) continue;
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') continue;
        throw error;
      }
      await rm(path, { recursive: true, force: true });
    }
  }
}

/**
 * One sweep of the namespace: expired sessions first, then kv entries, at most `limit` items
 * in all, then leftovers of crashed writers. Only one process sweeps at a time (a `sweep.lock`
 * file); a caller that finds a sweep running returns 0 at once.
 */
export async function sweep(store: FileStore, limit: number, ctx: CallContext): Promise<number> {
  const removed = await store.asSweeper(async () => {
    let count = await sweepSessions(store, limit, ctx.now);
    if (count < limit) count += await sweepKv(store, limit - count, ctx.now);
    await sweepLeftovers(store, store.lock.staleMs);
    return count;
  });
  return removed ?? 0;
}
