import { createStorage, manualClock } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { countQuery, idsQuery, listQuery } from '../src/query.js';
import { tablesFor } from '../src/schema.js';
import { rawValue, schemaV2Sql, schemaV4Sql, tempDir } from './helpers.js';
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
  expect(rawValue(path, "SELECT value FROM race_meta WHERE key = 'schema_version'")).toBe('5');
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
  expect(rawValue(path, "SELECT value FROM stowage_meta WHERE key = 'schema_version'")).toBe('5');
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

/** The `EXPLAIN QUERY PLAN` details of a statement, one step per line. */
function queryPlan(db: Database.Database, q: { sql: string; params: unknown[] }): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
    .map((r) => r.detail)
    .join('\n');
}

it('a file at version 2 gets the keyset state and label indexes, and keeps its sessions and labels', async () => {
  const path = tmp.path('v2.db');
  const clock = manualClock(1_000_000);
  const first = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }), { clock });
  const ids = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, '0')}`);
  for (const [i, id] of ids.entries()) {
    await first.sessions.save({
      id,
      data: { id },
      state: i % 3 === 0 ? 'open' : 'done',
      labels: { tenant: i % 2 === 0 ? 'even' : 'odd', n: String(i) },
    });
    clock.advance(10);
  }
  await first.sessions.save({ id: 'gone', data: 0, labels: { tenant: 'even' } }, { ttl: 5 });
  await first.close();
  // Turn the file back into what version 2 left behind.
  const db = new Database(path);
  db.exec(schemaV2Sql('stowage'));
  // A label row whose session is gone, which version 3 drops.
  db.prepare("INSERT INTO stowage_session_labels VALUES ('orphan', 'tenant', 'even')").run();
  db.close();

  clock.advance(100);
  const upgraded = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }), { clock });
  try {
    const open = ids.filter((_, i) => i % 3 === 0);
    const page1 = await upgraded.sessions.list({ state: 'open', limit: 6 });
    const page2 = await upgraded.sessions.list({
      state: 'open',
      limit: 6,
      cursor: page1.cursor ?? undefined,
    });
    expect([...page1.items, ...page2.items].map((s) => s.id)).toEqual(open);
    expect(page2.cursor).toBeNull();
    const even = ids.filter((_, i) => i % 2 === 0);
    const byLabel: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await upgraded.sessions.list({
        labels: { tenant: 'even' },
        order: 'desc',
        limit: 4,
        ...(cursor ? { cursor } : {}),
      });
      byLabel.push(...page.items.map((s) => s.id));
      cursor = page.cursor ?? undefined;
    } while (cursor);
    expect(byLabel).toEqual([...even].reverse());
    expect(await upgraded.sessions.count({ state: 'done' })).toBe(ids.length - open.length);
    expect(await upgraded.sessions.count({ labels: { tenant: 'even' } })).toBe(even.length);
    expect(await upgraded.sessions.count({ labels: { tenant: 'odd', n: '3' } })).toBe(1);
    expect((await upgraded.sessions.get('s07'))?.labels).toEqual({ tenant: 'odd', n: '7' });
    // A session saved after the upgrade pages after the upgraded ones.
    await upgraded.sessions.save({ id: 'new', data: 1, state: 'open', labels: { tenant: 'even' } });
    const all = await upgraded.sessions.list({ labels: { tenant: 'even' }, limit: 100 });
    expect(all.items.map((s) => s.id)).toEqual([...even, 'new']);
  } finally {
    await upgraded.close();
  }
  expect(rawValue(path, "SELECT value FROM stowage_meta WHERE key = 'schema_version'")).toBe('5');
  expect(
    rawValue(path, "SELECT count(*) FROM stowage_session_labels WHERE session_id = 'orphan'"),
  ).toBe(0);
  expect(
    rawValue(
      path,
      'SELECT count(*) FROM stowage_session_labels l JOIN stowage_sessions s ON s.id = l.session_id WHERE l.created_at = s.created_at',
    ),
  ).toBe(rawValue(path, 'SELECT count(*) FROM stowage_session_labels'));
  const names = new Database(path, { readonly: true });
  try {
    const indexes = (
      names.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all() as string[]
    ).sort();
    expect(indexes).toContain('stowage_sessions_state_keyset');
    expect(indexes).toContain('stowage_session_labels_keyset');
    expect(indexes).not.toContain('stowage_sessions_state');
    expect(indexes).not.toContain('stowage_session_labels_lookup');
  } finally {
    names.close();
  }
});

it('a file at version 4 loses the updated_at index and keeps its sessions, counts, message logs and filters by updatedAt', async () => {
  const path = tmp.path('v4.db');
  const clock = manualClock(2_000_000);
  const first = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }), { clock });
  for (let i = 0; i < 20; i++) {
    await first.sessions.save({ id: `u${i}`, data: i, state: i % 2 === 0 ? 'open' : 'done' });
    clock.advance(10);
  }
  // Message logs as version 4 kept them, counted on the session row: one trimmed to nothing.
  await first.messages.append('u11', ['a', 'b', 'c']);
  await first.messages.append('u13', ['x', 'y']);
  await first.messages.trim('u13', { keepLast: 0 });
  await first.close();
  const db = new Database(path);
  db.exec(schemaV4Sql('stowage'));
  db.close();
  expect(
    rawValue(path, "SELECT count(*) FROM sqlite_master WHERE name = 'stowage_sessions_updated'"),
  ).toBe(1);

  const upgraded = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }), { clock });
  try {
    // u0..u19 were updated at 2_000_000 + 10 i.
    const middle = 2_000_000 + 95;
    expect(await upgraded.sessions.count({ updatedBefore: middle })).toBe(10);
    expect(await upgraded.sessions.count({ updatedAfter: middle })).toBe(10);
    expect(await upgraded.sessions.count({ state: 'open' })).toBe(10);
    expect(await upgraded.messages.append('u11', ['d'])).toBe(4);
    expect(await upgraded.messages.range('u11')).toEqual(['a', 'b', 'c', 'd']);
    expect(await upgraded.messages.length('u13')).toBe(0);
    expect(await upgraded.messages.append('u13', ['z'])).toBe(1);
    expect(await upgraded.messages.range('u13')).toEqual(['z']);
    expect(rawValue(path, "SELECT seq FROM stowage_messages WHERE session_id = 'u13'")).toBe(2);
    // Saves that keep the state and expiry, change the state, and change the expiry.
    await upgraded.sessions.save({ id: 'u0', data: 'kept', state: 'open' });
    await upgraded.sessions.save({ id: 'u2', data: 'moved', state: 'done' });
    await upgraded.sessions.save({ id: 'u4', data: 'ttl', state: 'open' }, { ttl: 1000 });
    expect(await upgraded.sessions.count({ state: 'open' })).toBe(9);
    expect(await upgraded.sessions.count({ updatedBefore: middle })).toBe(7);
    const open = await upgraded.sessions.list({ state: 'open', limit: 100 });
    expect(open.items.map((s) => s.id)).toEqual([
      'u0',
      'u4',
      'u6',
      'u8',
      'u10',
      'u12',
      'u14',
      'u16',
      'u18',
    ]);
    expect(open.items[1]?.expiresAt).toBe(clock.now() + 1000);
    expect(await upgraded.sessions.deleteWhere({ updatedBefore: middle })).toBe(7);
    expect(await upgraded.sessions.count({})).toBe(13);
  } finally {
    await upgraded.close();
  }
  expect(rawValue(path, "SELECT value FROM stowage_meta WHERE key = 'schema_version'")).toBe('5');
  expect(
    rawValue(path, "SELECT count(*) FROM sqlite_master WHERE name = 'stowage_sessions_updated'"),
  ).toBe(0);
  expect(rawValue(path, 'PRAGMA integrity_check')).toBe('ok');
});

it('listing and counting by one state or one label read their indexes in keyset order', async () => {
  const path = tmp.path('plans.db');
  const storage = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }));
  await storage.sessions.save({ id: 'p', data: 1, labels: { tenant: 't1' } });
  await storage.close();
  const t = tablesFor('stowage');
  const db = new Database(path, { readonly: true });
  try {
    const now = Date.now();
    const page = (filter: object, after?: { createdAt: number; id: string }) =>
      queryPlan(
        db,
        listQuery(t, { order: 'asc', limit: 100, ...filter, ...(after ? { after } : {}) }, now),
      );
    const byState = page({ states: ['open'] }, { createdAt: 0, id: 'a' });
    expect(byState).toContain('USING INDEX stowage_sessions_state_keyset (state=? AND');
    expect(byState).not.toContain('TEMP B-TREE');
    const byLabel = page({ labels: { tenant: 't1' } }, { createdAt: 0, id: 'a' });
    expect(byLabel).toMatch(
      /SEARCH l USING COVERING INDEX stowage_session_labels_keyset \(name=\? AND value=\? AND/,
    );
    expect(byLabel).not.toContain('TEMP B-TREE');
    const both = page({ states: ['open'], labels: { tenant: 't1', plan: 'pro' } });
    expect(both).toContain('stowage_session_labels_keyset');
    expect(both).not.toContain('TEMP B-TREE');
    expect(page({})).toContain('stowage_sessions_created');
    const countState = queryPlan(db, countQuery(t, { states: ['open'] }, now));
    expect(countState).toContain('SEARCH stowage_state_counts USING PRIMARY KEY (state=?)');
    expect(countState).toContain('stowage_sessions_expires');
    expect(countState).not.toContain('stowage_sessions_state_keyset');
    expect(countState).not.toMatch(/SCAN (s|stowage_sessions)\b/);
    const countAll = queryPlan(db, countQuery(t, {}, now));
    expect(countAll).toContain('SCAN stowage_state_counts');
    expect(countAll).not.toMatch(/SCAN (s|stowage_sessions)\b/);
    const countUpdated = queryPlan(db, countQuery(t, { states: ['open'], updatedAfter: 0 }, now));
    expect(countUpdated).toContain('stowage_sessions_state_keyset (state=?)');
    const countLabel = queryPlan(db, countQuery(t, { labels: { tenant: 't1' } }, now));
    expect(countLabel).toContain(
      'COVERING INDEX stowage_session_labels_keyset (name=? AND value=?)',
    );
    expect(countLabel).not.toMatch(/SCAN (s|stowage_sessions)\b/);
  } finally {
    db.close();
  }
});

it('deleteWhere by label visits only the sessions with that label', async () => {
  const path = tmp.path('delete-plan.db');
  const storage = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }));
  await storage.sessions.save({ id: 'a', data: 1, labels: { userId: 'u1' } });
  await storage.sessions.save({ id: 'b', data: 2, labels: { userId: 'u2' } });
  expect(await storage.sessions.deleteWhere({ labels: { userId: 'u1' } })).toBe(1);
  expect((await storage.sessions.get('b'))?.data).toBe(2);
  await storage.close();
  const db = new Database(path, { readonly: true });
  try {
    const plan = queryPlan(db, idsQuery(tablesFor('stowage'), { labels: { userId: 'u1' } }, 0));
    expect(plan).toContain('stowage_session_labels_keyset (name=? AND value=?)');
    expect(plan).not.toMatch(/SCAN (s|stowage_sessions)\b/);
  } finally {
    db.close();
  }
});
