import { BackendError, StowageError, type StowageErrorOptions } from '@stowage/core';

/** The adapter name used in errors, metrics and `capabilities` reports. */
export const ADAPTER = 'file';

/** Why the file system refused to store more: no space left, or the user's quota is used up. */
export type DiskFullReason = 'ENOSPC' | 'EDQUOT';

/**
 * The file system ran out of space (`ENOSPC`) or quota (`EDQUOT`) during a write. The write was
 * not applied: the previous version of the item is intact and no temporary file is left
 * behind. `reason` carries the system error code; `code` stays `'BACKEND'`.
 */
export class DiskFullError extends BackendError {
  /** The system error code that caused the failure. */
  readonly reason: DiskFullReason;

  constructor(message: string, reason: DiskFullReason, options?: StowageErrorOptions) {
    super(message, options);
    this.name = 'DiskFullError';
    this.reason = reason;
  }
}

/** The system error code of a Node.js file-system error, if it has one. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a failure from `node:fs` into a typed Stowage error naming this adapter. Stowage errors
 * pass through unchanged.
 */
export function toStowageError(error: unknown, op: string): StowageError {
  if (error instanceof StowageError) return error;
  // A failed write whose cleanup failed too is classified by the write's own failure.
  const errno = errnoOf(error instanceof AggregateError ? error.errors[0] : error);
  const detail = error instanceof Error ? error.message : String(error);
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new DiskFullError(
      `${op} failed: the file system is full (${errno}); nothing was changed`,
      errno,
      { adapter: ADAPTER, cause: error },
    );
  }
  return new BackendError(`${op} failed in the file adapter: ${detail}`, {
    adapter: ADAPTER,
    cause: error,
  });
}

/**
 * Runs the cleanup steps after `primary` failed, then rethrows `primary`; when a cleanup step
 * fails too, both failures travel together in an `AggregateError`.
 */
export async function failAfterCleanup(
  primary: unknown,
  cleanups: readonly (() => Promise<unknown>)[],
): Promise<never> {
  const failures: unknown[] = [];
  for (const step of cleanups) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 0) throw primary;
  throw new AggregateError([primary, ...failures], 'A write failed and so did its cleanup');
}
