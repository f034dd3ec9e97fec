import { ConflictError, ConnectionError, TimeoutError } from '@stowage/core';

/** Name used in errors raised by this package. */
export const ADAPTER_NAME = 'express-session';

/**
 * A request tried to save a session that changed (or ended) after the request loaded it. The
 * save was refused so no other request's update is lost. `status` is 409, so Express's error
 * handling answers `409 Conflict`.
 */
export class StaleSessionError extends ConflictError {
  /** HTTP status for this error: 409. */
  readonly status = 409;
  /** The message is safe to show to the client. */
  readonly expose = true;

  constructor(id: string, expectedVersion: number, currentVersion: number, cause: unknown) {
    super(id, expectedVersion, currentVersion, { adapter: ADAPTER_NAME, cause });
    this.name = 'StaleSessionError';
    this.message =
      currentVersion === 0
        ? 'The session ended while this request was running; its changes were not saved'
        : 'The session was changed by another request while this one was running; its changes were not saved';
  }
}

/**
 * The session store could not be reached (a `ConnectionError` or `TimeoutError` from the
 * storage). The request is answered with `status` (503 unless configured) instead of running
 * without its session.
 */
export class SessionUnavailableError extends ConnectionError {
  /** HTTP status for this error: 503 unless `unavailableStatus` says otherwise. */
  readonly status: number;
  /** The message is safe to show to the client. */
  readonly expose = true;

  constructor(status: number, cause: unknown) {
    super('The session store is unavailable; try again shortly', { adapter: ADAPTER_NAME, cause });
    this.name = 'SessionUnavailableError';
    this.status = status;
  }
}

/**
 * With `concurrency: 'serialize'`, a request waited longer than `lockTimeout` for the other
 * requests of its session to finish. Answered with `status` 503 and a `Retry-After` header.
 */
export class SessionLockTimeoutError extends TimeoutError {
  /** HTTP status for this error: 503. */
  readonly status = 503;
  /** The message is safe to show to the client. */
  readonly expose = true;

  constructor(timeoutMs: number) {
    super(
      `Other requests of this session kept it busy for ${timeoutMs} ms; try again shortly`,
      timeoutMs,
      { adapter: ADAPTER_NAME },
    );
    this.name = 'SessionLockTimeoutError';
  }
}

/** Whether a storage failure means the backend is unreachable (as opposed to a bad request). */
export function isOutage(error: unknown): boolean {
  return (
    (error instanceof ConnectionError || error instanceof TimeoutError) &&
    !(error instanceof SessionLockTimeoutError)
  );
}
