import {
  ConflictError,
  type JsonValue,
  type SaveOptions,
  type Session,
  type SessionInput,
} from '@stowage/core';
import { StaleSessionError } from './errors.js';

/** Attempts of a last-write-wins save that keeps meeting newer versions. */
const OVERWRITE_ATTEMPTS = 100;

/** What `conditionalSave` writes and on which condition. */
export interface ConditionalWrite {
  input: SessionInput<JsonValue>;
  /** Save options other than `expectedVersion` (TTL, lifetime). */
  options: Omit<SaveOptions, 'expectedVersion'>;
  /** Version the request loaded; 0 for a session it created. */
  loadedVersion: number;
  /** Overwrite newer versions (last write wins) instead of refusing the save. */
  overwrite: boolean;
}

/**
 * Saves a session only if it still has the version its request loaded (0: only if it does not
 * exist). On a mismatch the save is refused with `StaleSessionError`, or, with `overwrite`,
 * repeated against the newer version. A session that existed when loaded and is gone now is
 * never recreated: refused, or with `overwrite` dropped (resolves to null), since its destroy
 * was the later write.
 */
export async function conditionalSave(
  save: (input: SessionInput<JsonValue>, options: SaveOptions) => Promise<Session>,
  write: ConditionalWrite,
): Promise<Session | null> {
  const { input, options, loadedVersion, overwrite } = write;
  let expectedVersion = loadedVersion;
  for (let attempt = 1; ; attempt++) {
    try {
      return await save(input, { ...options, expectedVersion });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const current = error.currentVersion;
      if (!overwrite || attempt >= OVERWRITE_ATTEMPTS) {
        throw new StaleSessionError(input.id, loadedVersion, current, error);
      }
      if (current === 0 && loadedVersion > 0) return null;
      expectedVersion = current;
    }
  }
}
