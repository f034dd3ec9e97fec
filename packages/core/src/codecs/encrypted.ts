import { createCipheriv, createDecipheriv, type KeyObject, randomFillSync } from 'node:crypto';
import { type EncryptionKey, KEY_ID, type KeyRing, keyRing } from './key-ring.js';
import type { RotatingCodec } from './rotating-codec.js';

/** Options of `encrypted`. */
export interface EncryptedOptions {
  /**
   * Every key that may have written a stored value, by key id (1-64 of `A-Z a-z 0-9 _ . -`).
   * Keep retired keys here until `rekey` reports nothing left under them.
   */
  keys: Record<string, EncryptionKey>;
  /** Id of the key that encrypts new values. Required when there are several keys. */
  current?: string;
  /**
   * Additional authenticated data bound into every value (default `'stowage'`). Values only
   * decrypt under the same context, so giving each app or environment its own context keeps a
   * value copied from one into another from being accepted even when they share a key.
   */
  context?: string;
  /**
   * Read stored values that are plain JSON rather than failing with `CorruptionError`
   * (default `false`). Turn it on while moving existing data to encryption; `rekey` then
   * encrypts those values. A plain string value that itself starts with `enc:v1:` is still read
   * as an encrypted one.
   */
  acceptPlaintext?: boolean;
}

/** An AES-256-GCM codec (see `encrypted`). */
export interface EncryptedCodec extends RotatingCodec {
  /** Id of the key that encrypts new values. */
  readonly currentKeyId: string;
  /**
   * The key id a stored value was encrypted with, or `undefined` for a plaintext value. Throws
   * when the value looks encrypted but is malformed.
   */
  keyIdOf(stored: string): string | undefined;
}

const PREFIX = '"enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

// IVs are drawn from a pooled buffer of CSPRNG output: one randomFillSync per 256 values instead
// of a randomBytes call per value, which cost more than the encryption of a small value.
const ivPool = Buffer.alloc(IV_BYTES * 256);
let ivOffset = ivPool.length;

function nextIv(): Buffer {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

function associatedData(keyId: string, context: string): Buffer {
  // The key id is bound too, so a value cannot be relabelled to another key id.
  return Buffer.from(`enc:v1:${keyId}:${context}`, 'utf8');
}

/**
 * A codec that encrypts every value with AES-256-GCM (node:crypto): a random 96-bit IV per
 * value, a 128-bit tag, and the key id in the stored form `"enc:v1:<kid>:<base64 iv|tag|ct>"`,
 * which is JSON text, so every adapter (JSONB included) stores it. The current key encrypts;
 * every listed key decrypts, so keys rotate without downtime. A value that was tampered with,
 * names an unknown key id or is not encrypted fails to read with `CorruptionError`. Bad keys
 * are a `ConfigError` at construction. Session state, labels and timestamps stay in clear.
 *
 * @example
 * ```ts
 * const codec = encrypted({ keys: { k1: process.env.STOWAGE_KEY_K1 as string } });
 * const storage = createStorage(memoryAdapter(), { codec });
 * ```
 */
export function encrypted(options: EncryptedOptions): EncryptedCodec {
  const ring: KeyRing = keyRing(options.keys, options.current);
  const context = options.context ?? 'stowage';
  const acceptPlaintext = options.acceptPlaintext ?? false;
  const currentKey = ring.keys.get(ring.current) as KeyObject;
  const currentAad = associatedData(ring.current, context);

  // Undefined means plain JSON; whether that is acceptable is the caller's decision. The payload
  // is not checked character by character (a regex over a large value cost more than decrypting
  // it): any change to it, stray characters included, fails the GCM tag check instead.
  const parse = (stored: string): { keyId: string; payload: string } | undefined => {
    if (!stored.startsWith(PREFIX)) return undefined;
    const colon = stored.indexOf(':', PREFIX.length);
    const keyId = stored.slice(PREFIX.length, colon);
    if (colon < 0 || !stored.endsWith('"') || !KEY_ID.test(keyId)) {
      throw new Error('the encrypted value is malformed');
    }
    return { keyId, payload: stored.slice(colon + 1, -1) };
  };

  return Object.freeze({
    name: 'encrypted',
    currentKeyId: ring.current,
    encode(json: string): string {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(currentAad);
      const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
      const sealed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
      return `${PREFIX}${ring.current}:${sealed}"`;
    },
    decode(stored: string): string {
      const parsed = parse(stored);
      if (!parsed) {
        if (acceptPlaintext) return stored;
        throw new Error('the value is not encrypted (set acceptPlaintext to read plain values)');
      }
      const key = ring.keys.get(parsed.keyId);
      if (!key) throw new Error(`unknown encryption key id ${JSON.stringify(parsed.keyId)}`);
      const bytes = Buffer.from(parsed.payload, 'base64');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('the encrypted value is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(associatedData(parsed.keyId, context));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      // final() throws when the tag does not match: tampered bytes, wrong key or wrong context.
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    },
    keyIdOf(stored: string): string | undefined {
      return parse(stored)?.keyId;
    },
    needsRekey(stored: string): boolean {
      return parse(stored)?.keyId !== ring.current;
    },
  });
}
