import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, type Storage } from '@stowage/core';
import { Redis } from 'ioredis';

/** A storage on one backend, and how to remove everything the test stored there. */
export interface TestBackend {
  storage: Storage;
  /** Closes the storage and deletes the test's data (temp folder, schema or keys). */
  dispose(): Promise<void>;
}

/** A backend the flows run on: its name and how to open a fresh, isolated storage on it. */
export interface BackendCase {
  name: string;
  open(): Promise<TestBackend>;
}

/** The slice of a pg client the cleanup uses (this app does not depend on @types/pg). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const { Client: PgClientClass } = createRequire(import.meta.url)('pg') as {
  Client: new (options: { connectionString: string }) => PgClient;
};

const POSTGRES_URL = process.env.STOWAGE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.STOWAGE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/**
 * Waits until no session lock lease is left in the storage. Each request hands its lease back
 * after its response has gone out, so the last one may still be on its way when a test ends;
 * closing the storage first would make that release fail.
 */
async function settleLocks(storage: Storage): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await storage.kv.keys({ prefix: 'express-session:lock:', limit: 1 })).items.length > 0) {
    if (Date.now() > deadline) throw new Error('session locks were not released within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits for in-flight lock releases, then closes the storage. */
async function closeStorage(storage: Storage): Promise<void> {
  await settleLocks(storage);
  await storage.close();
}

function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A SQLite file in a temporary folder, removed afterwards. */
export function sqliteBackend(): TestBackend {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-example-'));
  const storage = createStorage(`sqlite://${join(dir, 'chat.db')}`);
  return {
    storage,
    async dispose() {
      await closeStorage(storage);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The shared PostgreSQL, in a schema of its own that is dropped afterwards. */
export function postgresBackend(): TestBackend {
  const schema = uniqueName('example');
  const storage = createStorage(POSTGRES_URL, {
    namespace: 'chat',
    adapterOptions: { schema, sweepIntervalMs: 0 },
  });
  return {
    storage,
    async dispose() {
      await closeStorage(storage);
      const client = new PgClientClass({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The shared Redis, under a namespace of its own whose keys are deleted afterwards. */
export function redisBackend(): TestBackend {
  const namespace = uniqueName('example');
  const storage = createStorage(REDIS_URL, { namespace });
  return {
    storage,
    async dispose() {
      await closeStorage(storage);
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
      await redis.connect();
      try {
        // Every key of a namespace starts with "{namespace}:"; SCAN, never KEYS, on a shared server.
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `{${namespace}}:*`, 'COUNT', 500);
          if (keys.length > 0) await redis.unlink(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** Every backend the example must work on. */
export const BACKENDS: BackendCase[] = [
  { name: 'sqlite', open: async () => sqliteBackend() },
  { name: 'postgres', open: async () => postgresBackend() },
  { name: 'redis', open: async () => redisBackend() },
];

/** A cookie-signing secret for tests. */
export const TEST_SECRET = 'example-test-secret-0123456789-abcdefghijklmnop';
