import { createStorage } from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll, expect, test } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { rawValue, schemaV2Sql, tempDir } from './helpers.js';

const tmp = tempDir('queue-storage');
afterAll(() => tmp.cleanup());

test('a file at schema version 1 gains the queue table on open and keeps its sessions', async () => {
  const path = tmp.path('upgrade.db');
  const before = createStorage(sqliteAdapter({ path, namespace: 'up', sweepIntervalMs: 0 }));
  await before.sessions.save({ id: 's1', data: { kept: true } });
  await before.close();
  // Turn the file back into what the previous release wrote: no jobs table, version 1.
  const db = new Database(path);
  db.exec(schemaV2Sql('up'));
  db.exec("DROP TABLE up_jobs; UPDATE up_meta SET value = '1' WHERE key = 'schema_version'");
  db.close();

  const after = createStorage(sqliteAdapter({ path, namespace: 'up', sweepIntervalMs: 0 }));
  await after.queue('q').enqueue('hello', { id: 'j1' });
  expect((await after.sessions.get('s1'))?.data).toEqual({ kept: true });
  expect((await after.queue('q').dequeue())?.payload).toBe('hello');
  await after.close();
  expect(rawValue(path, "SELECT value FROM up_meta WHERE key = 'schema_version'")).toBe('5');
});

test('choosing the next jobs reads the ready index in delivery order without sorting', async () => {
  const path = tmp.path('plan.db');
  const storage = createStorage(sqliteAdapter({ path, namespace: 'plan', sweepIntervalMs: 0 }));
  await storage.queue('q').enqueue(1);
  await storage.close();
  const db = new Database(path, { readonly: true });
  const plan = db
    .prepare(
      `EXPLAIN QUERY PLAN SELECT seq FROM plan_jobs WHERE queue = ? AND token IS NULL
       AND failed_at IS NULL AND available_at <= ? ORDER BY available_at, seq LIMIT ?`,
    )
    .all('q', 0, 1) as { detail: string }[];
  db.close();
  const details = plan.map((row) => row.detail).join('\n');
  expect(details).toContain('plan_jobs_ready');
  expect(details).not.toContain('TEMP B-TREE');
});

test('a job acked through one storage is gone for another storage on the same file', async () => {
  const path = tmp.path('two.db');
  const a = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }));
  const b = createStorage(sqliteAdapter({ path, sweepIntervalMs: 0 }));
  await a.queue('q').enqueue({ step: 1 }, { id: 'only' });
  const job = await b.queue('q').dequeue();
  expect(job?.id).toBe('only');
  expect(await a.queue('q').dequeue()).toBeNull();
  await job?.ack();
  expect(await a.queue('q').size()).toEqual({ ready: 0, delayed: 0, leased: 0, dead: 0 });
  await Promise.all([a.close(), b.close()]);
});
