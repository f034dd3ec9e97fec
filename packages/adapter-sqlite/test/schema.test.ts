import { createStorage } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { rawValue, tempDir } from './helpers.js';
import { finished, startScript } from './processes.js';

const tmp = tempDir('schema');
afterAll(tmp.cleanup);

it('several processes opening the same new file at once migrate it exactly once', async () => {
  const path = tmp.path('race.db');
  const ids = ['p0', 'p1', 'p2', 'p3'];
  const outputs = await Promise.all(
    ids.map((id) => finished(startScript('./open-worker.mjs', [path, 'race', id]))),
  );
  expect(outputs).toEqual(['done\n', 'done\n', 'done\n', 'done\n']);
  expect(rawValue(path, "SELECT value FROM race_meta WHERE key = 'schema_version'")).toBe('2');
  expect(rawValue(path, 'SELECT count(*) FROM race_sessions')).toBe(4);
}, 30_000);

it('reopening a migrated file keeps its data and migrates nothing again', async () => {
  const path = tmp.path('reopen.db');
  const first = createStorage(sqliteAdapter({ path }));
  await first.sessions.save({ id: 'keep', data: { n: 1 } });
  await first.close();
  const second = createStorage(sqliteAdapter({ path }));
  expect((await second.sessions.get('keep'))?.data).toEqual({ n: 1 });
  await second.close();
  expect(rawValue(path, "SELECT value FROM stowage_meta WHERE key = 'schema_version'")).toBe('2');
});

it('a file migrated by a newer release is refused with a ConfigError', async () => {
  const path = tmp.path('newer.db');
  const storage = createStorage(sqliteAdapter({ path }));
  await storage.sessions.save({ id: 'x', data: 1 });
  await storage.close();
  const db = new Database(path);
  db.prepare("UPDATE stowage_meta SET value = '99' WHERE key = 'schema_version'").run();
  db.close();
  const later = createStorage(sqliteAdapter({ path }));
  await expect(later.sessions.get('x')).rejects.toMatchObject({
    code: 'CONFIG',
    adapter: 'sqlite',
  });
  await later.close();
});

it('namespaces keep apps sharing one file apart', async () => {
  const path = tmp.path('shared.db');
  const a = createStorage(sqliteAdapter({ path, namespace: 'app_a' }));
  const b = createStorage(sqliteAdapter({ path, namespace: 'app_b' }));
  await a.sessions.save({ id: 'same', data: 'a' });
  await b.sessions.save({ id: 'same', data: 'b' });
  await a.kv.set('k', 'a');
  expect((await a.sessions.get('same'))?.data).toBe('a');
  expect((await b.sessions.get('same'))?.data).toBe('b');
  expect(await b.kv.get('k')).toBeUndefined();
  await a.close();
  await b.close();
  expect(rawValue(path, 'SELECT count(*) FROM app_a_sessions')).toBe(1);
  expect(rawValue(path, 'SELECT count(*) FROM app_b_sessions')).toBe(1);
});
