import { ConfigError } from '@stowage/core';
import type { Pool, PoolConfig } from 'pg';
import { ADAPTER } from './errors.js';

/** Options of `postgresAdapter`. */
export interface PostgresAdapterOptions {
  /**
   * Where to connect: a `postgres://` connection string, a pg `PoolConfig`, or a `pg.Pool` the
   * application already has (the adapter then never closes it). Required.
   */
  connection: string | PoolConfig | Pool;
  /** Schema that holds the tables; created by the migrations when missing. Default `'public'`. */
  schema?: string;
  /**
   * Table prefix, so several apps can share one schema: tables are `<namespace>_sessions`,
   * `<namespace>_kv`, ... Letters, digits and `_`, starting with a letter, at most 48
   * characters (the same rule as the storage's `namespace`). Default `'stowage'`.
   */
  namespace?: string;
  /** Create or upgrade the tables when the adapter opens. Default `true`. */
  migrate?: boolean;
  /** Most connections the adapter's own pool opens (ignored for a given `pg.Pool`). Default 10. */
  poolSize?: number;
  /**
   * How long a call waits for a pooled connection (or a new one) before failing with
   * `TimeoutError`, in ms. It also bounds opening a new connection of the adapter's own pool; a
   * given `pg.Pool` opens connections under its own settings. Default: the storage's `timeout`.
   */
  acquireTimeoutMs?: number;
  /**
   * Server-side `statement_timeout` sent when each connection starts, in ms; `0` sends none
   * (for poolers that refuse startup parameters). Default: the storage's `timeout`.
   */
  statementTimeoutMs?: number;
  /**
   * Send statements as named prepared statements, so each connection parses and plans them once
   * (roughly halves the server time of a single get or save). Turn off behind a pooler in
   * transaction mode that does not support prepared statements (PgBouncer before 1.21, or
   * without `max_prepared_statements`). Default `true`.
   */
  preparedStatements?: boolean;
  /** How often expired rows are swept in the background, in ms; `0` turns it off. Default 60,000. */
  sweepIntervalMs?: number;
  /** Most rows one sweep removes, so a sweep never holds locks for long. Default 1,000. */
  sweepBatchSize?: number;
  /**
   * Receives errors that no call is waiting for: a pooled idle connection that broke (for
   * example during a server restart) or a failed background sweep. Default: emit a process
   * warning.
   */
  onBackgroundError?: (error: Error) => void;
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  connection: string | PoolConfig | Pool;
  schema: string;
  namespace: string;
  migrate: boolean;
  poolSize: number;
  acquireTimeoutMs: number | undefined;
  statementTimeoutMs: number | undefined;
  preparedStatements: boolean;
  sweepIntervalMs: number;
  sweepBatchSize: number;
  onBackgroundError: (error: Error) => void;
}

const NAMESPACE = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;
const SCHEMA = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

function fail(message: string): never {
  throw new ConfigError(message, { adapter: ADAPTER });
}

function count(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(`postgres option ${name} must be an integer of at least ${min}`);
  }
  return value;
}

function warn(error: Error): void {
  process.emitWarning(`Stowage postgres adapter: ${error.message}`, 'StowageWarning');
}

/** Whether a value is a pg pool (or anything shaped like one) rather than a config object. */
export function isPool(value: unknown): value is Pool {
  const candidate = value as Partial<Pool> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.connect === 'function' &&
    typeof candidate.query === 'function' &&
    typeof candidate.on === 'function'
  );
}

/** Validates options and fills in defaults; invalid options are a `ConfigError`. */
export function resolveOptions(options: PostgresAdapterOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    fail('postgresAdapter takes an options object');
  const { connection } = options;
  if (
    !(typeof connection === 'string' && connection.length > 0) &&
    !(typeof connection === 'object' && connection !== null)
  ) {
    fail('postgres option connection must be a connection string, a PoolConfig or a pg.Pool');
  }
  const schema = options.schema ?? 'public';
  if (typeof schema !== 'string' || !SCHEMA.test(schema)) {
    fail(`postgres option schema ${JSON.stringify(schema)} must be a plain SQL identifier`);
  }
  const namespace = options.namespace ?? 'stowage';
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    fail(
      `postgres option namespace ${JSON.stringify(namespace)} must start with a letter and hold only letters, digits and _ (at most 48)`,
    );
  }
  if (options.migrate !== undefined && typeof options.migrate !== 'boolean') {
    fail('postgres option migrate must be a boolean');
  }
  if (options.preparedStatements !== undefined && typeof options.preparedStatements !== 'boolean') {
    fail('postgres option preparedStatements must be a boolean');
  }
  if (options.onBackgroundError !== undefined && typeof options.onBackgroundError !== 'function') {
    fail('postgres option onBackgroundError must be a function');
  }
  return Object.freeze({
    connection,
    schema,
    namespace,
    migrate: options.migrate ?? true,
    poolSize: count(options.poolSize, 'poolSize', 1) ?? 10,
    acquireTimeoutMs: count(options.acquireTimeoutMs, 'acquireTimeoutMs', 1),
    statementTimeoutMs: count(options.statementTimeoutMs, 'statementTimeoutMs', 0),
    preparedStatements: options.preparedStatements ?? true,
    sweepIntervalMs: count(options.sweepIntervalMs, 'sweepIntervalMs', 0) ?? 60_000,
    sweepBatchSize: count(options.sweepBatchSize, 'sweepBatchSize', 1) ?? 1000,
    onBackgroundError: options.onBackgroundError ?? warn,
  });
}
