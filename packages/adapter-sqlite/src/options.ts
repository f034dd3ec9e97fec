import { ConfigError } from '@stowage/core';
import type { SqliteDatabase } from './database.js';

/** Where the adapter's data lives: a file path (or `':memory:'`), or a connection the app owns. */
export type SqliteTarget =
  | {
      /** Database file path, or `':memory:'` for a private in-memory database. */
      path: string;
      database?: never;
    }
  | {
      /** An open better-sqlite3 connection. The adapter sets its pragmas but never closes it. */
      database: SqliteDatabase;
      path?: never;
    };

/** Options of `sqliteAdapter`, besides the target (`path` or `database`). */
export interface SqliteAdapterTuning {
  /** Table-name prefix that isolates apps sharing one file: letters, digits, `_` (default `'stowage'`). */
  namespace?: string;
  /**
   * `'normal'` (default) runs WAL with `synchronous = NORMAL`: a process crash loses nothing, a
   * power cut may lose the last commits. `'full'` syncs every commit to disk.
   */
  durability?: 'normal' | 'full';
  /** How long a write waits for another connection's lock before a `TimeoutError` (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Extra pragmas applied after the adapter's own, for example `{ cache_size: -64000 }`. */
  pragmas?: Record<string, string | number | boolean>;
  /** How often the background sweeper removes expired rows (default 60,000 ms; 0 turns it off). */
  sweepIntervalMs?: number;
  /**
   * Most rows the background sweeper removes per transaction (default 500); a transaction also
   * ends after 10 ms, and the sweeper yields to the event loop between transactions.
   */
  sweepBatchSize?: number;
}

/** Options of `sqliteAdapter`: a target (`path` or `database`) plus tuning. */
export type SqliteAdapterOptions = SqliteTarget & SqliteAdapterTuning;

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  target: SqliteTarget;
  namespace: string;
  synchronous: 'NORMAL' | 'FULL';
  busyTimeoutMs: number;
  pragmas: [string, string | number | boolean][];
  sweepIntervalMs: number;
  sweepBatchSize: number;
}

const ADAPTER = 'sqlite';
const NAMESPACE = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const PRAGMA_NAME = /^[a-z_]+$/;
const PRAGMA_TEXT = /^[A-Za-z0-9_.-]+$/;

function fail(message: string): never {
  throw new ConfigError(message, { adapter: ADAPTER });
}

function nonNegativeInteger(value: unknown, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(`sqlite option ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function checkPragmas(pragmas: unknown): [string, string | number | boolean][] {
  if (pragmas === undefined) return [];
  if (typeof pragmas !== 'object' || pragmas === null)
    fail('sqlite option pragmas must be an object');
  return Object.entries(pragmas).map(([name, value]) => {
    // Pragmas cannot be bound as parameters, so names and values are checked before they reach SQL.
    if (!PRAGMA_NAME.test(name)) fail(`sqlite pragma name ${JSON.stringify(name)} is not valid`);
    const ok =
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && PRAGMA_TEXT.test(value));
    if (!ok) fail(`sqlite pragma ${name} has an invalid value ${JSON.stringify(value)}`);
    return [name, value as string | number | boolean];
  });
}

/** Validates `sqliteAdapter` options and fills in defaults; a bad option is a `ConfigError`. */
export function resolveOptions(options: SqliteAdapterOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    fail('sqliteAdapter needs an options object');
  const { path, database } = options as { path?: unknown; database?: unknown };
  if ((path === undefined) === (database === undefined)) {
    fail('sqliteAdapter needs exactly one of path or database');
  }
  if (path !== undefined && (typeof path !== 'string' || path === '')) {
    fail('sqlite option path must be a non-empty file path or ":memory:"');
  }
  if (database !== undefined && (typeof database !== 'object' || database === null)) {
    fail('sqlite option database must be an open better-sqlite3 Database');
  }
  const namespace = options.namespace ?? 'stowage';
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    fail(
      `sqlite namespace ${JSON.stringify(namespace)} must start with a letter and hold at most 40 letters, digits or underscores`,
    );
  }
  const durability = options.durability ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') {
    fail(`sqlite option durability must be 'normal' or 'full', got ${JSON.stringify(durability)}`);
  }
  return {
    target: options,
    namespace,
    synchronous: durability === 'full' ? 'FULL' : 'NORMAL',
    busyTimeoutMs: nonNegativeInteger(options.busyTimeoutMs, 'busyTimeoutMs', 5000),
    pragmas: checkPragmas(options.pragmas),
    sweepIntervalMs: nonNegativeInteger(options.sweepIntervalMs, 'sweepIntervalMs', 60_000),
    sweepBatchSize: nonNegativeInteger(options.sweepBatchSize, 'sweepBatchSize', 500, 1),
  };
}

/** Whether the target is an in-memory database (no persistence, one process). */
export function isMemoryTarget(target: SqliteTarget): boolean {
  return target.database ? target.database.memory : target.path === ':memory:';
}
