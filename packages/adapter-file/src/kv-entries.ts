import { isExpired, type KvDriver, type KvWrite } from '@stowage/core';
import type { FileStore } from './store.js';

/** Builds `kv.getEntries`: each key's live entry with its expiry, read from its file. */
export function kvEntries(store: FileStore): NonNullable<KvDriver['getEntries']> {
  return (keys, { now }) =>
    Promise.all(
      keys.map(async (key): Promise<KvWrite | undefined> => {
        const record = await store.readKv(key);
        if (!record || isExpired(record.expiresAt, now)) return undefined;
        return { key, value: record.value, expiresAt: record.expiresAt };
      }),
    );
}
