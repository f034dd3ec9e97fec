import { randomBytes } from 'node:crypto';

/** The shared test server (trust auth, database `test`). */
export const PG_URL =
  process.env.STOWAGE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test run uses. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
}

/** Drops the schemas a test created. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  const driver = 'pg';
  const { default: pg } = (await import(driver)) as {
    default: { Client: new (config: object) => PgClient };
  };
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
