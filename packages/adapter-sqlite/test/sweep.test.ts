import { existsSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { createStorage, manualClock } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { migrate, tablesFor } from '../src/schema.js';
import { Store } from '../src/store.js';
import { Sweeper } from '../src/sweeper.js';
import { rawValue, tempDir } from './helpers.js';

const tmp = tempDir('sweep');
afterAll(tmp.cleanup);

function countRows(path: string, table: string): number {
  return rawValue(path, `SELECT count(*) FROM ${table}`) as number;
}

/** How many descriptors this process has open on `file`: one per connection (Linux). */
function descriptors(file: string): number {
  const real = realpathSync(file);
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === real;
    } catch {
      return false; // closed since the listing
    }
  }).length;
}

/** Saves `n` sessions with a label, a message and the given TTL, in batches of 500. */
async function seed(
  storage: ReturnType<typeof createStorage>,
  prefix: string,
  n: number,
  ttl: number | null,
): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    const ids = Array.from({ length: Math.min(500, n - i) }, (_, k) => `${prefix}-${i + k}`);
    await storage.sessions.saveMany(
      ids.map((id, k) => ({
        id,
        data: { k },
        state: k % 2 ? 'a' : 'b',
        labels: { p: prefix },
        ttl,
      })),
    );
    for (const id of ids.slice(0, 5)) await storage.messages.append(id, [{ n: 1 }]);
  }
}

it('sweep removes expired sessions with their messages, labels and idempotency keys, in bounded batches', async () => {
  const path = tmp.path('batches.db');
  const clock = manualClock();
  const storage = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }), { clock });
  for (let i = 0; i < 5; i++) {
    await storage.sessions.save({ id: `gone-${i}`, data: i, labels: { user: 'u' } }, { ttl: 1000 });
    await storage.messages.append(`gone-${i}`, [{ n: 1 }, { n: 2 }], { idempotencyKey: 'k' });
  }
  await storage.kv.set('kv-gone', 1, { ttl: 1000 });
  await storage.sessions.save({ id: 'stays', data: 'x', labels: { user: 'u' } });
  await storage.messages.append('stays', [{ n: 1 }], { idempotencyKey: 'k' });
  clock.advance(1001);

  expect(await storage.sweep({ limit: 2 })).toBe(2);
  expect(countRows(path, 'stowage_sessions')).toBe(4);
  expect(await storage.sweep({ limit: 10 })).toBe(4);
  expect(await storage.sweep({ limit: 10 })).toBe(0);

  expect(countRows(path, 'stowage_sessions')).toBe(1);
  expect(countRows(path, 'stowage_messages')).toBe(1);
  expect(countRows(path, 'stowage_session_labels')).toBe(1);
  expect(countRows(path, 'stowage_idempotency')).toBe(1);
  expect(countRows(path, 'stowage_kv')).toBe(0);
  expect(await storage.messages.range('stays')).toEqual([{ n: 1 }]);
  await storage.close();
});

it('the background sweeper removes expired rows by the storage clock and gives up its lease on close', async () => {
  const path = tmp.path('background.db');
  const clock = manualClock();
  const storage = createStorage(sqliteAdapter({ path, sweepIntervalMs: 5 }), { clock });
  await storage.sessions.save({ id: 'short', data: 1 }, { ttl: 50 });
  await storage.kv.set('short', 1, { ttl: 50 });
  clock.advance(51);
  // Polls the file until the sweeper has run; the test's own timeout bounds the wait.
  while (countRows(path, 'stowage_sessions') + countRows(path, 'stowage_kv') > 0) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(rawValue(path, "SELECT count(*) FROM stowage_meta WHERE key = 'sweep_lease'")).toBe(1);
  await storage.close();
  expect(rawValue(path, "SELECT count(*) FROM stowage_meta WHERE key = 'sweep_lease'")).toBe(0);
});

it('one sweeper holds the lease at a time until it expires or is given up', () => {
  const db = new Database(tmp.path('lease.db'));
  const tables = tablesFor('lease');
  migrate(db, tables);
  const store = new Store(db, tables);
  const a = new Sweeper(store);
  const b = new Sweeper(store);
  expect(a.acquireLease(1000, 2000)).toBe(true);
  expect(b.acquireLease(1500, 2500)).toBe(false);
  expect(a.acquireLease(1500, 2500)).toBe(true);
  expect(b.acquireLease(2500, 3500)).toBe(true);
  expect(a.acquireLease(2600, 3600)).toBe(false);
  b.stop();
  expect(a.acquireLease(2600, 3600)).toBe(true);
  db.close();
});

// The descriptors show the worker's own connection to the file; /proc/self/fd is Linux's.
it.runIf(existsSync('/proc/self/fd'))(
  'a sweep of a file checkpoints on a worker with its own connection, which close ends',
  async () => {
    const path = tmp.path('worker.db');
    const clock = manualClock();
    const storage = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }), { clock });
    await seed(storage, 'gone', 4000, 1000);
    await seed(storage, 'stays', 300, null);
    clock.advance(1001);
    expect(descriptors(path)).toBe(1);

    let removed = 0;
    for (let n = -1; n !== 0; removed += n) n = await storage.sweep({ limit: 500 });
    expect(removed).toBe(4000);
    // The worker started on the first checkpoint and stays for the next sweep.
    expect(descriptors(path)).toBe(2);
    expect(await storage.sessions.count()).toBe(300);
    expect(await storage.sessions.count({ state: 'a' })).toBe(150);
    expect(countRows(path, 'stowage_sessions')).toBe(300);
    expect(countRows(path, 'stowage_session_labels')).toBe(300);
    expect(countRows(path, 'stowage_messages')).toBe(5);
    expect(rawValue(path, 'SELECT sum(n) FROM stowage_state_counts')).toBe(300);

    await storage.close();
    // The worker's connection is gone, so the main one closed last and removed the WAL.
    expect(descriptors(path)).toBe(0);
    expect(existsSync(`${path}-wal`)).toBe(false);
  },
);

it.runIf(existsSync('/proc/self/fd'))(
  'a connection the app owns is checkpointed on the main thread, never from a worker',
  async () => {
    const path = tmp.path('owned.db');
    const database = new Database(path);
    const clock = manualClock();
    const storage = createStorage(sqliteAdapter({ database, sweepIntervalMs: 0 }), { clock });
    await seed(storage, 'gone', 1000, 1000);
    clock.advance(1001);
    expect(await storage.sweep({ limit: 2000 })).toBe(1000);
    expect(descriptors(path)).toBe(1);
    await storage.close();
    expect(countRows(path, 'stowage_sessions')).toBe(0);
    database.close();
  },
);
