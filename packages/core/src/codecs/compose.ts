import type { Codec } from '../codec.js';
import { ConfigError } from '../errors.js';
import { isRotatingCodec, type RotatingCodec } from './rotating-codec.js';

/** A chain of codecs built by `composeCodecs`. */
export interface ComposedCodec extends RotatingCodec {
  /** The codecs, in encoding order. */
  readonly codecs: readonly Codec[];
}

/**
 * Chains codecs: `encode` runs them first to last, `decode` last to first. The usual chain is
 * `composeCodecs(compressed(), encrypted({ keys }))`: compress the JSON, then encrypt the
 * result. `needsRekey` asks the codecs that rotate keys, peeling the outer layers off first, so
 * `rekey` works on the chain as on `encrypted` alone.
 *
 * @example
 * ```ts
 * const codec = composeCodecs(compressed({ threshold: 1024 }), encrypted({ keys: { k1: key } }));
 * const storage = createStorage(memoryAdapter(), { codec });
 * ```
 */
export function composeCodecs(...codecs: Codec[]): ComposedCodec {
  if (codecs.length === 0) throw new ConfigError('composeCodecs() needs at least one codec');
  for (const codec of codecs) {
    if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') {
      throw new ConfigError('composeCodecs() takes codecs with encode() and decode()');
    }
  }
  const chain = Object.freeze([...codecs]);
  const innermostRotating = chain.findIndex(isRotatingCodec);
  return Object.freeze({
    name: chain.map((c) => c.name).join('+'),
    codecs: chain,
    encode(json: string): string {
      let text = json;
      for (const codec of chain) text = codec.encode(text);
      return text;
    },
    decode(stored: string): string {
      let text = stored;
      for (let i = chain.length - 1; i >= 0; i--) text = (chain[i] as Codec).decode(text);
      return text;
    },
    needsRekey(stored: string): boolean {
      if (innermostRotating < 0) return false;
      let text = stored;
      // Outer layers are checked first: most chains end with `encrypted`, so this rarely decodes.
      for (let i = chain.length - 1; i >= innermostRotating; i--) {
        const codec = chain[i] as Codec;
        if (isRotatingCodec(codec) && codec.needsRekey(text)) return true;
        if (i > innermostRotating) text = codec.decode(text);
      }
      return false;
    },
  });
}
