import { toStowageError } from './errors.js';

/** Runs a synchronous driver call and settles it as a promise, with driver errors typed. */
export type Guard = <T>(fn: () => T) => Promise<T>;

/**
 * A `Guard` for one adapter. better-sqlite3 works synchronously, so the call finishes before
 * the promise is created; the promise only gives the contract its async shape.
 */
export function createGuard(busyTimeoutMs: number): Guard {
  return <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(toStowageError(error, busyTimeoutMs));
    }
  };
}
