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
