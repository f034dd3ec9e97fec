import { Pool, type PoolClient, type PoolConfig, type QueryConfig, type QueryResultRow } from 'pg';
import { toStowageError } from './errors.js';
import { isPool, type ResolvedOptions } from './options.js';

/** Runs one parameterised statement and resolves with its rows. */
export type RunQuery = <R extends QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

/** What the drivers need from the database: single statements and transactions. */
export interface Executor {
  /** Runs one statement outside any explicit transaction; `what` names the call in errors. */
  query<R extends QueryResultRow>(what: string, text: string, values?: unknown[]): Promise<R[]>;
  /** Runs `fn` inside one transaction on one connection. */
  transaction<T>(what: string, fn: (query: RunQuery) => Promise<T>): Promise<T>;
}

/** pg reads `query_timeout` from a query's config, though its types do not declare it. */
type TimedQuery = QueryConfig<unknown[]> & { query_timeout: number };

function poolConfig(
  connection: string | PoolConfig,
  options: ResolvedOptions,
  timeoutMs: number,
): PoolConfig {
  const base: PoolConfig =
    typeof connection === 'string' ? { connectionString: connection } : { ...connection };
  const statementTimeout = options.statementTimeoutMs ?? timeoutMs;
  return {
    ...base,
    max: options.poolSize,
    connectionTimeoutMillis: options.acquireTimeoutMs ?? timeoutMs,
    statement_timeout: statementTimeout === 0 ? undefined : statementTimeout,
    allowExitOnIdle: base.allowExitOnIdle ?? true,
  };
}

/**
 * The adapter's access to PostgreSQL: a pool it owns (or one the application lent it), a
 * client-side read deadline on every statement, and errors typed on the way out. Every
 * statement is self-contained (no session `SET`, no named prepared statements), so it also
 * works behind a transaction-mode pooler.
 */
export class Database implements Executor {
  private readonly pool: Pool;
  private readonly owned: boolean;
  private readonly onPoolError: (error: Error) => void;

  constructor(
    options: ResolvedOptions,
    /** The per-statement deadline in ms. */
    readonly timeoutMs: number,
  ) {
    const { connection } = options;
    this.owned = !isPool(connection);
    this.pool = isPool(connection)
      ? connection
      : new Pool(poolConfig(connection, options, timeoutMs));
    // Without a listener, an idle client dying (server restart) would crash the process.
    this.onPoolError = (error) =>
      options.onBackgroundError(toStowageError(error, 'an idle pooled connection', timeoutMs));
    this.pool.on('error', this.onPoolError);
  }

  /** Runs one statement outside any explicit transaction. */
  async query<R extends QueryResultRow>(
    what: string,
    text: string,
    values: unknown[] = [],
  ): Promise<R[]> {
    try {
      const config: TimedQuery = { text, values, query_timeout: this.timeoutMs };
      return (await this.pool.query<R>(config)).rows;
    } catch (error) {
      throw toStowageError(error, what, this.timeoutMs);
    }
  }

  /**
   * Runs `fn` inside BEGIN/COMMIT on one pooled client. Any error rolls back; a client whose
   * rollback fails (or that broke) is destroyed rather than returned to the pool.
   */
  async transaction<T>(what: string, fn: (query: RunQuery) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStowageError(error, what, this.timeoutMs);
    }
    const run: RunQuery = async <R extends QueryResultRow>(
      text: string,
      values: unknown[] = [],
    ) => {
      const config: TimedQuery = { text, values, query_timeout: this.timeoutMs };
      return (await client.query<R>(config)).rows;
    };
    try {
      await run('BEGIN');
      const result = await fn(run);
      await run('COMMIT');
      client.release();
      return result;
    } catch (error) {
      try {
        await run('ROLLBACK');
        client.release();
      } catch (rollbackError) {
        client.release(
          rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)),
        );
      }
      throw toStowageError(error, what, this.timeoutMs);
    }
  }

  /** Pool figures for health reports. */
  stats(): { total: number; idle: number; waiting: number } {
    return {
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
    };
  }

  /** Ends the pool if the adapter created it; a lent pool is only detached from. */
  async close(): Promise<void> {
    if (this.owned) {
      await this.pool.end();
    }
    this.pool.removeListener('error', this.onPoolError);
  }
}
