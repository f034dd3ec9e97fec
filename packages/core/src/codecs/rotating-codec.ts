import type { Codec } from '../codec.js';

/**
 * A codec whose stored form can go stale, such as `encrypted` after a key rotation. `rekey`
 * uses `needsRekey` to find values worth rewriting without decoding every one of them.
 *
 * @example
 * ```ts
 * const codec = encrypted({ keys: { k1, k2 }, current: 'k2' });
 * codec.needsRekey(storedText); // true for values written under k1
 * ```
 */
export interface RotatingCodec extends Codec {
  /**
   * Whether a stored value should be rewritten: encoded under a retired key, or not encoded at
   * all. Throws when the value cannot be read.
   */
  needsRekey(stored: string): boolean;
}

/** Whether `codec` can tell stale stored values apart (see `RotatingCodec`). */
export function isRotatingCodec(codec: Codec): codec is RotatingCodec {
  return typeof (codec as Partial<RotatingCodec>).needsRekey === 'function';
}
