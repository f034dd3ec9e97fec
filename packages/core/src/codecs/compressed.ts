import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateRawSync,
  inflateRawSync,
} from 'node:zlib';
import type { Codec } from '../codec.js';
import { ConfigError } from '../errors.js';

/** Options of `compressed`. */
export interface CompressedOptions {
  /** Values whose JSON is smaller than this many bytes stay plain JSON (default 1024). */
  threshold?: number;
  /** `'brotli'` (default) or `'deflate'` (raw deflate: faster, larger). */
  algorithm?: 'brotli' | 'deflate';
  /** Compression level: brotli 0-11 (default 4), deflate 0-9 (default 6). */
  level?: number;
}

const MARK = '"z1:';
// Searching for one bad character is several times faster than matching the whole payload.
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;
// The largest value a storage accepts (maxValueBytes is capped at 512 MiB): a stored value that
// inflates past it is hostile or corrupt, and must not exhaust memory while being read.
const MAX_INFLATED_BYTES = 512 * 1024 * 1024;

/**
 * A codec that compresses large values with node:zlib. Values at or above `threshold` bytes of
 * JSON are stored as the JSON string `"z1:<br|df>:<base64>"` when that is smaller; smaller values
 * stay plain JSON, so reads of small values cost nothing. A plain value that happens to look like
 * the compressed form is always compressed, so reading back is never ambiguous. Put it before
 * `encrypted` in `composeCodecs` (compress, then encrypt: ciphertext does not compress).
 *
 * @example
 * ```ts
 * const codec = composeCodecs(compressed({ threshold: 2048 }), encrypted({ keys: { k1: key } }));
 * ```
 */
export function compressed(options: CompressedOptions = {}): Codec {
  const threshold = options.threshold ?? 1024;
  const algorithm = options.algorithm ?? 'brotli';
  if (!Number.isInteger(threshold) || threshold < 0) {
    throw new ConfigError('compressed() threshold must be a non-negative integer of bytes');
  }
  if (algorithm !== 'brotli' && algorithm !== 'deflate') {
    throw new ConfigError("compressed() algorithm must be 'brotli' or 'deflate'");
  }
  const maxLevel = algorithm === 'brotli' ? 11 : 9;
  const level = options.level ?? (algorithm === 'brotli' ? 4 : 6);
  if (!Number.isInteger(level) || level < 0 || level > maxLevel) {
    throw new ConfigError(`compressed() level must be an integer from 0 to ${maxLevel}`);
  }

  const pack = (json: string): Buffer =>
    algorithm === 'brotli'
      ? brotliCompressSync(json, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: level,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
          },
        })
      : deflateRawSync(json, { level });
  const tag = algorithm === 'brotli' ? 'br' : 'df';

  return Object.freeze({
    name: 'compressed',
    encode(json: string): string {
      const lookalike = json.startsWith(MARK);
      // A UTF-16 unit is at most 3 UTF-8 bytes, so most small values skip byteLength.
      if (!lookalike && (json.length * 3 < threshold || Buffer.byteLength(json) < threshold)) {
        return json;
      }
      const stored = `${MARK}${tag}:${pack(json).toString('base64')}"`;
      return stored.length < json.length || lookalike ? stored : json;
    },
    decode(stored: string): string {
      if (!stored.startsWith(MARK)) return stored;
      const kind = stored.slice(MARK.length, MARK.length + 3);
      const payload = stored.slice(MARK.length + 3, -1);
      if ((kind !== 'br:' && kind !== 'df:') || !stored.endsWith('"') || NOT_BASE64.test(payload)) {
        throw new Error('the compressed value is malformed');
      }
      const bytes = Buffer.from(payload, 'base64');
      const limits = { maxOutputLength: MAX_INFLATED_BYTES };
      // Decoding follows the stored tag, so changing the algorithm keeps old values readable.
      const plain =
        kind === 'br:' ? brotliDecompressSync(bytes, limits) : inflateRawSync(bytes, limits);
      return plain.toString('utf8');
    },
  });
}
