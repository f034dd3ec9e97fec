import { createSecretKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';

/** An AES-256 key: 32 raw bytes, or those bytes as a hex (64 characters) or base64 string. */
export type EncryptionKey = Uint8Array | string;

/** The keys of an `encrypted` codec, by key id, with the one that encrypts new values. */
export interface KeyRing {
  /** Id of the key that encrypts. */
  readonly current: string;
  /** Every usable key by id (the current one included). */
  readonly keys: ReadonlyMap<string, KeyObject>;
}

const KEY_BYTES = 32;
/** Key ids end up inside stored values, between `:` separators, so they stay in a safe alphabet. */
export const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

function keyBytes(id: string, key: EncryptionKey): Buffer {
  let bytes: Buffer | undefined;
  if (typeof key === 'string') {
    const text = key.trim();
    if (/^[0-9a-fA-F]{64}$/.test(text)) bytes = Buffer.from(text, 'hex');
    else if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) bytes = Buffer.from(text, 'base64');
  } else if (key instanceof Uint8Array) {
    bytes = Buffer.from(key);
  }
  // The message names the key id and the expected shape, never the key material.
  if (bytes?.length !== KEY_BYTES) {
    throw new ConfigError(
      `Encryption key ${JSON.stringify(id)} must be 32 bytes: a Buffer, 64 hex characters or 44 base64 characters`,
    );
  }
  return bytes;
}

/** Validates the `keys` and `current` options of `encrypted` and imports the keys once. */
export function keyRing(keys: Record<string, EncryptionKey>, current: string | undefined): KeyRing {
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    throw new ConfigError('encrypted() needs keys: an object of key id → 32-byte key');
  }
  const imported = new Map<string, KeyObject>();
  for (const [id, key] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) {
      throw new ConfigError(
        `Encryption key id ${JSON.stringify(id)} must be 1-64 letters, digits, '_', '.' or '-'`,
      );
    }
    imported.set(id, createSecretKey(keyBytes(id, key)));
  }
  if (imported.size === 0) throw new ConfigError('encrypted() needs at least one key');
  let chosen = current;
  if (chosen === undefined) {
    // With several keys, guessing which one encrypts would silently pick the wrong one.
    if (imported.size > 1) {
      throw new ConfigError('encrypted() has several keys: name the one that encrypts in current');
    }
    chosen = imported.keys().next().value as string;
  }
  if (!imported.has(chosen)) {
    throw new ConfigError(`encrypted() current key ${JSON.stringify(chosen)} is not among keys`);
  }
  return { current: chosen, keys: imported };
}
