import { matchesFingerprint, type SessionDriver } from '@stowage/core';
import { live } from './session-driver.js';
import type { FileStore } from './store.js';

/**
 * Builds `sessions.deleteIfUnchanged`: under the session's lock (the one every write of this
 * session takes, across processes), reads the committed record and removes the session with its
 * message log only when the version, timestamps and committed message count all match. A
 * damaged session file cannot be compared: it is left alone and the `CorruptionError` thrown.
 */
export function sessionDeleteIfUnchanged(
  store: FileStore,
): NonNullable<SessionDriver['deleteIfUnchanged']> {
  return (id, expected, { now }) =>
    store.withSessionLock(id, async () => {
      const record = live(await store.readSession(id), now);
      if (!record || !matchesFingerprint(record, record.log.count, expected)) return false;
      await store.removeSession(id);
      return true;
    });
}
