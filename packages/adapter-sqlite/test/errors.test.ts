import { writeFileSync } from 'node:fs';
import { createStorage, StowageError } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('errors');
afterAll(tmp.cleanup);

it('a write lock held past busy_timeout is a TimeoutError, and writes work again once it is released', async () => {
  const path = tmp.path('busy.db');
  const storage = createStorage(sqliteAdapter({ path, busyTimeoutMs: 20 }));
  await storage.sessions.save({ id: 's', data: 1 });
  const blocker = new Database(path);
  blocker.exec('BEGIN IMMEDIATE');
  const error = await storage.sessions.save({ id: 's', data: 2 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StowageError);
  expect(error).toMatchObject({ code: 'TIMEOUT', adapter: 'sqlite', timeoutMs: 20 });
  expect((error as Error).cause).toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
  blocker.exec('ROLLBACK');
  blocker.close();
  expect((await storage.sessions.save({ id: 's', data: 3 })).version).toBe(2);
  await storage.close();
});

it('a file that is not a database is a CorruptionError carrying the driver error', async () => {
  const path = tmp.path('garbage.db');
  writeFileSync(path, 'this is not an SQLite database '.repeat(200));
  const storage = createStorage(sqliteAdapter({ path }));
  const error = await storage.sessions.get('x').catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'CORRUPTION', adapter: 'sqlite' });
  expect((error as Error).cause).toMatchObject({ code: 'SQLITE_NOTADB' });
  await storage.close();
});

it('labels that no longer decode are a CorruptionError for that session only', async () => {
  const path = tmp.path('labels.db');
  const storage = createStorage(sqliteAdapter({ path }));
  await storage.sessions.save({ id: 'bad', data: 1, labels: { a: 'b' } });
  await storage.sessions.save({ id: 'good', data: 2 });
  const db = new Database(path);
  db.prepare("UPDATE stowage_sessions SET labels = '{' WHERE id = 'bad'").run();
  db.close();
  await expect(storage.sessions.get('bad')).rejects.toMatchObject({ code: 'CORRUPTION' });
  expect((await storage.sessions.get('good'))?.data).toBe(2);
  await storage.close();
});

it('calls after close fail with a clear error instead of touching a closed file', async () => {
  const adapter = sqliteAdapter({ path: tmp.path('closed.db') });
  const storage = createStorage(adapter);
  await storage.kv.set('k', 1);
  await storage.close();
  await expect(adapter.kv?.get('k', { now: Date.now() })).rejects.toMatchObject({
    code: 'CLOSED',
  });
});
