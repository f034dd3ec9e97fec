import type { JsonValue } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

const JSON_VALUES: [string, JsonValue][] = [
  ['null', null],
  ['zero', 0],
  ['false', false],
  ['empty string', ''],
  ['true', true],
  ['negative float', -12.5],
  ['big integer', Number.MAX_SAFE_INTEGER],
  ['tiny float', 5e-324],
  ['numeric string', '42'],
  ['unicode string', 'héllo 👋 مرحبا'],
  ['empty array', []],
  ['empty object', {}],
  ['nested', { a: [1, { b: null, c: [true, 'x'] }], d: { e: {} } }],
];

/** Key-value cases: round trips of every JSON type, delete, counters and set-if-absent. */
export const kvCases: ContractCase[] = group('kv', [
  {
    name: 'get of a missing key returns undefined',
    async run({ storage, id }) {
      assert.equal(await storage.kv.get(id('k')), undefined);
      assert.equal(await storage.kv.has(id('k')), false);
    },
  },
  {
    name: 'set and get round-trip every JSON type, including null, 0, false and the empty string',
    async run({ storage, id }) {
      for (const [label, value] of JSON_VALUES) {
        const key = id('k');
        await storage.kv.set(key, value);
        assert.deepEqual(await storage.kv.get(key), value, label);
        assert.equal(await storage.kv.has(key), true, `${label} reported absent`);
      }
    },
  },
  {
    name: 'set replaces the previous value',
    async run({ storage, id }) {
      const key = id('k');
      await storage.kv.set(key, { old: true });
      await storage.kv.set(key, ['new']);
      assert.deepEqual(await storage.kv.get(key), ['new']);
    },
  },
  {
    name: 'delete returns whether an entry existed',
    async run({ storage, id }) {
      const key = id('k');
      await storage.kv.set(key, 0);
      assert.equal(await storage.kv.delete(key), true);
      assert.equal(await storage.kv.get(key), undefined);
      assert.equal(await storage.kv.delete(key), false);
    },
  },
  {
    name: 'delete physically removes the kv entry',
    requires: ['inspector'],
    async run({ storage, inspector, id }) {
      const key = id('k');
      await storage.kv.set(key, 'v');
      assert.equal(await inspector?.kvExists(key), true);
      await storage.kv.delete(key);
      assert.equal(await inspector?.kvExists(key), false);
    },
  },
  {
    name: 'kv entries and sessions with the same id never see each other',
    requires: ['sessions'],
    async run({ storage, id }) {
      const shared = id('same');
      await storage.kv.set(shared, 'kv value');
      assert.equal(await storage.sessions.get(shared), null);
      await storage.sessions.save({ id: shared, data: 'session data' });
      assert.equal(await storage.kv.get(shared), 'kv value');
      await storage.kv.delete(shared);
      assert.equal((await storage.sessions.get(shared))?.data, 'session data');
    },
  },
  {
    name: 'increment starts a missing counter at 0 and adds 1 by default',
    async run({ storage, id }) {
      const key = id('c');
      assert.equal(await storage.kv.increment(key), 1);
      assert.equal(await storage.kv.increment(key), 2);
      assert.equal(await storage.kv.get(key), 2);
    },
  },
  {
    name: 'increment of a missing counter by n returns n, and negative steps subtract',
    async run({ storage, id }) {
      const key = id('c');
      assert.equal(await storage.kv.increment(key, 10), 10);
      assert.equal(await storage.kv.increment(key, -3), 7);
      assert.equal(await storage.kv.increment(key, -10), -3);
      assert.equal(await storage.kv.increment(key, 0), -3);
      assert.equal(await storage.kv.increment(id('neg'), -5), -5);
    },
  },
  {
    name: 'get after increment returns the counter as a number',
    async run({ storage, id }) {
      const key = id('c');
      await storage.kv.increment(key, 41);
      await storage.kv.increment(key);
      const value = await storage.kv.get(key);
      assert.equal(typeof value, 'number');
      assert.equal(value, 42);
      assert.deepEqual(await storage.kv.getMany([key]), [42]);
    },
  },
  {
    name: 'increment of a non-integer value is a ValidationError and leaves the value unchanged',
    async run({ storage, id }) {
      const values: JsonValue[] = [1.5, '5', 'abc', { n: 1 }, [1], null, true];
      for (const value of values) {
        const key = id('c');
        await storage.kv.set(key, value);
        await rejectsWith(storage.kv.increment(key), 'VALIDATION', JSON.stringify(value));
        assert.deepEqual(await storage.kv.get(key), value);
      }
    },
  },
  {
    name: 'increment by a non-integer step is a ValidationError and writes nothing',
    async run({ storage, id }) {
      const key = id('c');
      for (const by of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await rejectsWith(storage.kv.increment(key, by), 'VALIDATION', `by ${by}`);
      }
      assert.equal(await storage.kv.has(key), false);
    },
  },
  {
    name: 'setIfAbsent stores a missing entry once and never replaces a live one',
    async run({ storage, id }) {
      const key = id('lock');
      assert.equal(await storage.kv.setIfAbsent(key, { owner: 'a' }), true);
      assert.equal(await storage.kv.setIfAbsent(key, { owner: 'b' }), false);
      assert.deepEqual(await storage.kv.get(key), { owner: 'a' });
      await storage.kv.delete(key);
      assert.equal(await storage.kv.setIfAbsent(key, { owner: 'b' }), true);
      assert.deepEqual(await storage.kv.get(key), { owner: 'b' });
    },
  },
  {
    name: 'setIfAbsent treats a stored null or false as present',
    async run({ storage, id }) {
      for (const value of [null, false, 0, '']) {
        const key = id('k');
        await storage.kv.set(key, value);
        assert.equal(await storage.kv.setIfAbsent(key, 'other'), false);
        assert.equal(await storage.kv.get(key), value);
      }
    },
  },
  {
    name: 'kv keys must be non-empty strings without control characters',
    async run({ storage }) {
      for (const key of ['', 'a\u0000b', '\n', 5, null] as unknown as string[]) {
        await rejectsWith(storage.kv.set(key, 1), 'VALIDATION', String(key));
        await rejectsWith(storage.kv.get(key), 'VALIDATION', String(key));
      }
    },
  },
  {
    name: 'strings that look like numbers stay strings, before and after a counter shares their prefix',
    async run({ storage, id }) {
      const key = id('k');
      await storage.kv.set(key, '5');
      assert.equal(await storage.kv.get(key), '5');
      await rejectsWith(storage.kv.increment(key), 'VALIDATION');
      assert.equal(await storage.kv.get(key), '5');
      const counter = id('c');
      await storage.kv.increment(counter, 5);
      await storage.kv.set(`${counter}:s`, '5');
      assert.deepEqual(await storage.kv.getMany([counter, `${counter}:s`]), [5, '5']);
    },
  },
]);
