import { type ExpiredCounts, isExpired } from '@stowage/core';
import { toStowageError } from './errors.js';
import { scanFiles } from './scan.js';
import type { FileStore } from './store.js';

/**
 * `countExpired`: a scan of every session and kv file of the namespace (the expiry is inside
 * each checksummed file, so each is read once; only a flag per expired item is kept). Damaged
 * files are skipped with a warning, as in the sweeper's scan.
 */
export async function countExpired(store: FileStore, now: number): Promise<ExpiredCounts> {
  const expired = (record: { expiresAt: number | null } | undefined): true | undefined =>
    record && isExpired(record.expiresAt, now) ? true : undefined;
  try {
    const [sessions, kv] = await Promise.all([
      scanFiles(await store.sessionFiles(), async (file) =>
        expired(await store.readSessionFile(file)),
      ),
      scanFiles(await store.kvFiles(), async (file) => expired(await store.readKvFile(file))),
    ]);
    return { sessions: sessions.length, kv: kv.length };
  } catch (error) {
    throw toStowageError(error, 'countExpired');
  }
}
