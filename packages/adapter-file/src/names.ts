import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const LOOKUP = new Map([...ALPHABET].map((c, i) => [c, i]));
/** Longest plain (reversible) file name; longer ids are hashed so names stay under 255 bytes. */
const MAX_PLAIN = 200;
const HASHED = /^h-[0-9a-f]{64}$/;

/**
 * Maps any legal id or key to one file-name stem made of `[a-z2-7]` (lowercase base32 of its
 * UTF-8 bytes), so names never escape a folder, never collide on case-insensitive file
 * systems and are never a reserved Windows name (base32 of whole bytes never has 3 letters).
 * Ids whose encoding would pass 200 characters become `h-` plus their SHA-256; the real id
 * is stored inside the file and checked on read.
 */
export function encodeName(id: string): string {
  const bytes = Buffer.from(id, 'utf8');
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  if (out.length <= MAX_PLAIN) return out;
  return `h-${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * The id a file-name stem stands for; `null` for a hashed stem (read the file to learn the
 * id) and `undefined` for a name this adapter never produces (temporary or foreign files).
 */
export function decodeName(stem: string): string | null | undefined {
  if (HASHED.test(stem)) return null;
  if (stem.length === 0 || stem.length > MAX_PLAIN) return undefined;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of stem) {
    const value = LOOKUP.get(char);
    if (value === undefined) return undefined;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >>> bits) & 255);
      buffer &= (1 << bits) - 1;
    }
  }
  const id = Buffer.from(bytes).toString('utf8');
  // Only the canonical spelling counts, so one id never has two files.
  return encodeName(id) === stem ? id : undefined;
}
