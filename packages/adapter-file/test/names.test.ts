import { describe, expect, it } from 'vitest';
import { decodeName, encodeName } from '../src/names.js';

const hostile = [
  '../../etc/passwd',
  '..',
  '.',
  '*',
  '?',
  'CON',
  'con',
  'NUL.txt',
  'LPT1',
  'a/b\\c',
  'a:b',
  "' OR 1=1 --",
  '😀 emoji',
  'Abc',
  'abc',
  ' trailing space ',
  'trailing dot.',
  'x'.repeat(512),
  '€'.repeat(170),
];
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

describe('file names for ids', () => {
  it('decode back to the same id for every short hostile id', () => {
    for (const id of hostile) {
      const name = encodeName(id);
      const decoded = decodeName(name);
      expect(decoded === null || decoded === id).toBe(true);
      if (Buffer.byteLength(id) <= 120) expect(decoded).toBe(id);
    }
  });

  it('use only lowercase letters, digits, and - so no name can escape or be reserved', () => {
    for (const id of hostile) {
      const name = encodeName(id);
      expect(name).toMatch(/^[a-z2-7]+$|^h-[0-9a-f]{64}$/);
      expect(name).not.toMatch(RESERVED);
      expect(Buffer.byteLength(`${name}.jsonl`)).toBeLessThanOrEqual(255);
    }
  });

  it('keep ids that differ only in case distinct even when compared case-insensitively', () => {
    const names = ['Abc', 'abc', 'ABC', 'aBc'].map((id) => encodeName(id).toLowerCase());
    expect(new Set(names).size).toBe(4);
  });

  it('hash long ids to different names and refuse to decode a foreign name', () => {
    expect(encodeName('x'.repeat(512))).not.toBe(encodeName(`${'x'.repeat(511)}y`));
    expect(decodeName('.tmp-0011')).toBeUndefined();
    expect(decodeName('ABC')).toBeUndefined();
    // A non-canonical spelling (stray low bits) must not alias the canonical one.
    expect(decodeName(encodeName('a').replace(/.$/, 'd'))).toBeUndefined();
  });
});
