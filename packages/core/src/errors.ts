/**
 * Stable machine-readable error codes. A code never changes meaning between releases, so
 * callers can branch on `error.code` instead of parsing messages.
 */
export type StowageErrorCode =
  | 'VALIDATION'
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'CONNECTION'
  | 'TIMEOUT'
  | 'CAPABILITY'
  | 'CORRUPTION'
  | 'CONFIG'
  | 'CLOSED'
  | 'LEASE_LOST'
  | 'BACKEND';

/** Options shared by every Stowage error constructor. */
export interface StowageErrorOptions {
  /** Name of the adapter the failing call went to (for example `'sqlite'`). */
  adapter?: string;
  /** The original error, kept with its stack. */
  cause?: unknown;
}

/**
 * Base class of every error Stowage throws. `code` is stable, `adapter` names the adapter the
 * call reached (when known) and `cause` carries the driver's original error.
 *
 * @example
 * ```ts
 * try { await storage.sessions.save(s, { expectedVersion: 3 }); }
 * catch (error) { if (error instanceof StowageError && error.code === 'CONFLICT') retry(); }
 * ```
 */
export class StowageError extends Error {
  /** Stable error code. */
  readonly code: StowageErrorCode;
  /** Adapter name, when the error came from (or on the way to) an adapter. */
  adapter: string | undefined;
  /** True when repeating the call later may succeed (outages, timeouts, conflicts). */
  readonly retriable: boolean;

  constructor(
    code: StowageErrorCode,
    message: string,
    options: StowageErrorOptions = {},
    retriable = false,
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StowageError';
    this.code = code;
    this.adapter = options.adapter;
    this.retriable = retriable;
  }
}

/** Bad input: an illegal id, a non-JSON value, a malformed TTL or query. Nothing was changed. */
export class ValidationError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('VALIDATION', message, options);
    this.name = 'ValidationError';
  }
}

/**
 * An optimistic-concurrency check failed: the stored version is not the expected one.
 * `currentVersion` is the version found (0 when the session does not exist).
 */
export class ConflictError extends StowageError {
  /** Id of the session whose version did not match. */
  readonly id: string;
  /** The version that was expected by the caller. */
  readonly expectedVersion: number;
  /** The version actually stored; 0 when no live session exists. */
  readonly currentVersion: number;

  constructor(
    id: string,
    expectedVersion: number,
    currentVersion: number,
    options?: StowageErrorOptions,
  ) {
    super(
      'CONFLICT',
      `Version conflict on session ${JSON.stringify(id)}: expected version ${expectedVersion}, found ${currentVersion === 0 ? 'no session' : `version ${currentVersion}`}`,
      options,
      true,
    );
    this.name = 'ConflictError';
    this.id = id;
    this.expectedVersion = expectedVersion;
    this.currentVersion = currentVersion;
  }
}

/** The addressed item does not exist (or has expired) and the operation needs it to. */
export class NotFoundError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** A value is larger than the configured limit (`maxValueBytes`). Nothing was changed. */
export class PayloadTooLargeError extends StowageError {
  /** Size of the encoded value in bytes. */
  readonly size: number;
  /** The configured limit in bytes. */
  readonly limit: number;

  constructor(size: number, limit: number, options?: StowageErrorOptions) {
    super(
      'PAYLOAD_TOO_LARGE',
      `Value is ${size} bytes once encoded; the limit is ${limit} bytes (option maxValueBytes)`,
      options,
    );
    this.name = 'PayloadTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}

/** The backend could not be reached. Retriable: the adapter reconnects by itself. */
export class ConnectionError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('CONNECTION', message, options, true);
    this.name = 'ConnectionError';
  }
}

/**
 * The call did not finish within its deadline. The outcome of a write that timed out is
 * unknown: it may or may not have been applied.
 */
export class TimeoutError extends StowageError {
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, options?: StowageErrorOptions) {
    super('TIMEOUT', message, options, true);
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The adapter does not offer this kind of operation (see `adapter.capabilities`). */
export class CapabilityError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('CAPABILITY', message, options);
    this.name = 'CapabilityError';
  }
}

/** Stored bytes failed their checksum or could not be decoded. Other items stay readable. */
export class CorruptionError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('CORRUPTION', message, options);
    this.name = 'CorruptionError';
  }
}

/** Invalid options or URL, or an adapter package that is not installed. */
export class ConfigError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/** The storage was closed; no further calls are accepted. */
export class ClosedError extends StowageError {
  constructor(message = 'Storage is closed', options?: StowageErrorOptions) {
    super('CLOSED', message, options);
    this.name = 'ClosedError';
  }
}

/**
 * A queue job was acknowledged, rejected or extended through a delivery that no longer owns it:
 * its lease ended (and the job may have gone to another worker) or it was already settled.
 * Nothing was changed.
 */
export class LeaseLostError extends StowageError {
  /** The queue of the job. */
  readonly queue: string;
  /** The job whose lease was lost. */
  readonly jobId: string;

  constructor(queue: string, jobId: string, options?: StowageErrorOptions) {
    super(
      'LEASE_LOST',
      `The lease on job ${JSON.stringify(jobId)} of queue ${JSON.stringify(queue)} has ended or belongs to another delivery`,
      options,
    );
    this.name = 'LeaseLostError';
    this.queue = queue;
    this.jobId = jobId;
  }
}

/** A backend failure that the adapter did not classify more precisely. `cause` has details. */
export class BackendError extends StowageError {
  constructor(message: string, options?: StowageErrorOptions) {
    super('BACKEND', message, options);
    this.name = 'BackendError';
  }
}

/** Type guard for Stowage errors, optionally of one code. */
export function isStowageError(error: unknown, code?: StowageErrorCode): error is StowageError {
  return error instanceof StowageError && (code === undefined || error.code === code);
}

/**
 * Removes credentials from a connection string so it can appear in messages and logs.
 * `postgres://user:secret@host/db` becomes `postgres://user:***@host/db`.
 */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^/@:]*:)[^@/]*@/, '$1***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}
