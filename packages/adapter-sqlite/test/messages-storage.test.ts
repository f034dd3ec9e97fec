import { createStorage, manualClock } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { rawValue, tempDir } from './helpers.js';

const tmp = tempDir('messages');
afterAll(tmp.cleanup);

it('an append adds one row per message and changes only updatedAt on the session', async () => {
  const path = tmp.path('append.db');
  const clock = manualClock();
  const storage = createStorage(sqliteAdapter({ path }), { clock });
  const saved = await storage.sessions.save({ id: 's', data: { big: 'y'.repeat(10_000) } });
  clock.advance(10);
  expect(await storage.messages.append('s', [{ a: 1 }, { a: 2 }, { a: 3 }])).toBe(3);
  const after = await storage.sessions.get('s');
  expect(after?.version).toBe(saved.version);
  expect(after?.data).toEqual(saved.data);
  expect(after?.updatedAt).toBe(saved.updatedAt + 10);
  expect(rawValue(path, "SELECT count(*) FROM stowage_messages WHERE session_id = 's'")).toBe(3);
  await storage.close();
});

it('trim deletes the oldest rows from the file and range indexes follow the new start', async () => {
  const path = tmp.path('trim.db');
  const storage = createStorage(sqliteAdapter({ path }));
  await storage.sessions.save({ id: 't', data: {} });
  await storage.messages.append(
    't',
    Array.from({ length: 10 }, (_, i) => i),
  );
  expect(await storage.messages.trim('t', { keepLast: 4 })).toBe(6);
  expect(rawValue(path, "SELECT count(*) FROM stowage_messages WHERE session_id = 't'")).toBe(4);
  expect(await storage.messages.range('t')).toEqual([6, 7, 8, 9]);
  expect(await storage.messages.range('t', 1, -2)).toEqual([7, 8]);
  expect(await storage.messages.append('t', [10])).toBe(5);
  expect(await storage.messages.range('t', -2, -1)).toEqual([9, 10]);
  await storage.close();
});

it('re-creating an expired session starts with an empty history in the file', async () => {
  const path = tmp.path('recreate.db');
  const clock = manualClock();
  const storage = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }), { clock });
  await storage.sessions.save({ id: 'r', data: 1 }, { ttl: 100 });
  await storage.messages.append('r', ['old'], { idempotencyKey: 'once' });
  clock.advance(101);
  await storage.sessions.save({ id: 'r', data: 2 });
  expect(rawValue(path, "SELECT count(*) FROM stowage_messages WHERE session_id = 'r'")).toBe(0);
  expect(await storage.messages.append('r', ['new'], { idempotencyKey: 'once' })).toBe(1);
  expect(await storage.messages.range('r')).toEqual(['new']);
  await storage.close();
});

it('an append with a key to a missing or expired session records neither the key nor a message', async () => {
  const path = tmp.path('missing.db');
  const clock = manualClock();
  const storage = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }), { clock });
  await expect(
    storage.messages.append('m', ['lost'], { idempotencyKey: 'k' }),
  ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  const expired = await storage.sessions.save({ id: 'e', data: 1 }, { ttl: 100 });
  clock.advance(101);
  await expect(
    storage.messages.append('e', ['lost'], { idempotencyKey: 'k' }),
  ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  expect(rawValue(path, 'SELECT count(*) FROM stowage_idempotency')).toBe(0);
  expect(rawValue(path, 'SELECT count(*) FROM stowage_messages')).toBe(0);
  expect(rawValue(path, "SELECT updated_at FROM stowage_sessions WHERE id = 'e'")).toBe(
    expired.updatedAt,
  );
  await storage.sessions.save({ id: 'm', data: 2 });
  expect(await storage.messages.append('m', ['kept'], { idempotencyKey: 'k' })).toBe(1);
  expect(await storage.messages.append('m', ['kept'], { idempotencyKey: 'k' })).toBe(1);
  expect(await storage.messages.range('m')).toEqual(['kept']);
  await storage.close();
});

it('label, paging and kv prefix queries are served by indexes, not a scan of every row', async () => {
  const path = tmp.path('plans.db');
  const storage = createStorage(sqliteAdapter({ path }));
  await storage.sessions.save({ id: 'p', data: 1, labels: { userId: 'u1' } });
  await storage.close();
  const db = new Database(path, { readonly: true });
  const plan = (sql: string, ...params: unknown[]): string =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
  const byLabel = plan(
    "SELECT l.session_id FROM stowage_session_labels l CROSS JOIN stowage_sessions s ON s.id = l.session_id WHERE l.name = 'userId' AND l.value = 'u1' AND (s.expires_at IS NULL OR s.expires_at > 0)",
  );
  expect(byLabel).toContain('stowage_session_labels_keyset');
  expect(byLabel).not.toMatch(/SCAN s\b/);
  const page = plan(
    'SELECT s.id FROM stowage_sessions s WHERE (s.expires_at IS NULL OR s.expires_at > 0) AND (s.created_at, s.id) > (0, ?) ORDER BY s.created_at, s.id LIMIT 10',
    'a',
  );
  expect(page).toContain('stowage_sessions_created');
  expect(page).not.toContain('TEMP B-TREE');
  const prefix = plan(
    'SELECT key FROM stowage_kv WHERE key >= ? AND key < ? AND (expires_at IS NULL OR expires_at > 0) ORDER BY key LIMIT 10',
    'user:',
    'user;',
  );
  expect(prefix).toMatch(
    /SEARCH stowage_kv USING INDEX sqlite_autoindex_stowage_kv_1 \(key>\? AND key<\?\)/,
  );
  expect(prefix).not.toContain('TEMP B-TREE');
  db.close();
});
