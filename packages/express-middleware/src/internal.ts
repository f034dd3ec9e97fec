import { ConfigError, parseTtl, type Ttl } from '@stowage/core';
import { ADAPTER_NAME } from './errors.js';

/** Reads a duration option, turning a malformed value into a `ConfigError` that names it. */
export function durationOption(value: Ttl, name: string): number {
  try {
    return parseTtl(value, name);
  } catch (error) {
    throw new ConfigError(`Invalid option ${name}: ${(error as Error).message}`, {
      adapter: ADAPTER_NAME,
      cause: error,
    });
  }
}

/**
 * Hands a promise's outcome to a Node-style callback. The callback runs outside the promise
 * chain, so an exception it throws surfaces as usual instead of being caught and reported twice.
 * A failure nobody passed a callback for goes to `orphan`.
 */
export function settle<T>(
  promise: Promise<T>,
  callback: ((error: unknown, value?: T) => void) | undefined,
  orphan: (error: unknown) => void,
): void {
  promise.then(
    (value) => {
      if (callback) process.nextTick(callback, null, value);
    },
    (error: unknown) => {
      if (callback) process.nextTick(callback, error);
      else orphan(error);
    },
  );
}

/**
 * The session's content as express-session compares it: JSON without the top-level `cookie`,
 * whose expiry moves on every request and so is not a change of the session.
 */
export function snapshotOf(session: object): string {
  return JSON.stringify(session, function (this: unknown, key: string, value: unknown) {
    return this === session && key === 'cookie' ? undefined : value;
  });
}
