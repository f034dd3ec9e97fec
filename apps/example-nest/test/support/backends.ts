import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ChatConfig } from '../../src/chat-config.js';

/** Where a test run stores its data, and how to delete it once the app has closed its storage. */
export interface BackendRun {
  config: Omit<ChatConfig, 'secret'>;
  remove(): Promise<void>;
}

/** The slice of a pg client the cleanup uses (this app does not depend on @types/pg). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const { Client } = createRequire(import.meta.url)('pg') as {
  Client: new (options: { connectionString: string }) => PgClient;
};

const POSTGRES_URL = process.env.STOWAGE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.STOWAGE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

const unique = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

/** Each backend the Nest flows run on, configured by URL so that `StowageModule` opens it. */
export const BACKENDS: { name: string; prepare(): BackendRun }[] = [
  {
    name: 'sqlite',
    prepare() {
      const dir = mkdtempSync(join(tmpdir(), 'stowage-nest-example-'));
      return {
        config: { url: `sqlite://${join(dir, 'chat.db')}` },
        remove: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    prepare() {
      const schema = unique('nest_example');
      return {
        config: { url: POSTGRES_URL, adapterOptions: { schema, sweepIntervalMs: 0 } },
        async remove() {
          const client = new Client({ connectionString: POSTGRES_URL });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await client.end();
          }
        },
      };
    },
  },
  {
    name: 'redis',
    prepare() {
      const namespace = unique('nest_example');
      return {
        config: { url: REDIS_URL, namespace },
        async remove() {
          const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
          try {
            // SCAN, never KEYS, on a shared server; every key of the namespace starts "{ns}:".
            for await (const keys of redis.scanStream({ match: `{${namespace}}:*`, count: 500 })) {
              if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
            }
          } finally {
            redis.disconnect();
          }
        },
      };
    },
  },
];
