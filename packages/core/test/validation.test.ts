import { describe, expect, it } from 'vitest';
import {
  compareIds,
  decodeCursor,
  encodeCursor,
  parseTtl,
  prefixUpperBound,
  ValidationError,
  validateId,
} from '../src/index.js';

describe('validateId', () => {
  it.each([
    '../../etc/passwd',
    '*',
    'a:b',
    "' OR 1=1 --",
    '😀',
    '\u202e',
    'x'.repeat(512),
    'é'.repeat(256),
  ])('accepts %j', (id) => {
    expect(validateId(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['513 bytes', 'x'.repeat(513)],
    ['257 two-byte characters', 'é'.repeat(257)],
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['DEL', 'a\u007f'],
    ['C1 control', 'a\u0085'],
    ['lone surrogate', '\ud800'],
    ['number', 42],
    ['null', null],
  ])('refuses %s', (_label, id) => {
    expect(() => validateId(id)).toThrow(ValidationError);
  });
});

describe('parseTtl', () => {
  it.each([
    [1, 1],
    [1.2, 2],
    ['250ms', 250],
    ['30s', 30_000],
    ['30m', 1_800_000],
    ['1.5h', 5_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    [2 ** 31 + 5, 2 ** 31 + 5],
  ])('parses %j as %d ms', (input, ms) => {
    expect(parseTtl(input)).toBe(ms);
  });

  it.each([
    0,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'abc',
    '10 parsecs',
    '-5m',
    '0s',
    1e16,
  ])('refuses %j', (input) => {
    expect(() => parseTtl(input)).toThrow(ValidationError);
  });
});

describe('list cursors', () => {
  it('round-trip a position, including unusual ids', () => {
    const position = { createdAt: 1_700_000_000_123, id: '../é😀"' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each(['', 'not-a-cursor', Buffer.from('[1]').toString('base64url'), 'x'.repeat(5000)])(
    'refuses %j',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(ValidationError);
    },
  );
});

describe('compareIds', () => {
  it('orders by code point, as UTF-8 bytes do', () => {
    const ids = ['\u{1f600}', '\uff5e', '\ue000', 'z', 'Z', 'é', '', 'a', 'ab'];
    const byBytes = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...ids].sort(compareIds)).toEqual(byBytes);
    expect(compareIds('same', 'same')).toBe(0);
  });
});

describe('prefixUpperBound', () => {
  it('bounds exactly the strings that start with the prefix', () => {
    const keys = ['ab', 'ab\u0000', 'ab😀', 'ab\uffff', 'ac', 'aa\u{10ffff}', 'a', 'ab\u{10ffff}x'];
    for (const prefix of ['a', 'ab', 'a\ud7ff', 'ab\u{10ffff}']) {
      const upper = prefixUpperBound(prefix);
      const inRange = keys.filter(
        (k) => compareIds(k, prefix) >= 0 && (upper === undefined || compareIds(k, upper) < 0),
      );
      expect(inRange).toEqual(keys.filter((k) => k.startsWith(prefix)));
    }
    expect(prefixUpperBound('a\ud7ff')).toBe('a\ue000');
    expect(prefixUpperBound('\u{10ffff}')).toBeUndefined();
  });
});
