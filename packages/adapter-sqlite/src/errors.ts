import {
  BackendError,
  ConnectionError,
  CorruptionError,
  StowageError,
  TimeoutError,
} from '@stowage/core';

/** The adapter's name in errors and metrics. */
export const ADAPTER = 'sqlite';

function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * Turns a better-sqlite3 failure into a typed Stowage error that keeps the original as `cause`:
 * a lock still held after `busy_timeout` is a `TimeoutError`, a damaged file a
 * `CorruptionError`, a file that cannot be opened a `ConnectionError`, anything else a
 * `BackendError`. Stowage errors raised by the adapter itself pass through unchanged.
 */
export function toStowageError(error: unknown, busyTimeoutMs: number): StowageError {
  if (error instanceof StowageError) return error;
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  const options = { adapter: ADAPTER, cause: error };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new TimeoutError(
      `SQLite database stayed locked by another connection for ${busyTimeoutMs} ms (${code})`,
      busyTimeoutMs,
      options,
    );
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new CorruptionError(`SQLite database file is damaged: ${detail}`, options);
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new ConnectionError(`SQLite database file cannot be opened: ${detail}`, options);
  }
  return new BackendError(`SQLite failed: ${detail}`, options);
}
