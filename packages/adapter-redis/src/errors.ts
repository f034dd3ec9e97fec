import { BackendError, ConnectionError, StowageError, TimeoutError } from '@stowage/core';

/** The adapter name used in errors, metrics and capability messages. */
export const ADAPTER = 'redis';

// Replies and client errors that mean "this server cannot serve you right now": the call may
// succeed once the connection, the topology or the server's loading phase settles.
const UNAVAILABLE =
  /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|MOVED|ASK)\b|Connection is closed|aborted due to connection close|Stream isn't writeable|Reached the max retries|max retries per request|ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|None of startup nodes is available|Failed to refresh slots cache|Cluster isn't ready|All sentinels are unreachable|connect ETIMEDOUT/i;

/**
 * Turns a driver error into the matching `StowageError`: outages become `ConnectionError`,
 * the driver's command timeout becomes `TimeoutError`, anything else a `BackendError`. The
 * original error is kept as `cause`; Stowage errors pass through unchanged.
 */
export function toStowageError(error: unknown, op: string, timeoutMs: number): StowageError {
  if (error instanceof StowageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const options = { adapter: ADAPTER, cause: error };
  if (/Command timed out/i.test(message)) {
    return new TimeoutError(
      `Redis did not answer ${op} within ${timeoutMs} ms`,
      timeoutMs,
      options,
    );
  }
  if (UNAVAILABLE.test(message) || (error as { name?: unknown }).name === 'ClusterAllFailedError') {
    return new ConnectionError(`Redis is unreachable for ${op}: ${message}`, options);
  }
  return new BackendError(`Redis failed ${op}: ${message}`, options);
}
