import { randomBytes } from 'node:crypto';
import type { BackendInspector } from '@stowage/contract-tests/vitest';
import pg from 'pg';

/** The shared test server (never reset: every run works in its own schema). */
export const SHARED_URL =
  process.env.STOWAGE_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other run uses. */
export function randomSchema(prefix = 'stowage_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Runs `fn` with a short-lived client of its own on the shared server. */
export async function withAdminClient<T>(
  fn: (client: pg.Client) => Promise<T>,
  url = SHARED_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs one statement on the shared server through a short-lived client. */
export function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
  url = SHARED_URL,
): Promise<R[]> {
  return withAdminClient(async (client) => (await client.query<R>(text, values)).rows, url);
}

/** Drops a schema this run created, with everything in it. */
export async function dropSchema(schema: string, url = SHARED_URL): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, [], url);
}

/** Reads the adapter's tables directly, bypassing the adapter, over its own client. */
export async function tableInspector(
  schema: string,
  namespace = 'stowage',
  url = SHARED_URL,
): Promise<BackendInspector> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const table = (suffix: string) => `"${schema}"."${namespace}_${suffix}"`;
  const count = async (text: string, value: string): Promise<number> =>
    Number((await client.query<{ n: string }>(text, [value])).rows[0]?.n ?? 0);
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
