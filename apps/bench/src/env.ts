import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Default PostgreSQL URL: the shared test database. Override with `BENCH_POSTGRES_URL`. */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** Default Redis URL. Override with `BENCH_REDIS_URL`. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Everything one benchmark run owns on the shared servers and disk: a random id that names a
 * PostgreSQL schema, a Redis key prefix and a temp folder, all removed by `cleanup`.
 */
export interface BenchEnv {
  /** Random run id: lowercase letters and digits, starts with a letter. */
  readonly runId: string;
  /** PostgreSQL connection URL. */
  readonly postgresUrl: string;
  /** PostgreSQL schema of this run (created by `createBenchEnv`). */
  readonly schema: string;
  /** Redis connection URL. */
  readonly redisUrl: string;
  /** Prefix of every Redis key this run writes (Stowage's keys put it inside `{...}`). */
  readonly redisPrefix: string;
  /** Temp folder for SQLite databases and file stores. */
  readonly dir: string;
  /** Drops the schema, deletes the run's Redis keys and removes the temp folder. */
  cleanup(): Promise<void>;
}

async function deleteRedisKeys(url: string, patterns: readonly string[]): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for (const pattern of patterns) await deleteMatching(redis, pattern);
  } finally {
    await redis.quit();
  }
}

async function deleteMatching(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** Creates the run's schema and temp folder. */
export async function createBenchEnv(): Promise<BenchEnv> {
  const runId = `b${randomBytes(5).toString('hex')}`;
  const postgresUrl = process.env.BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
  const redisUrl = process.env.BENCH_REDIS_URL ?? DEFAULT_REDIS_URL;
  const schema = `bench_${runId}`;
  const redisPrefix = `bench_${runId}_`;
  const dir = await mkdtemp(join(tmpdir(), `stowage-bench-${runId}-`));
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return {
    runId,
    postgresUrl,
    schema,
    redisUrl,
    redisPrefix,
    dir,
    async cleanup() {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
      // Stowage keys carry the namespace as a Cluster hash tag: `{bench_<run>_...}:`.
      await deleteRedisKeys(redisUrl, [`${redisPrefix}*`, `{${redisPrefix}*`]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
