import { isCounterText } from './adapter-kit.js';
import type { Codec } from './codec.js';
import { CorruptionError, PayloadTooLargeError, StowageError } from './errors.js';
import { toJsonText } from './json.js';

/**
 * Turns application values into the text adapters store and back: JSON validation, the codec,
 * and the size limit, in one place for sessions, messages and kv.
 */
export class Encoder {
  constructor(
    private readonly codec: Codec,
    private readonly maxBytes: number,
  ) {}

  /** Validates and encodes a value; `label` names it in errors (for example `data`). */
  encode(value: unknown, label: string): string {
    const json = toJsonText(value, label);
    // Cheap bound first: a UTF-16 code unit never takes more than 3 UTF-8 bytes.
    if (json.length > this.maxBytes / 3) {
      const size = Buffer.byteLength(json, 'utf8');
      if (size > this.maxBytes) throw new PayloadTooLargeError(size, this.maxBytes);
    }
    return this.codec.encode(json);
  }

  /**
   * Decodes stored text; failures are a `CorruptionError` naming what `describe()` returns. The
   * description is built only on failure: quoting an id on every read cost more than the check.
   */
  decode<T>(stored: string, describe: () => string): T {
    try {
      // Counters are stored as bare integers so backends can add to them atomically.
      return JSON.parse(isCounterText(stored) ? stored : this.codec.decode(stored)) as T;
    } catch (error) {
      if (error instanceof StowageError) throw error;
      throw new CorruptionError(
        `Stored ${describe()} could not be decoded by the ${this.codec.name} codec`,
        {
          cause: error,
        },
      );
    }
  }
}
