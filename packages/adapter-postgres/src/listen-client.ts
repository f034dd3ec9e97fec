import { createHash } from 'node:crypto';
import pg from 'pg';
import { isPool, type ResolvedOptions } from './options.js';

/**
 * What a notification carries: the Stowage channel `c` with the message `m` or the id `r` of
 * the row holding it, or only a subscription marker `k`.
 */
export interface Envelope {
  c?: string;
  m?: string;
  r?: string;
  k?: string;
}

/** A connected client reserved for LISTEN, and how to let it go. */
export interface Listening {
  client: pg.Client | pg.PoolClient;
  release(): Promise<void>;
}

/** The LISTEN channel of one schema+namespace: hashed so it is a short, plain identifier. */
export function notifyChannel(scope: string): string {
  return `stowage_${createHash('sha256').update(scope).digest('hex').slice(0, 40)}`;
}

/**
 * Opens the connection pub/sub listens on, outside the pool the drivers use. With a
 * connection string or config it is a client of its own, named after `channel` in
 * `pg_stat_activity` unless the config names it; with a `pg.Pool` the application lent, it is
 * one client taken from that pool, destroyed on release so no pooled client keeps the LISTEN.
 */
export async function openListenClient(
  connection: ResolvedOptions['connection'],
  channel: string,
  timeoutMs: number,
): Promise<Listening> {
  if (isPool(connection)) {
    const pooled = await connection.connect();
    return { client: pooled, release: async () => pooled.release(true) };
  }
  const base: pg.ClientConfig =
    typeof connection === 'string' ? { connectionString: connection } : connection;
  const own = new pg.Client({
    application_name: channel,
    ...base,
    connectionTimeoutMillis: timeoutMs,
  });
  await own.connect();
  return { client: own, release: () => own.end() };
}
