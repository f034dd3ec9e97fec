import { createHash } from 'node:crypto';
import { Deadlines, TimeoutError } from '@stowage/core';
import {
  Client,
  type ClientConfig,
  Pool,
  type PoolClient,
  type PoolConfig,
  type QueryConfig,
  type QueryResultRow,
} from 'pg';
import { ADAPTER, toStowageError } from './errors.js';
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

/** How one step of a call ends: an error, or its value. */
type Done<T> = (error: Error | undefined, value?: T) => void;

/** pg's internals: the socket of a client, which pg-pool itself destroys to drop a connection. */
interface WithSocket {
  connection?: { stream?: { destroy(): void } };
}

/**
 * Drops a connection at once. Ending it politely would wait for the server, which is what a
 * stuck connection never answers; its statement fails and the pool discards it.
 */
function abandon(client: PoolClient): void {
  (client as unknown as WithSocket).connection?.stream?.destroy();
}

/** pg-pool's queue of callers waiting for a connection: internal, so read defensively. */
interface WithWaiters {
  _pendingQueue?: { callback?: unknown }[];
}

/**
 * Takes a caller that gave up waiting out of the pool's queue, as pg-pool does for its own
 * checkout timeout; left there, callers piling up behind connections stuck for minutes would
 * hold memory until each got its turn. Best effort: should the internals change, the caller
 * stays queued and gives the connection straight back when its turn comes.
 */
function forgetWaiter(pool: Pool, callback: unknown): void {
  const queue = (pool as unknown as WithWaiters)._pendingQueue;
  if (!Array.isArray(queue)) return;
  const index = queue.findIndex((item) => item.callback === callback);
  if (index >= 0) queue.splice(index, 1);
}

/** Breaks surface on the statement they end; the listener only keeps them from crashing. */
function ignoreBreak(): void {}

/**
 * pg's `Client` with a bound on connecting. The pool's own `connectionTimeoutMillis` would also
 * put a timer on every checkout of an idle connection; the adapter bounds waiting for a
 * connection with its shared deadlines instead, so only new connections need their own.
 */
function boundedClient(base: PoolConfig['Client'], connectMs: number): PoolConfig['Client'] {
  const Base = (base ?? Client) as typeof Client;
  return class extends Base {
    constructor(config?: string | ClientConfig) {
      super(
        typeof config === 'string'
          ? { connectionString: config, connectionTimeoutMillis: connectMs }
          : { ...config, connectionTimeoutMillis: connectMs },
      );
    }
  };
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
    Client: boundedClient(base.Client, options.acquireTimeoutMs ?? timeoutMs),
    statement_timeout: statementTimeout === 0 ? undefined : statementTimeout,
    allowExitOnIdle: base.allowExitOnIdle ?? true,
  };
}

/**
 * The adapter's access to PostgreSQL: a pool it owns (or one the application lent it), a
 * deadline on waiting for a connection and on every statement, and errors typed on the way out.
 * Statements with parameters go out as named prepared statements unless `preparedStatements` is
 * off: planning a statement cost more than running it for the single-row reads and writes. No
 * statement depends on session state (`SET`), so with `preparedStatements: false` the adapter
 * also works behind a transaction-mode pooler without prepared-statement support.
 *
 * Every deadline shares one ticker, where pg's `query_timeout` and pg-pool's checkout timeout
 * would start and clear two timers on every call. A statement that misses its deadline fails
 * with `TimeoutError` and its connection is destroyed, never handed out again with the statement
 * still running.
 */
export class Database implements Executor {
  private readonly pool: Pool;
  private readonly owned: boolean;
  private readonly onPoolError: (error: Error) => void;
  private readonly prepare: boolean;
  /** How long a call waits for a connection, in ms. */
  private readonly acquireMs: number;
  private readonly deadlines = new Deadlines();
  /** Connections that carry `ignoreBreak`, so one breaking while checked out is harmless. */
  private readonly guarded = new WeakSet<PoolClient>();

  constructor(
    options: ResolvedOptions,
    /** The per-statement deadline in ms. */
    readonly timeoutMs: number,
  ) {
    const { connection } = options;
    this.owned = !isPool(connection);
    this.prepare = options.preparedStatements;
    this.acquireMs = options.acquireTimeoutMs ?? timeoutMs;
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
  private config(text: string, values: unknown[], plan: PlanMode): QueryConfig<unknown[]> {
    const config: QueryConfig<unknown[]> = { text, values };
    if (this.prepare && plan === 'reuse' && values.length > 0) config.name = statementName(text);
    return config;
  }

  /**
   * Checks a connection out of the pool, or fails with `TimeoutError` once `acquireMs` have
   * passed and leaves the pool's queue. A connection that arrives after that goes straight back.
   */
  private checkout(what: string, done: Done<PoolClient>): void {
    const ms = this.acquireMs;
    const connected = (error: Error | undefined, client: PoolClient | undefined): void => {
      if (!this.deadlines.remove(waiting)) {
        client?.release();
        return;
      }
      if (client === undefined) {
        done(toStowageError(error, what, ms));
        return;
      }
      if (!this.guarded.has(client)) {
        this.guarded.add(client);
        client.on('error', ignoreBreak);
      }
      done(undefined, client);
    };
    const waiting = this.deadlines.add(ms, () => {
      forgetWaiter(this.pool, connected);
      done(
        new TimeoutError(`${what} failed: no connection within ${ms} ms`, ms, { adapter: ADAPTER }),
      );
    });
    this.pool.connect(connected);
  }

  /**
   * Runs one statement on a checked-out connection. At `ms` without a reply it fails with
   * `TimeoutError` and destroys the connection (the caller releases it with that error).
   */
  private send<R extends QueryResultRow>(
    client: PoolClient,
    config: QueryConfig<unknown[]>,
    what: string,
    ms: number,
    done: Done<R[]>,
  ): void {
    const reading = this.deadlines.add(ms, () => {
      abandon(client);
      done(new TimeoutError(`${what} failed: no reply within ${ms} ms`, ms, { adapter: ADAPTER }));
    });
    try {
      client.query<R>(config, (error, result) => {
        if (!this.deadlines.remove(reading)) return;
        if (error) done(error);
        else done(undefined, result.rows);
      });
    } catch (error) {
      // pg reports most failures through the callback; anything it throws must still end the
      // call (and release the connection) instead of escaping from a pool callback.
      if (this.deadlines.remove(reading)) {
        done(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /** Runs one statement outside any explicit transaction. */
  query<R extends QueryResultRow>(
    what: string,
    text: string,
    values: unknown[] = [],
    plan: PlanMode = 'reuse',
  ): Promise<R[]> {
    const config = this.config(text, values, plan);
    return new Promise<R[]>((resolve, reject) => {
      this.checkout(what, (error, client) => {
        if (client === undefined) {
          reject(error);
          return;
        }
        this.send<R>(client, config, what, this.timeoutMs, (error, rows) => {
          // A statement error leaves the connection usable; pg-pool discards a broken one itself.
          client.release(error instanceof TimeoutError ? error : undefined);
          if (rows) resolve(rows);
          else reject(toStowageError(error, what, this.timeoutMs));
        });
      });
    });
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
    const client = await new Promise<PoolClient>((resolve, reject) =>
      this.checkout(what, (error, client) => (client ? resolve(client) : reject(error))),
    );
    const run: RunQuery = <R extends QueryResultRow>(text: string, values: unknown[] = []) =>
      new Promise<R[]>((resolve, reject) =>
        this.send<R>(client, this.config(text, values, 'reuse'), what, timeoutMs, (error, rows) =>
          rows ? resolve(rows) : reject(error),
        ),
      );
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
      throw toStowageError(error, what, timeoutMs);
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
