import { describe, expect, it } from 'vitest';
import { toJsonText, ValidationError } from '../src/index.js';

function refusal(value: unknown): string {
  try {
    toJsonText(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('toJsonText', () => {
  it('returns the JSON text of plain JSON values', () => {
    const value = { a: [1, 'x', null, true, { b: -2.5e-3 }], '': 0, 'é😀': 'ok' };
    expect(JSON.parse(toJsonText(value))).toEqual(value);
  });

  it('ignores enumerable properties inherited from a polluted Object.prototype, as JSON does', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.pollutedFn = () => 1;
    proto.pollutedText = 'inherited';
    try {
      const value = { a: { b: [1, { c: 'x' }] } };
      expect(toJsonText(value)).toBe(JSON.stringify(value));
      expect(JSON.parse(toJsonText(value))).toEqual(value);
    } finally {
      delete proto.pollutedFn;
      delete proto.pollutedText;
    }
  });

  it('names the path of the offending value', () => {
    expect(refusal({ a: { b: [1, () => 1] } })).toContain('a.b[1]');
    expect(refusal({ list: [1n] })).toContain('BigInt');
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['undefined', undefined],
    ['a symbol', Symbol('s')],
    ['a Map', new Map()],
    ['a Set', new Set([1])],
    ['a class instance', new (class Point {})()],
    ['a NUL character', 'a\u0000b'],
    ['a lone high surrogate', 'x\ud800'],
    ['a lone low surrogate', '\udc00y'],
    ['undefined inside an array', [1, undefined]],
  ])('refuses %s', (_label, value) => {
    refusal({ nested: [value] });
  });

  it('refuses circular structures but accepts shared references', () => {
    const shared = { x: 1 };
    expect(JSON.parse(toJsonText({ a: shared, b: shared }))).toEqual({ a: { x: 1 }, b: { x: 1 } });
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(refusal(loop)).toContain('circular');
  });

  it('keeps paired surrogates (emoji) and drops undefined properties like JSON.stringify', () => {
    expect(toJsonText({ e: '😀', gone: undefined })).toBe('{"e":"😀"}');
  });

  it('converts objects with toJSON (Date) as JSON.stringify does', () => {
    const date = new Date(0);
    expect(toJsonText({ at: date })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });

  it('treats __proto__ keys as plain data', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}') as object;
    const text = toJsonText(value);
    expect(text).toBe('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses bad keys too', () => {
    expect(refusal({ 'k\u0000': 1 })).toContain('key');
  });
});

describe('toJsonText at the top level', () => {
  it('refuses undefined and functions', () => {
    expect(() => toJsonText(undefined)).toThrow(ValidationError);
    expect(() => toJsonText(() => 1)).toThrow(ValidationError);
  });
});

describe('toJsonText refusals found in its output', () => {
  it('accepts text that only looks like an escape, and refuses the real character behind an escaped backslash', () => {
    // The characters backslash, u, 0, 0, 0, 0: stored as they are.
    expect(JSON.parse(toJsonText({ note: '\\u0000 and \\ud800' }))).toEqual({
      note: '\\u0000 and \\ud800',
    });
    // A backslash followed by a real U+0000, and by a real lone surrogate.
    expect(refusal({ a: { b: '\\\u0000' } })).toContain('a.b contains U+0000');
    expect(refusal(['ok', '\\\\\ud800'])).toContain('[1] contains U+0000');
  });

  it('refuses U+0000 and lone surrogates in keys with the path, and keeps paired surrogates', () => {
    expect(refusal({ list: [{ 'k\udc00': 1 }] })).toContain('key of list[0]');
    expect(toJsonText({ '😀': '😀' })).toBe('{"😀":"😀"}');
  });

  it('handles nesting deeper than the quick check, and finds a cycle down there', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = { d: [deep] };
    expect(JSON.parse(toJsonText(deep))).toEqual(deep);
    const cyclic: { next?: unknown } = {};
    let tail: { next?: unknown } = cyclic;
    for (let i = 0; i < 100; i++) {
      const next: { next?: unknown } = {};
      tail.next = next;
      tail = next;
    }
    tail.next = cyclic;
    expect(refusal(cyclic)).toContain('circular');
  });
});
