import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig, type QueryConfig, type QueryResultRow } from 'pg';
import { toStowageError } from './errors.js';
import { isPool, type ResolvedOptions } from './options.js';

/**
 * How the server plans a statement. `'reuse'` (the default) sends it as a named prepared
 * statement when the adapter's `preparedStatements` is on, so each connection parses and plans it
 * once; `'fresh'` always sends it unnamed, so it is planned for its actual values every time
 * (filters whose best plan depends on how common the filtered value is).
 */
export type PlanMode = 'reuse' | 'fresh';

/** Runs one parameterised statement and resolves with its rows. */
export type RunQuery = <R extends QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

/** What the drivers need from the database: single statements and transactions. */
export interface Executor {
  /** Runs one statement outside any explicit transaction; `what` names the call in errors. */
  query<R extends QueryResultRow>(
    what: string,
    text: string,
    values?: unknown[],
    plan?: PlanMode,
  ): Promise<R[]>;
  /**
   * Runs `fn` inside one transaction on one connection. `timeoutMs` replaces the client-side
   * read deadline of its statements (migrations allow more than a call's deadline).
   */
  transaction<T>(what: string, fn: (query: RunQuery) => Promise<T>, timeoutMs?: number): Promise<T>;
}

/** pg reads `query_timeout` from a query's config, though its types do not declare it. */
type TimedQuery = QueryConfig<unknown[]> & { query_timeout: number };

/** Statement names by text, shared by every instance: a name depends on the text alone. */
const statementNames = new Map<string, string>();

/**
 * The prepared-statement name of a text. Derived from a hash, so two adapters sharing a lent
 * pool (different namespaces, different texts) never reuse a name for another statement, and
 * short enough for PostgreSQL's 63-byte identifiers.
 */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `stowage_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    statementNames.set(text, name);
  }
  return name;
}

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
 * client-side read deadline on every statement, and errors typed on the way out. Statements
 * with parameters go out as named prepared statements unless `preparedStatements` is off:
 * planning a statement cost more than running it for the single-row reads and writes. No
 * statement depends on session state (`SET`), so with `preparedStatements: false` the adapter
 * also works behind a transaction-mode pooler without prepared-statement support.
 */
export class Database implements Executor {
  private readonly pool: Pool;
  private readonly owned: boolean;
  private readonly onPoolError: (error: Error) => void;
  private readonly prepare: boolean;

  constructor(
    options: ResolvedOptions,
    /** The per-statement deadline in ms. */
    readonly timeoutMs: number,
  ) {
    const { connection } = options;
    this.owned = !isPool(connection);
    this.prepare = options.preparedStatements;
    this.pool = isPool(connection)
      ? connection
      : new Pool(poolConfig(connection, options, timeoutMs));
    // Without a listener, an idle client dying (server restart) would crash the process.
    this.onPoolError = (error) =>
      options.onBackgroundError(toStowageError(error, 'an idle pooled connection', timeoutMs));
    this.pool.on('error', this.onPoolError);
  }

  /**
   * The query config of one statement. Statements without parameters (BEGIN, DDL) stay on the
   * simple protocol: preparing them would save nothing.
   */
  private config(
    text: string,
    values: unknown[],
    plan: PlanMode,
    timeoutMs = this.timeoutMs,
  ): TimedQuery {
    const config: TimedQuery = { text, values, query_timeout: timeoutMs };
    if (this.prepare && plan === 'reuse' && values.length > 0) config.name = statementName(text);
    return config;
  }

  /** Runs one statement outside any explicit transaction. */
  async query<R extends QueryResultRow>(
    what: string,
    text: string,
    values: unknown[] = [],
    plan: PlanMode = 'reuse',
  ): Promise<R[]> {
    try {
      return (await this.pool.query<R>(this.config(text, values, plan))).rows;
    } catch (error) {
      throw toStowageError(error, what, this.timeoutMs);
    }
  }

  /**
   * Runs `fn` inside BEGIN/COMMIT on one pooled client. Any error rolls back; a client whose
   * rollback fails (or that broke) is destroyed rather than returned to the pool.
   */
  async transaction<T>(
    what: string,
    fn: (query: RunQuery) => Promise<T>,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
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
      return (await client.query<R>(this.config(text, values, 'reuse', timeoutMs))).rows;
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
