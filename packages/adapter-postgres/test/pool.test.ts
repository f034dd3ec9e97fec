import { randomBytes } from 'node:crypto';
import { createStorage, isStowageError } from '@stowage/core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAdapter } from '../src/index.js';
import { useFixture } from './support/fixture.js';
import { adminQuery, SHARED_URL } from './support/shared-server.js';
import { waitUntil } from './support/wait.js';

const fx = useFixture();
const appName = `stowage-pool-${randomBytes(4).toString('hex')}`;
const storage = createStorage(
  postgresAdapter({
    connection: { connectionString: SHARED_URL, application_name: appName },
    schema: fx.schema,
    poolSize: 2,
    acquireTimeoutMs: 300,
    sweepIntervalMs: 0,
  }),
  { timeout: 10_000 },
);
afterAll(() => storage.close());

const connections = async (): Promise<number> => {
  const [row] = await adminQuery<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [appName],
  );
  return row?.n ?? 0;
};

/** Holds a row lock on a kv entry from a separate client until `release` is called. */
async function lockEntry(key: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: SHARED_URL });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SELECT 1 FROM "${fx.schema}".stowage_kv WHERE key = $1 FOR UPDATE`, [key]);
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

describe('postgres pool limits', () => {
  it('an exhausted pool fails further calls with TimeoutError and never opens more connections than poolSize', async () => {
    await storage.kv.set('locked', 0);
    const lock = await lockEntry('locked');
    const blocked = [storage.kv.set('locked', 1), storage.kv.set('locked', 2)];
    try {
      await waitUntil(async () => {
        const [row] = await adminQuery<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [appName],
        );
        expect(row?.n).toBe(2);
      });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => storage.kv.get(`other-${i}`)),
      );
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect(isStowageError(r.status === 'rejected' ? r.reason : undefined, 'TIMEOUT')).toBe(
          true,
        );
      }
      expect(await connections()).toBe(2);
    } finally {
      await lock.release();
    }
    await Promise.all(blocked);
    expect(await storage.kv.get<number>('locked')).toBeGreaterThan(0);
    expect(await connections()).toBeLessThanOrEqual(2);
  });

  it('acquireTimeoutMs bounds waiting on a lent pool, and callers that gave up leave its queue', async () => {
    const lent = new pg.Pool({ connectionString: SHARED_URL, max: 1 });
    const onLent = fx.open({ connection: lent, acquireTimeoutMs: 200 });
    try {
      await onLent.kv.set('held', 0);
      const lock = await lockEntry('held');
      const blocked = onLent.kv.set('held', 1);
      try {
        await waitUntil(async () => expect(lent.idleCount).toBe(0));
        const results = await Promise.allSettled(
          Array.from({ length: 5 }, (_, i) => onLent.kv.get(`waiting-${i}`)),
        );
        for (const r of results) {
          expect(isStowageError(r.status === 'rejected' ? r.reason : undefined, 'TIMEOUT')).toBe(
            true,
          );
        }
        expect(lent.waitingCount).toBe(0);
      } finally {
        await lock.release();
      }
      await blocked;
      expect(await onLent.kv.get('held')).toBe(1);
    } finally {
      await onLent.close();
      await lent.end();
    }
  });

  it('a driver that throws instead of calling back fails the call and gives the connection back', async () => {
    const lent = new pg.Pool({ connectionString: SHARED_URL, max: 1 });
    // The tables exist already (the fixture's storages migrated them); this pool only reads.
    lent.on('connect', (client) => {
      client.query = (() => {
        throw new Error('driver broke');
      }) as typeof client.query;
    });
    const broken = fx.open({ connection: lent, migrate: false });
    try {
      const error = await broken.kv.get('anything').catch((e: unknown) => e);
      expect(isStowageError(error)).toBe(true);
      expect((error as Error).message).toContain('driver broke');
      expect(lent.totalCount - lent.idleCount).toBe(0);
    } finally {
      await broken.close();
      await lent.end();
    }
  });

  it('a statement past its deadline fails with TimeoutError and its connection is never reused', async () => {
    // The adapter alone, so its own deadline acts (not the storage's); one connection, and no
    // server-side timeout, so only the client side can end the stuck statement.
    const adapter = postgresAdapter({
      connection: SHARED_URL,
      schema: fx.schema,
      poolSize: 1,
      statementTimeoutMs: 0,
      sweepIntervalMs: 0,
    });
    await adapter.open?.({ clock: fx.clock, timeoutMs: 400 });
    const kv = adapter.kv;
    if (!kv) throw new Error('the postgres adapter has a kv driver');
    const ctx = { now: fx.clock.now() };
    await kv.set({ key: 'stuck', value: '0', expiresAt: null }, ctx);
    const lock = await lockEntry('stuck');
    try {
      const started = performance.now();
      const error = await kv
        .set({ key: 'stuck', value: '1', expiresAt: null }, ctx)
        .catch((e: unknown) => e);
      expect(isStowageError(error, 'TIMEOUT')).toBe(true);
      expect(performance.now() - started).toBeLessThan(2_000);
      // The lock is still held: this works only on a new connection.
      await kv.set({ key: 'free', value: '1', expiresAt: null }, ctx);
      expect(await kv.get('free', ctx)).toBe('1');
    } finally {
      await lock.release();
      await adapter.close();
    }
  });

  it('statementTimeoutMs cancels a statement on the server and reports TimeoutError', async () => {
    const short = fx.open({ statementTimeoutMs: 200 });
    await short.kv.set('slow', 0);
    const lock = await lockEntry('slow');
    try {
      const error = await short.kv.set('slow', 1).catch((e: unknown) => e);
      expect(isStowageError(error, 'TIMEOUT')).toBe(true);
      expect(((error as Error).cause as { code?: string }).code).toBe('57014');
    } finally {
      await lock.release();
    }
    expect(await short.kv.get('slow')).toBe(0);
  });
});
