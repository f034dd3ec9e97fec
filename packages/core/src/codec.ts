/**
 * Transforms JSON text on its way to and from the adapter. Both directions take and return JSON
 * text, so any adapter can store a codec's output. Filterable fields (state, labels,
 * timestamps) never pass through a codec, so queries keep working on encoded data.
 *
 * @example
 * ```ts
 * const upper: Codec = { name: 'noop', encode: (text) => text, decode: (text) => text };
 * createStorage({ adapter: memoryAdapter(), codec: upper });
 * ```
 */
export interface Codec {
  /** Short name for diagnostics. */
  readonly name: string;
  /** Turns the JSON text of a value into the JSON text to store. */
  encode(json: string): string;
  /** Turns stored JSON text back into the JSON text of the value. Throws on bad input. */
  decode(stored: string): string;
}

/** The default codec: stores values as plain JSON. */
export const jsonCodec: Codec = Object.freeze({
  name: 'json',
  encode: (json: string) => json,
  decode: (stored: string) => stored,
});
