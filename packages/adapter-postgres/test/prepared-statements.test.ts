import { createStorage } from '@stowage/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresAdapter } from '../src/index.js';
import { useFixture } from './support/fixture.js';
import { SHARED_URL } from './support/shared-server.js';

const fx = useFixture();

/** A one-connection pool, so the statements a storage prepared are visible on that connection. */
async function withOneConnection<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: SHARED_URL, max: 1 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

async function preparedNames(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    'SELECT name FROM pg_prepared_statements ORDER BY name',
  );
  return rows.map((r) => r.name);
}

describe('postgres prepared statements', () => {
  it('are used by default and give the same results as unnamed statements', async () => {
    await withOneConnection(async (pool) => {
      const prepared = createStorage(
        postgresAdapter({ connection: pool, schema: fx.schema, namespace: 'prep_on' }),
      );
      const plain = createStorage(
        postgresAdapter({
          connection: pool,
          schema: fx.schema,
          namespace: 'prep_off',
          preparedStatements: false,
        }),
      );
      try {
        for (const storage of [prepared, plain]) {
          await storage.sessions.save({ id: 'a', data: { n: 1 }, labels: { user: 'u' } });
          await storage.sessions.save({ id: 'a', data: { n: 2 }, labels: { user: 'u' } });
        }
        const on = await prepared.sessions.get('a');
        const off = await plain.sessions.get('a');
        expect(on).toMatchObject({ data: { n: 2 }, version: 2, labels: { user: 'u' } });
        expect(off).toMatchObject({ data: { n: 2 }, version: 2, labels: { user: 'u' } });
        // Only the first storage's statements are on the connection: the second sent none.
        const names = await preparedNames(pool);
        expect(names.length).toBeGreaterThan(0);
        expect(names.every((name) => name.startsWith('stowage_'))).toBe(true);
        const before = names.length;
        await plain.sessions.get('a');
        await plain.sessions.save({ id: 'b', data: 1 });
        expect(await preparedNames(pool)).toHaveLength(before);
      } finally {
        await Promise.all([prepared.close(), plain.close()]);
      }
    });
  });

  it('two namespaces sharing one connection never run each other statements', async () => {
    await withOneConnection(async (pool) => {
      const a = createStorage(
        postgresAdapter({ connection: pool, schema: fx.schema, namespace: 'share_a' }),
      );
      const b = createStorage(
        postgresAdapter({ connection: pool, schema: fx.schema, namespace: 'share_b' }),
      );
      try {
        await a.sessions.save({ id: 'same', data: 'from a' });
        await b.sessions.save({ id: 'same', data: 'from b' });
        await a.sessions.save({ id: 'same', data: 'from a again' });
        expect((await a.sessions.get('same'))?.data).toBe('from a again');
        expect((await b.sessions.get('same'))?.data).toBe('from b');
        expect((await a.sessions.get('same'))?.version).toBe(2);
        expect((await b.sessions.get('same'))?.version).toBe(1);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  it('a non-boolean preparedStatements is a ConfigError', () => {
    expect(() =>
      postgresAdapter({
        connection: SHARED_URL,
        preparedStatements: 'yes' as unknown as boolean,
      }),
    ).toThrow(/preparedStatements/);
  });
});
