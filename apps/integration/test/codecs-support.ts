import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { redisAdapter } from '@stowage/adapter-redis';
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import type { BackendInspector } from '@stowage/contract-tests/vitest';
import {
  type Codec,
  composeCodecs,
  compressed,
  encrypted,
  type StowageAdapter,
  systemClock,
} from '@stowage/core';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';

export const POSTGRES_URL =
  process.env.STOWAGE_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.STOWAGE_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A name no other run uses. */
export function unique(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

const keys = { old: randomBytes(32), now: randomBytes(32) };

/** The codecs the contract suite runs under, by label. */
export const CODECS: Record<string, () => Codec> = {
  encrypted: () => encrypted({ keys: { old: keys.old, now: keys.now }, current: 'now' }),
  // A low threshold so that ordinary contract values are compressed too.
  'compressed+encrypted': () =>
    composeCodecs(
      compressed({ threshold: 64 }),
      encrypted({ keys: { old: keys.old, now: keys.now }, current: 'now' }),
    ),
};

/** Opens and closes an adapter once so its schema exists before an inspector reads it. */
export async function prepare(adapter: StowageAdapter): Promise<void> {
  await adapter.open?.({ clock: systemClock, timeoutMs: 10_000 });
  await adapter.close();
}

/** Reads a SQLite namespace's tables directly, through a read-only connection. */
export function sqliteInspector(path: string, namespace: string): BackendInspector {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const count = (sql: string, value: string): number =>
    db.prepare(sql).pluck().get(value) as number;
  return {
    async sessionExists(id) {
      return count(`SELECT count(*) FROM ${namespace}_sessions WHERE id = ?`, id) > 0;
    },
    async messageCount(sessionId) {
      return count(`SELECT count(*) FROM ${namespace}_messages WHERE session_id = ?`, sessionId);
    },
    async kvExists(key) {
      return count(`SELECT count(*) FROM ${namespace}_kv WHERE key = ?`, key) > 0;
    },
    async rawSession(id) {
      return db.prepare(`SELECT data FROM ${namespace}_sessions WHERE id = ?`).pluck().get(id) as
        | string
        | undefined;
    },
    async close() {
      db.close();
    },
  };
}

/** Every byte SQLite keeps for a database: the main file and its write-ahead log. */
export function sqliteBytes(path: string): Buffer {
  const parts = [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p));
  return Buffer.concat(parts);
}

/** Reads a PostgreSQL schema's tables directly over its own client. */
export async function postgresInspector(schema: string): Promise<BackendInspector> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  const table = (suffix: string) => `"${schema}"."stowage_${suffix}"`;
  const count = async (sql: string, value: string): Promise<number> =>
    Number((await client.query<{ n: string }>(sql, [value])).rows[0]?.n ?? 0);
  return {
    async sessionExists(id) {
      return (await count(`SELECT count(*) AS n FROM ${table('sessions')} WHERE id = $1`, id)) > 0;
    },
    messageCount(sessionId) {
      return count(
        `SELECT count(*) AS n FROM ${table('messages')} WHERE session_id = $1`,
        sessionId,
      );
    },
    async kvExists(key) {
      return (await count(`SELECT count(*) AS n FROM ${table('kv')} WHERE key = $1`, key)) > 0;
    },
    async rawSession(id) {
      const { rows } = await client.query<{ data: string }>(
        `SELECT data::text AS data FROM ${table('sessions')} WHERE id = $1`,
        [id],
      );
      return rows[0]?.data;
    },
    async close() {
      await client.end();
    },
  };
}

/** Runs `fn` with a short-lived PostgreSQL client. */
export async function withPostgres<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Every row of every table in a PostgreSQL schema, as text. */
export function postgresDump(schema: string): Promise<string> {
  return withPostgres(async (client) => {
    const { rows } = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    const parts: string[] = [];
    for (const { table_name: name } of rows) {
      const dump = await client.query<{ row: string }>(
        `SELECT t::text AS row FROM "${schema}"."${name}" t`,
      );
      for (const { row } of dump.rows) parts.push(row);
    }
    return parts.join('\n');
  });
}

/** Every value of every key of a Redis namespace, as text (found with SCAN, never KEYS). */
export async function redisDump(namespace: string): Promise<string> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const parts: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', `{${namespace}}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of found) parts.push(await redisValue(client, key));
    } while (cursor !== '0');
    return parts.join('\n');
  } finally {
    client.disconnect();
  }
}

async function redisValue(client: Redis, key: string): Promise<string> {
  const type = await client.type(key);
  switch (type) {
    case 'string':
      return (await client.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await client.hgetall(key));
    case 'list':
      return JSON.stringify(await client.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await client.smembers(key));
    case 'zset':
      return JSON.stringify(await client.zrange(key, '0', '-1'));
    case 'stream':
      return JSON.stringify(await client.xrange(key, '-', '+'));
    default:
      return '';
  }
}

/** Deletes a Redis namespace's keys (SCAN + DEL). */
export async function dropRedisNamespace(namespace: string): Promise<void> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', `{${namespace}}:*`, 'COUNT', 500);
      cursor = next;
      if (found.length > 0) await client.del(...found);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** A backend a test can also read around the adapter, to search what is stored at rest. */
export interface DumpableBackend {
  name: string;
  adapter(): StowageAdapter;
  /** Everything the backend holds for this backend's database, schema or namespace. */
  dump(): Promise<string>;
}

/**
 * Fresh SQLite and PostgreSQL backends (and Redis when `withRedis`) for one test file: every
 * `fresh()` call gets its own file, schema and namespace, and `cleanup()` removes them all.
 */
export function dumpableBackends(tag: string, withRedis: boolean) {
  const dir = mkdtempSync(join(tmpdir(), `stowage-codecs-${tag}-`));
  const schemas: string[] = [];
  const namespaces: string[] = [];
  return {
    fresh(): DumpableBackend[] {
      const path = join(dir, `${unique(tag)}.db`);
      const schema = unique(`stowage_${tag}`);
      schemas.push(schema);
      const backends: DumpableBackend[] = [
        {
          name: 'sqlite',
          adapter: () => sqliteAdapter({ path, sweepIntervalMs: 0 }),
          // The raw file bytes, WAL included: nothing the database ever wrote may hold plaintext.
          dump: async () => sqliteBytes(path).toString('latin1'),
        },
        {
          name: 'postgres',
          adapter: () => postgresAdapter({ connection: POSTGRES_URL, schema, sweepIntervalMs: 0 }),
          dump: () => postgresDump(schema),
        },
      ];
      if (withRedis) {
        const namespace = unique(`t_${tag}`);
        namespaces.push(namespace);
        backends.push({
          name: 'redis',
          adapter: () => redisAdapter({ url: REDIS_URL, namespace }),
          dump: () => redisDump(namespace),
        });
      }
      return backends;
    },
    async cleanup(): Promise<void> {
      rmSync(dir, { recursive: true, force: true });
      await withPostgres(async (client) => {
        for (const schema of schemas) {
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        }
      });
      for (const namespace of namespaces) await dropRedisNamespace(namespace);
    },
  };
}
