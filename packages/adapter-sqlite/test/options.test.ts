import { existsSync } from 'node:fs';
import { createStorage } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import type { SqliteAdapterOptions } from '../src/index.js';
import { adapterFromUrl, pathFromUrl, sqliteAdapter } from '../src/index.js';
import { rawValue, tempDir } from './helpers.js';

const tmp = tempDir('options');
afterAll(tmp.cleanup);

it.each([
  ['a namespace with a dash', { path: ':memory:', namespace: 'my-app' }],
  ['a namespace with SQL in it', { path: ':memory:', namespace: 'x; DROP TABLE y' }],
  ['a namespace starting with a digit', { path: ':memory:', namespace: '1app' }],
  ['an empty path', { path: '' }],
  ['both path and database', { path: ':memory:', database: new Database(':memory:') }],
  ['a negative busy timeout', { path: ':memory:', busyTimeoutMs: -1 }],
  ['an unknown durability', { path: ':memory:', durability: 'fast' }],
  ['a pragma value with SQL in it', { path: ':memory:', pragmas: { cache_size: '1; DROP' } }],
  ['a zero sweep batch', { path: ':memory:', sweepBatchSize: 0 }],
])('refuses %s with a ConfigError before opening anything', (_name, options) => {
  expect(() => sqliteAdapter(options as unknown as SqliteAdapterOptions)).toThrow(
    expect.objectContaining({ code: 'CONFIG', adapter: 'sqlite' }),
  );
});

it('reads paths out of sqlite: URLs', () => {
  expect(pathFromUrl('sqlite::memory:')).toBe(':memory:');
  expect(pathFromUrl('sqlite:./data/app.db')).toBe('./data/app.db');
  expect(pathFromUrl('sqlite:app.db')).toBe('app.db');
  expect(pathFromUrl('sqlite:///var/lib/app.db')).toBe('/var/lib/app.db');
  expect(pathFromUrl('sqlite:///tmp/with%20space.db')).toBe('/tmp/with space.db');
  expect(() => pathFromUrl('sqlite:')).toThrow(expect.objectContaining({ code: 'CONFIG' }));
});

it('sqlite::memory: is neither persistent nor shared between processes', () => {
  const adapter = adapterFromUrl('sqlite::memory:', {});
  expect(adapter.capabilities).toEqual({
    atomicBatch: true,
    multiProcess: false,
    persistent: false,
  });
  expect(sqliteAdapter({ path: tmp.path('file.db') }).capabilities.persistent).toBe(true);
});

it('a sqlite:/// URL adapter creates missing folders and uses the namespace', async () => {
  const path = tmp.path('deep/er/app.db');
  // createStorage('sqlite:...') resolves this package by name, which works once it is
  // installed beside @stowage/core; here the adapter is built from the URL directly.
  const storage = createStorage(adapterFromUrl(`sqlite://${path}`, { namespace: 'fromurl' }));
  await storage.sessions.save({ id: 's', data: { ok: true } });
  expect(await storage.capabilities()).toMatchObject({ persistent: true, multiProcess: true });
  await storage.close();
  expect(existsSync(path)).toBe(true);
  expect(rawValue(path, 'SELECT count(*) FROM fromurl_sessions')).toBe(1);
});

it('an app-owned connection gets WAL and the pragmas, and stays open after close', async () => {
  const db = new Database(tmp.path('owned.db'));
  const storage = createStorage(
    sqliteAdapter({ database: db, durability: 'full', pragmas: { cache_size: -4000 } }),
  );
  await storage.kv.set('k', 1);
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(db.pragma('synchronous', { simple: true })).toBe(2);
  expect(db.pragma('cache_size', { simple: true })).toBe(-4000);
  await storage.close();
  expect(db.open).toBe(true);
  expect(db.prepare('SELECT value FROM stowage_kv').pluck().get()).toBe('1');
  db.close();
});

it('a path-opened database runs WAL with synchronous NORMAL by default', async () => {
  const storage = createStorage(sqliteAdapter({ path: tmp.path('defaults.db') }));
  const report = await storage.health();
  expect(report.ok).toBe(true);
  expect(report.details).toMatchObject({ journalMode: 'wal', schemaVersion: 5 });
  await storage.close();
  const db = new Database(tmp.path('defaults.db'));
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  db.close();
});
