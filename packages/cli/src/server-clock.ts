import { ConnectionError } from '@stowage/core';

/** The slice of a `pg` client that the clock probe uses. */
interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<{ rows: { ms: string | number }[] }>;
  end(): Promise<void>;
}

/** The slice of an `ioredis` client that the clock probe uses. */
interface RedisClient {
  time(): Promise<[string, string]>;
  disconnect(): void;
}

/** How far the server's clock is from this machine's, in ms (server minus local). */
async function measure(read: () => Promise<number>): Promise<number> {
  const before = Date.now();
  const server = await read();
  const after = Date.now();
  // The server read its clock somewhere in the round trip; its middle is the best guess.
  return server - (before + after) / 2;
}

/**
 * Measures the clock skew between this machine and the server of a `postgres://` or
 * `redis://` URL, or returns undefined for backends without a server clock. Stowage filters
 * expiry with the application's clock, so skew only affects server-side TTLs (memory reclaim).
 */
export async function serverClockSkew(url: string, timeoutMs: number): Promise<number | undefined> {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    // Named through a variable: the CLI uses two calls of pg and does not need its type package.
    const driver = 'pg';
    const { default: pg } = (await import(driver)) as {
      default: { Client: new (config: object) => PgClient };
    };
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
    try {
      await client.connect();
      return await measure(async () => {
        const { rows } = await client.query(
          'SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms',
        );
        return Number(rows[0]?.ms);
      });
    } catch (error) {
      throw new ConnectionError('Could not read the PostgreSQL server clock', { cause: error });
    } finally {
      // Closing a client whose connection failed can fail too; the probe's outcome stands.
      await client.end().catch(() => undefined);
    }
  }
  if (/^rediss?:\/\//i.test(url)) {
    const { Redis } = (await import('ioredis')) as unknown as {
      Redis: new (url: string, options: object) => RedisClient;
    };
    const client = new Redis(url, {
      lazyConnect: false,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 1,
    });
    try {
      return await measure(async () => {
        const [seconds, micros] = await client.time();
        return Number(seconds) * 1000 + Number(micros) / 1000;
      });
    } catch (error) {
      throw new ConnectionError('Could not read the Redis server clock', { cause: error });
    } finally {
      client.disconnect();
    }
  }
  return undefined;
}
