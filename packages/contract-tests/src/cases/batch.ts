import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Batch cases: getMany/saveMany/deleteMany and kv batches keep order, count right and, where claimed, are all-or-nothing. */
export const batchCases: ContractCase[] = group('batch', [
  {
    name: 'getMany keeps input order and returns null for missing ids',
    async run({ storage, id }) {
      const [a, b, missing] = [id('a'), id('b'), id('missing')];
      await storage.sessions.save({ id: a, data: 'A' });
      await storage.sessions.save({ id: b, data: 'B' });
      const got = await storage.sessions.getMany([b, missing, a, b]);
      assert.deepEqual(
        got.map((s) => s?.data ?? null),
        ['B', null, 'A', 'B'],
      );
    },
  },
  {
    name: 'getMany, saveMany and deleteMany of an empty array do nothing',
    async run({ storage }) {
      assert.deepEqual(await storage.sessions.getMany([]), []);
      assert.deepEqual(await storage.sessions.saveMany([]), []);
      assert.equal(await storage.sessions.deleteMany([]), 0);
    },
  },
  {
    name: 'saveMany returns the sessions in input order with their new versions',
    async run({ storage, id }) {
      const existing = id('old');
      const fresh = id('new');
      await storage.sessions.save({ id: existing, data: 1 });
      const saved = await storage.sessions.saveMany([
        { id: fresh, data: 'f' },
        { id: existing, data: 'e', state: 'open' },
      ]);
      assert.deepEqual(
        saved.map((s) => [s.id, s.version, s.data]),
        [
          [fresh, 1, 'f'],
          [existing, 2, 'e'],
        ],
      );
      assert.equal((await storage.sessions.get(existing))?.state, 'open');
      assert.equal((await storage.sessions.get(fresh))?.data, 'f');
    },
  },
  {
    name: 'saveMany applies each item its own ttl and expectedVersion',
    async run({ storage, clock, id }) {
      const a = id('a');
      const b = id('b');
      await storage.sessions.save({ id: b, data: 1 });
      const saved = await storage.sessions.saveMany([
        { id: a, data: 'a', ttl: 1000, expectedVersion: 0 },
        { id: b, data: 'b', expectedVersion: 1 },
      ]);
      assert.equal(saved[0]?.expiresAt, clock.now() + 1000);
      assert.equal(saved[1]?.expiresAt, null);
      assert.equal(saved[1]?.version, 2);
      clock.advance(1000);
      assert.equal(await storage.sessions.get(a), null);
      assert.ok(await storage.sessions.get(b));
    },
  },
  {
    name: 'saveMany with a duplicate id is a ValidationError and writes nothing',
    async run({ storage, id }) {
      const a = id('a');
      const b = id('b');
      await rejectsWith(
        storage.sessions.saveMany([
          { id: a, data: 1 },
          { id: b, data: 2 },
          { id: a, data: 3 },
        ]),
        'VALIDATION',
      );
      assert.deepEqual(await storage.sessions.getMany([a, b]), [null, null]);
    },
  },
  {
    name: 'saveMany with one invalid item is a ValidationError and writes nothing',
    async run({ storage, id }) {
      const a = id('a');
      const b = id('b');
      await rejectsWith(
        storage.sessions.saveMany([
          { id: a, data: 1 },
          { id: b, data: (() => 2) as unknown },
        ]),
        'VALIDATION',
      );
      await rejectsWith(
        storage.sessions.saveMany([
          { id: a, data: 1 },
          { id: b, data: 2, ttl: -1 },
        ]),
        'VALIDATION',
      );
      assert.deepEqual(await storage.sessions.getMany([a, b]), [null, null]);
    },
  },
  {
    name: 'with atomic batches a version conflict on one saveMany item writes none of them',
    requires: ['atomicBatch'],
    async run({ storage, id }) {
      const a = id('a');
      const b = id('b');
      const c = id('c');
      await storage.sessions.save({ id: a, data: 'a1' });
      await storage.sessions.save({ id: b, data: 'b1' });
      await storage.sessions.save({ id: b, data: 'b2' });
      await rejectsWith(
        storage.sessions.saveMany([
          { id: a, data: 'a2', expectedVersion: 1 },
          { id: c, data: 'c1' },
          { id: b, data: 'b3', expectedVersion: 1 },
        ]),
        'CONFLICT',
      );
      const got = await storage.sessions.getMany([a, b, c]);
      assert.deepEqual(
        got.map((s) => (s ? [s.data, s.version] : null)),
        [['a1', 1], ['b2', 2], null],
      );
    },
  },
  {
    name: 'with atomic batches a create-only conflict in saveMany writes none of the items',
    requires: ['atomicBatch'],
    async run({ storage, id }) {
      const taken = id('taken');
      const free = id('free');
      await storage.sessions.save({ id: taken, data: 'mine' });
      await rejectsWith(
        storage.sessions.saveMany([
          { id: free, data: 'x', expectedVersion: 0 },
          { id: taken, data: 'theirs', expectedVersion: 0 },
        ]),
        'CONFLICT',
      );
      assert.equal(await storage.sessions.get(free), null);
      assert.equal((await storage.sessions.get(taken))?.data, 'mine');
    },
  },
  {
    name: 'deleteMany deletes the given sessions and returns how many existed',
    async run({ storage, id }) {
      const [a, b, c, missing] = [id('a'), id('b'), id('c'), id('missing')];
      for (const sid of [a, b, c]) await storage.sessions.save({ id: sid, data: 1 });
      assert.equal(await storage.sessions.deleteMany([a, missing, c]), 2);
      const got = await storage.sessions.getMany([a, b, c]);
      assert.deepEqual(
        got.map((s) => s?.id ?? null),
        [null, b, null],
      );
    },
  },
  {
    name: 'kv getMany keeps input order and returns undefined for missing keys',
    requires: ['kv'],
    async run({ storage, id }) {
      const [a, b, missing] = [id('a'), id('b'), id('missing')];
      await storage.kv.set(a, 'A');
      await storage.kv.set(b, null);
      assert.deepEqual(await storage.kv.getMany([b, missing, a]), [null, undefined, 'A']);
      assert.deepEqual(await storage.kv.getMany([]), []);
    },
  },
  {
    name: 'kv setMany stores every entry with its own ttl',
    requires: ['kv'],
    async run({ storage, clock, id }) {
      const [a, b] = [id('a'), id('b')];
      await storage.kv.setMany([
        { key: a, value: { n: 1 } },
        { key: b, value: [2], ttl: 1000 },
      ]);
      assert.deepEqual(await storage.kv.getMany([a, b]), [{ n: 1 }, [2]]);
      clock.advance(1000);
      assert.deepEqual(await storage.kv.getMany([a, b]), [{ n: 1 }, undefined]);
      await storage.kv.setMany([]);
    },
  },
  {
    name: 'kv setMany with a duplicate key or an invalid value is a ValidationError and writes nothing',
    requires: ['kv'],
    async run({ storage, id }) {
      const [a, b] = [id('a'), id('b')];
      await rejectsWith(
        storage.kv.setMany([
          { key: a, value: 1 },
          { key: a, value: 2 },
        ]),
        'VALIDATION',
      );
      await rejectsWith(
        storage.kv.setMany([
          { key: a, value: 1 },
          { key: b, value: Symbol('x') as unknown },
        ]),
        'VALIDATION',
      );
      assert.deepEqual(await storage.kv.getMany([a, b]), [undefined, undefined]);
    },
  },
  {
    name: 'kv deleteMany deletes the given entries and returns how many existed',
    requires: ['kv'],
    async run({ storage, id }) {
      const [a, b, c] = [id('a'), id('b'), id('c')];
      await storage.kv.set(a, 1);
      await storage.kv.set(b, 2);
      assert.equal(await storage.kv.deleteMany([a, c, b]), 2);
      assert.equal(await storage.kv.deleteMany([a, b]), 0);
      assert.equal(await storage.kv.deleteMany([]), 0);
      assert.deepEqual(await storage.kv.getMany([a, b]), [undefined, undefined]);
    },
  },
]);
