import {
  type CallContext,
  compareIds,
  isExpired,
  type KvDriver,
  type KvWrite,
  parseCounter,
  ValidationError,
} from '@stowage/core';
import { ADAPTER } from './errors.js';
import { kvEntries } from './kv-entries.js';
import { scanFiles } from './scan.js';
import { type FileStore, idOfFile, type KvRecord } from './store.js';

function liveEntry(record: KvRecord | undefined, now: number): KvRecord | undefined {
  return record && !isExpired(record.expiresAt, now) ? record : undefined;
}

/**
 * The key-value primitives over a `FileStore`: one checksummed file per key. Every write
 * holds the key's lock, so `increment` and `setIfAbsent` are atomic across processes.
 */
export function kvDriver(store: FileStore): KvDriver {
  const get = async (key: string, { now }: CallContext) =>
    liveEntry(await store.readKv(key), now)?.value;
  const put = (w: KvWrite) =>
    store.withKvLock(w.key, () =>
      store.writeKv({ key: w.key, value: w.value, expiresAt: w.expiresAt }),
    );
  const remove = (key: string, now: number) =>
    store.withKvLock(key, async () => {
      if (!liveEntry(await store.readKv(key), now)) return false;
      return store.removeKv(key);
    });
  return {
    getEntries: kvEntries(store),
    get,
    getMany: (keys, ctx) => Promise.all(keys.map((key) => get(key, ctx))),
    set: (write) => put(write),
    async setMany(writes) {
      for (const w of writes) await put(w);
    },
    delete: (key, { now }) => remove(key, now),
    async deleteMany(keys, { now }) {
      let deleted = 0;
      for (const key of keys) if (await remove(key, now)) deleted++;
      return deleted;
    },
    async keys({ prefix, limit, after }, { now }) {
      const candidates = (await store.kvFiles()).filter((file) => {
        const key = idOfFile(file);
        // Hashed names cannot be matched by name; their files say which key they hold.
        return (
          key === null ||
          (key.startsWith(prefix) && (after === undefined || compareIds(key, after) > 0))
        );
      });
      const records = await scanFiles(candidates, (file) => store.readKvFile(file));
      return records
        .filter(
          (r) =>
            !isExpired(r.expiresAt, now) &&
            r.key.startsWith(prefix) &&
            (after === undefined || compareIds(r.key, after) > 0),
        )
        .map((r) => r.key)
        .sort(compareIds)
        .slice(0, limit);
    },
    expire: (key, expiresAt, { now }) =>
      store.withKvLock(key, async () => {
        const record = liveEntry(await store.readKv(key), now);
        if (!record) return false;
        await store.writeKv({ ...record, expiresAt });
        return true;
      }),
    increment: (key, by, expiresAt, { now }) =>
      store.withKvLock(key, async () => {
        const record = liveEntry(await store.readKv(key), now);
        const next = (record ? parseCounter(record.value, key) : 0) + by;
        if (!Number.isSafeInteger(next)) {
          throw new ValidationError(
            `increment of ${JSON.stringify(key)} would leave the safe integer range`,
            { adapter: ADAPTER },
          );
        }
        await store.writeKv({
          key,
          value: String(next),
          expiresAt: record ? record.expiresAt : expiresAt,
        });
        return next;
      }),
    setIfAbsent: (write, { now }) =>
      store.withKvLock(write.key, async () => {
        if (liveEntry(await store.readKv(write.key), now)) return false;
        await store.writeKv({ key: write.key, value: write.value, expiresAt: write.expiresAt });
        return true;
      }),
  };
}
