import { compareIds } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { decodeId, encodeId, listMember } from '../src/keys.js';

const samples = [
  '',
  'a',
  'a:b',
  '{x}',
  '*?[]\\',
  'é',
  '\uE000',
  '\uFFFF',
  '😀',
  '𝄞x',
  '\uD800',
  '\uDFFF',
  'z'.repeat(40),
  '../../etc/passwd',
];

describe('id encoding', () => {
  it('round-trips every code unit, lone surrogates included', () => {
    for (const id of samples) expect(decodeId(encodeId(id))).toBe(id);
  });

  it('sorts bytewise exactly like compareIds (code-point order)', () => {
    const byEncoding = [...samples].sort((a, b) => {
      const x = encodeId(a);
      const y = encodeId(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    expect(byEncoding).toEqual([...samples].sort(compareIds));
  });

  it('never emits tag or glob characters', () => {
    for (const id of samples) expect(encodeId(id)).toMatch(/^[0-9a-f]*$/);
  });

  it('orders list members by creation time first, then id', () => {
    expect(listMember(2, encodeId('a')) < listMember(10, encodeId('0'))).toBe(true);
    expect(listMember(5, encodeId('a')) < listMember(5, encodeId('b'))).toBe(true);
  });
});
