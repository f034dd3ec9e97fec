import {
  BackendError,
  ConfigError,
  ConnectionError,
  StowageError,
  TimeoutError,
} from '@stowage/core';

/** The adapter name used in errors, metrics and health reports. */
export const ADAPTER = 'postgres';

const NODE_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOENT',
]);

/** SQLSTATEs that mean the server went away or refused the connection: retrying later can work. */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03', '53300', '53400']);

/** SQLSTATEs that mean the connection settings are wrong: retrying cannot help. */
const MISCONFIGURED = new Set(['28000', '28P01', '3D000', '3F000']);

const TIMEOUT_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
  'Query read timeout',
  // pg's Client when its own connectionTimeoutMillis ends a connection attempt.
  'timeout expired',
];

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'terminating connection',
];

/**
 * Turns anything pg, pg-pool or node:net throws into a typed `StowageError`: outages become
 * `ConnectionError`, cancelled statements, lock waits and acquire/read timeouts `TimeoutError`, bad
 * credentials or a missing database `ConfigError`, anything else `BackendError`. The original
 * error is kept as `cause`; Stowage errors pass through unchanged.
 */
export function toStowageError(error: unknown, what: string, timeoutMs: number): StowageError {
  if (error instanceof StowageError) return error;
  const { code, message } = describe(error);
  const options = { adapter: ADAPTER, cause: error };
  const text = `${what} failed: ${message}`;
  if (
    code === '57014' ||
    // lock_not_available: a migration gave up waiting for a table lock (its lock_timeout).
    code === '55P03' ||
    code === 'ETIMEDOUT' ||
    TIMEOUT_MESSAGES.some((m) => message.includes(m))
  ) {
    return new TimeoutError(text, timeoutMs, options);
  }
  if (
    (code !== undefined &&
      (SERVER_GONE.has(code) || code.startsWith('08') || NODE_CONNECTION_CODES.has(code))) ||
    CONNECTION_MESSAGES.some((m) => message.includes(m))
  ) {
    return new ConnectionError(text, options);
  }
  if (code !== undefined && MISCONFIGURED.has(code)) return new ConfigError(text, options);
  return new BackendError(text, options);
}

function describe(error: unknown): { code: string | undefined; message: string } {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // node's happy-eyeballs connect reports one error per address; the first says enough.
    return describe(error.errors[0]);
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : undefined, message: error.message };
  }
  return { code: undefined, message: String(error) };
}
