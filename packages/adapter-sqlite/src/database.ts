/**
 * The slice of a better-sqlite3 prepared statement the adapter uses. Describing only this slice
 * keeps better-sqlite3's own types out of the public API while any `Database.prepare()` result
 * still fits.
 */
export interface SqliteStatement {
  /** Runs a write; `changes` is the number of rows it touched. */
  run(...params: unknown[]): { changes: number };
  /** The first result row, or `undefined`. */
  get(...params: unknown[]): unknown;
  /** Every result row. */
  all(...params: unknown[]): unknown[];
  /** Makes `get`/`all` return the first column's value instead of a row object. */
  pluck(toggle?: boolean): SqliteStatement;
}

/** A transaction function built by `SqliteDatabase.transaction`. */
export interface SqliteTransaction<A extends unknown[], R> {
  /** Runs inside `BEGIN DEFERRED`: a consistent read snapshot that upgrades only when it writes. */
  deferred(...args: A): R;
  /** Runs inside `BEGIN IMMEDIATE`: takes the write lock first, waiting up to `busy_timeout`. */
  immediate(...args: A): R;
}

/**
 * The slice of a better-sqlite3 `Database` the adapter uses. Pass an existing connection as
 * `sqliteAdapter({ database })` when the app already owns one.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const adapter = sqliteAdapter({ database: new Database('app.db') });
 * ```
 */
export interface SqliteDatabase {
  /** True for an in-memory database. */
  readonly memory: boolean;
  /** True while the connection is open. */
  readonly open: boolean;
  /** Compiles a statement once for repeated use. */
  prepare(sql: string): SqliteStatement;
  /** Runs one or more statements that return nothing. */
  exec(sql: string): unknown;
  /** Reads or sets a pragma. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Wraps `fn` so it runs in a transaction. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>;
  /** Closes the connection. */
  close(): unknown;
}
