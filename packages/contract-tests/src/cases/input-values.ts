import type { JsonValue } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

/** Values that are not JSON, each named for the failure message. */
function nonJson(): [string, unknown][] {
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  const circularArray: unknown[] = [1];
  circularArray.push({ back: circularArray });
  return [
    ['circular object', circular],
    ['circular array', circularArray],
    ['BigInt', 10n],
    ['nested BigInt', { n: [1n] }],
    ['function', () => 1],
    ['symbol', Symbol('s')],
    ['undefined', undefined],
    ['undefined in an array', [1, undefined]],
    ['NaN', Number.NaN],
    ['nested Infinity', { x: Number.POSITIVE_INFINITY }],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['Map', new Map([['a', 1]])],
    ['Set', new Set([1])],
    ['class instance', new Point(1, 2)],
    ['NUL in a string', 'a\u0000b'],
    ['NUL in a nested key', { 'k\u0000': 1 }],
    ['lone high surrogate', 'x\ud83dy'],
    ['lone low surrogate', { deep: ['\ude00'] }],
  ];
}

/** Input cases for values: non-JSON is refused, prototypes stay clean, odd but legal JSON round-trips. */
export const inputValueCases: ContractCase[] = group('input', [
  {
    name: 'non-JSON session data is a ValidationError and writes nothing',
    async run({ storage, id }) {
      for (const [label, value] of nonJson()) {
        const sid = id();
        await rejectsWith(storage.sessions.save({ id: sid, data: value }), 'VALIDATION', label);
        assert.equal(await storage.sessions.get(sid), null, `${label} was written`);
      }
    },
  },
  {
    name: 'non-JSON data in a save over an existing session leaves the session unchanged',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: { ok: true } });
      for (const [label, value] of nonJson()) {
        await rejectsWith(storage.sessions.save({ id: sid, data: value }), 'VALIDATION', label);
      }
      const got = await storage.sessions.get(sid);
      assert.deepEqual(got?.data, { ok: true });
      assert.equal(got?.version, 1);
    },
  },
  {
    name: 'non-JSON messages and kv values are a ValidationError and write nothing',
    requires: ['messages', 'kv'],
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 0 });
      for (const [label, value] of nonJson()) {
        await rejectsWith(storage.messages.append(sid, [value]), 'VALIDATION', label);
        const key = id('k');
        await rejectsWith(storage.kv.set(key, value), 'VALIDATION', label);
        await rejectsWith(storage.kv.setIfAbsent(key, value), 'VALIDATION', label);
        assert.equal(await storage.kv.has(key), false, `${label} was written`);
      }
      assert.equal(await storage.messages.length(sid), 0);
    },
  },
  {
    name: "'__proto__' and 'constructor' keys round-trip as plain data without polluting prototypes",
    async run({ storage, id }) {
      const sid = id();
      const data = JSON.parse(
        '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"n":1}',
      ) as JsonValue;
      await storage.sessions.save({ id: sid, data });
      const got = (await storage.sessions.get(sid))?.data as Record<string, unknown>;
      assert.ok(Object.hasOwn(got, '__proto__'), '__proto__ was not kept as an own key');
      assert.deepEqual(Object.getOwnPropertyDescriptor(got, '__proto__')?.value, {
        polluted: 'yes',
      });
      assert.deepEqual(got.constructor, { prototype: { polluted: 'yes' } });
      assert.equal(got.n, 1);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
    },
  },
  {
    name: "'__proto__' and 'constructor' label names round-trip and can be filtered on",
    async run({ storage, id }) {
      const sid = id();
      const labels = JSON.parse(
        `{"__proto__":"p","constructor":"c","suite":${JSON.stringify(id('l'))}}`,
      ) as Record<string, string>;
      await storage.sessions.save({ id: sid, data: 1, labels });
      const got = await storage.sessions.get(sid);
      assert.ok(got);
      assert.equal(Object.hasOwn(got.labels, '__proto__'), true, '__proto__ label was dropped');
      assert.equal(Object.getOwnPropertyDescriptor(got.labels, '__proto__')?.value, 'p');
      assert.equal(got.labels.constructor, 'c');
      assert.equal(Object.getPrototypeOf(got.labels), Object.prototype);
      const found = await storage.sessions.list({ labels });
      assert.deepEqual(
        found.items.map((s) => s.id),
        [sid],
      );
    },
  },
  {
    name: 'a Date becomes its ISO string and undefined object properties are dropped',
    async run({ storage, id }) {
      const sid = id();
      const when = new Date(Date.UTC(2024, 1, 29, 12, 30, 0, 5));
      await storage.sessions.save({ id: sid, data: { when, gone: undefined, kept: null } });
      assert.deepEqual((await storage.sessions.get(sid))?.data, {
        when: '2024-02-29T12:30:00.005Z',
        kept: null,
      });
    },
  },
  {
    name: 'strings with quotes, escapes, emoji and right-to-left text round-trip exactly',
    async run({ storage, id }) {
      const sid = id();
      const data = {
        quotes: `'"\`\\`,
        escapes: '\\u0000 is not a NUL, \\n is not a newline',
        whitespace: ' \t\r\n ',
        emoji: '👩‍👩‍👧 🇺🇳',
        rtl: '\u202eabc\u202c مرحبا',
        sql: "'; DROP TABLE sessions; --",
        astral: '𝄞𠀀',
      };
      await storage.sessions.save({ id: sid, data });
      assert.deepEqual((await storage.sessions.get(sid))?.data, data);
    },
  },
  {
    name: 'numbers at the edges of the double range round-trip, and -0 reads back as 0',
    async run({ storage, id }) {
      const sid = id();
      const data = [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e300, 5e-324, 0.1, -0];
      await storage.sessions.save({ id: sid, data });
      assert.deepEqual((await storage.sessions.get(sid))?.data, [
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        1e300,
        5e-324,
        0.1,
        0,
      ]);
    },
  },
  {
    name: 'a document nested 200 levels deep round-trips',
    async run({ storage, id }) {
      const sid = id();
      let data: JsonValue = 'leaf';
      for (let i = 0; i < 200; i++) data = i % 2 ? [data] : { d: data };
      await storage.sessions.save({ id: sid, data });
      assert.deepEqual((await storage.sessions.get(sid))?.data, data);
    },
  },
  {
    name: 'a large but legal 1 MiB document round-trips',
    async run({ storage, id }) {
      const sid = id();
      const chunk = 'x'.repeat(1023);
      const data = { items: Array.from({ length: 1024 }, (_, i) => `${i % 10}${chunk}`) };
      await storage.sessions.save({ id: sid, data });
      assert.deepEqual((await storage.sessions.get(sid))?.data, data);
    },
  },
]);
