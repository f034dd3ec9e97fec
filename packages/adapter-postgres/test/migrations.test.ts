import { createStorage } from '@stowage/core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { adapterFromUrl, POSTGRES_SCHEMA_VERSION, postgresAdapter } from '../src/index.js';
import { adminQuery, dropSchema, randomSchema, SHARED_URL } from './support/shared-server.js';
import { waitUntil } from './support/wait.js';

const schemas: string[] = [];
const fresh = (): string => {
  const schema = randomSchema('stowage_mig');
  schemas.push(schema);
  return schema;
};

afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

describe('postgres migrations', () => {
  it('five adapters migrating a fresh schema at once apply each migration exactly once', async () => {
    const schema = fresh();
    const storages = Array.from({ length: 5 }, () =>
      createStorage(postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0 })),
    );
    try {
      const healths = await Promise.all(storages.map((s) => s.health()));
      expect(healths.map((h) => h.ok)).toEqual([true, true, true, true, true]);
      const rows = await adminQuery<{ version: number }>(
        `SELECT version FROM "${schema}".stowage_migrations ORDER BY version`,
      );
      expect(rows.map((r) => r.version)).toEqual(
        Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
      );
      await storages[0]?.sessions.save({ id: 'a', data: 1 });
      expect((await storages[4]?.sessions.get('a'))?.data).toBe(1);
    } finally {
      await Promise.all(storages.map((s) => s.close()));
    }
  });

  it('namespaces in one schema are isolated from each other', async () => {
    const schema = fresh();
    const a = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, namespace: 'app_a' }),
    );
    const b = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, namespace: 'app_b' }),
    );
    try {
      await a.kv.set('shared-key', 'from a');
      expect(await b.kv.get('shared-key')).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('migrate: false refuses to run on tables that were never created', async () => {
    const schema = fresh();
    const storage = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, migrate: false, sweepIntervalMs: 0 }),
    );
    try {
      await expect(storage.kv.get('x')).rejects.toMatchObject({ code: 'CONFIG' });
      const rows = await adminQuery(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
        [schema],
      );
      expect(rows).toHaveLength(0);
    } finally {
      await storage.close();
    }
  });

  it('adapterFromUrl builds the adapter from a URL, namespace and adapter options', async () => {
    const schema = fresh();
    const url = SHARED_URL.replace(/^postgres:/, 'postgresql:');
    const storage = createStorage(
      adapterFromUrl(url, { namespace: 'via_url', schema, sweepIntervalMs: 0 }),
    );
    try {
      await storage.kv.set('k', 1);
      const rows = await adminQuery(`SELECT key FROM "${schema}".via_url_kv`);
      expect(rows).toEqual([{ key: 'k' }]);
      expect(storage.adapterName).toBe('postgres');
    } finally {
      await storage.close();
    }
  });

  it('a pool passed in is used and left open when the storage closes', async () => {
    const schema = fresh();
    const pool = new pg.Pool({ connectionString: SHARED_URL, max: 2 });
    try {
      const storage = createStorage(postgresAdapter({ connection: pool, schema }));
      await storage.kv.set('k', 'v');
      const health = await storage.health();
      expect(health.details).toMatchObject({ schema, namespace: 'stowage' });
      await storage.close();
      const { rows } = await pool.query(`SELECT value FROM "${schema}".stowage_kv`);
      expect(rows).toEqual([{ value: '"v"' }]);
      expect(pool.listenerCount('error')).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('a schema at version 1 is upgraded to the latest version with its data kept and queues usable', async () => {
    const schema = fresh();
    const first = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0 }),
    );
    await first.kv.set('kept', 'v1 data');
    await first.close();
    // Turn the schema back into what version 1 left behind.
    await adminQuery(`DROP TABLE "${schema}".stowage_jobs, "${schema}".stowage_pubsub`);
    await adminQuery(`DROP SEQUENCE "${schema}".stowage_job_seq`);
    await adminQuery(`DELETE FROM "${schema}".stowage_migrations WHERE version >= 2`);

    const behind = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, migrate: false, sweepIntervalMs: 0 }),
    );
    await expect(behind.kv.get('kept')).rejects.toMatchObject({ code: 'CONFIG' });
    await behind.close();

    const upgraded = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0 }),
    );
    try {
      expect(await upgraded.kv.get('kept')).toBe('v1 data');
      const queue = upgraded.queue<string>('after-upgrade');
      await queue.enqueue('job');
      expect((await queue.dequeue())?.payload).toBe('job');
      const rows = await adminQuery<{ version: number }>(
        `SELECT version FROM "${schema}".stowage_migrations ORDER BY version`,
      );
      expect(rows.map((r) => r.version)).toEqual(
        Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
      );
    } finally {
      await upgraded.close();
    }
  });

  it('a schema at version 2 gets the keyset state index and text documents, and keeps its sessions', async () => {
    const schema = fresh();
    const first = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0 }),
    );
    const ids = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      await first.sessions.save({
        id,
        data: { id, tags: ['x'] },
        state: Number(id.slice(1)) % 3 === 0 ? 'open' : 'done',
      });
    }
    await first.close();
    // Turn the schema back into what version 2 left behind.
    await adminQuery(`DROP INDEX "${schema}".stowage_s_state_keyset`);
    await adminQuery(`CREATE INDEX stowage_s_state ON "${schema}".stowage_sessions (state)`);
    await adminQuery(
      `ALTER TABLE "${schema}".stowage_sessions ALTER COLUMN data TYPE jsonb USING data::jsonb`,
    );
    await adminQuery(`DELETE FROM "${schema}".stowage_migrations WHERE version >= 3`);

    const upgraded = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0 }),
    );
    try {
      const open = ids.filter((id) => Number(id.slice(1)) % 3 === 0);
      const firstPage = await upgraded.sessions.list({ state: 'open', limit: 6 });
      const secondPage = await upgraded.sessions.list({
        state: 'open',
        limit: 6,
        cursor: firstPage.cursor ?? undefined,
      });
      expect([...firstPage.items, ...secondPage.items].map((s) => s.id)).toEqual(open);
      expect(secondPage.cursor).toBeNull();
      expect(await upgraded.sessions.count({ state: 'done' })).toBe(ids.length - open.length);
      expect((await upgraded.sessions.get('s07'))?.data).toEqual({ id: 's07', tags: ['x'] });
      // A write the way version 2 code made it (a jsonb value) still lands in the text column.
      await adminQuery(
        `UPDATE "${schema}".stowage_sessions SET data = $1::jsonb, version = version + 1 WHERE id = 's08'`,
        ['{"old":  "writer"}'],
      );
      expect((await upgraded.sessions.get('s08'))?.data).toEqual({ old: 'writer' });
      const [column] = await adminQuery<{ data_type: string }>(
        `SELECT data_type FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'stowage_sessions' AND column_name = 'data'`,
        [schema],
      );
      expect(column?.data_type).toBe('text');
      const indexes = await adminQuery<{ indexname: string }>(
        'SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname',
        [schema, 'stowage_sessions'],
      );
      const names = indexes.map((r) => r.indexname);
      expect(names).toContain('stowage_s_state_keyset');
      expect(names).not.toContain('stowage_s_state');
    } finally {
      await upgraded.close();
    }
  });

  it('a migration blocked by a long transaction gives up at the deadline and runs on a later open', async () => {
    const schema = fresh();
    const first = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0 }),
    );
    await first.sessions.save({ id: 'kept', data: 1 });
    await first.close();
    await adminQuery(`DELETE FROM "${schema}".stowage_migrations WHERE version >= 3`);
    // A reader that stays in its transaction: the migration's DDL needs an exclusive lock.
    const reader = new pg.Client({ connectionString: SHARED_URL });
    await reader.connect();
    const storage = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0 }),
      { timeout: 1000 },
    );
    try {
      await reader.query('BEGIN');
      await reader.query(`SELECT count(*) FROM "${schema}".stowage_sessions`);
      await expect(storage.sessions.get('kept')).rejects.toMatchObject({ code: 'TIMEOUT' });
      // The migration gives up its lock request (lock_timeout) instead of queueing behind the
      // reader, where it would block every other call on the table.
      await waitUntil(async () => {
        const [row] = await adminQuery<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relname = 'stowage_sessions' AND NOT l.granted`,
          [schema],
        );
        if (row?.n !== 0)
          throw new Error(`${row?.n} lock requests still wait on the sessions table`);
      }, 5000);
      await reader.query('COMMIT');
      await waitUntil(() => storage.sessions.get('kept'));
      expect((await storage.sessions.get('kept'))?.data).toBe(1);
      const rows = await adminQuery<{ version: number }>(
        `SELECT version FROM "${schema}".stowage_migrations ORDER BY version`,
      );
      expect(rows.map((r) => r.version)).toContain(3);
    } finally {
      await reader.end();
      await storage.close();
    }
  });

  it('invalid options are a ConfigError before any connection', () => {
    expect(() => postgresAdapter({ connection: SHARED_URL, namespace: 'bad-name' })).toThrow(
      /namespace/,
    );
    expect(() => postgresAdapter({ connection: SHARED_URL, schema: 'x"; DROP' })).toThrow(/schema/);
    expect(() => postgresAdapter({ connection: SHARED_URL, poolSize: 0 })).toThrow(/poolSize/);
    expect(() => adapterFromUrl('mysql://x', {})).toThrow(/postgres:\/\//);
  });
});
