import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** TTL cases for key-value entries: expiry, expire(), counters and set-if-absent. */
export const kvTtlCases: ContractCase[] = group('ttl', [
  {
    name: 'a kv entry is visible 1 ms before its ttl ends and gone for get, has, getMany and keys after',
    requires: ['kv'],
    async run({ storage, clock, id }) {
      const prefix = id('ttlkv');
      const key = `${prefix}:a`;
      await storage.kv.set(key, 'v', { ttl: '10s' });
      clock.advance(9_999);
      assert.equal(await storage.kv.get(key), 'v');
      clock.advance(1);
      assert.equal(await storage.kv.get(key), undefined);
      assert.equal(await storage.kv.has(key), false);
      assert.deepEqual(await storage.kv.getMany([key]), [undefined]);
      assert.deepEqual((await storage.kv.keys({ prefix })).items, []);
      assert.equal(await storage.kv.delete(key), false);
    },
  },
  {
    name: 'kv set without a ttl replaces the previous expiry with none',
    requires: ['kv'],
    async run({ storage, clock, id }) {
      const key = id('k');
      await storage.kv.set(key, 1, { ttl: 1000 });
      await storage.kv.set(key, 2);
      clock.advance(5000);
      assert.equal(await storage.kv.get(key), 2);
    },
  },
  {
    name: 'kv expire sets a new ttl, null removes it, and a missing key returns false',
    requires: ['kv'],
    async run({ storage, clock, id }) {
      const key = id('k');
      await storage.kv.set(key, 'v');
      assert.equal(await storage.kv.expire(key, 2000), true);
      clock.advance(1000);
      assert.equal(await storage.kv.expire(key, null), true);
      clock.advance(5000);
      assert.equal(await storage.kv.get(key), 'v');
      assert.equal(await storage.kv.expire(key, 1000), true);
      clock.advance(1000);
      assert.equal(await storage.kv.get(key), undefined);
      assert.equal(await storage.kv.expire(key, '1h'), false);
      assert.equal(await storage.kv.expire(id('missing'), '1h'), false);
    },
  },
  {
    name: 'an increment ttl applies when the counter is created and never afterwards',
    requires: ['kv'],
    async run({ storage, clock, id }) {
      const key = id('counter');
      assert.equal(await storage.kv.increment(key, 1, { ttl: 1000 }), 1);
      clock.advance(600);
      assert.equal(await storage.kv.increment(key, 1, { ttl: 1000 }), 2);
      clock.advance(399);
      assert.equal(await storage.kv.get(key), 2);
      clock.advance(1);
      assert.equal(await storage.kv.get(key), undefined);
      assert.equal(await storage.kv.increment(key, 5), 5, 'an expired counter restarts at 0');
    },
  },
  {
    name: 'setIfAbsent succeeds over an expired entry and fails over a live one',
    requires: ['kv'],
    async run({ storage, clock, id }) {
      const key = id('lock');
      assert.equal(await storage.kv.setIfAbsent(key, 'owner-1', { ttl: 1000 }), true);
      clock.advance(999);
      assert.equal(await storage.kv.setIfAbsent(key, 'owner-2', { ttl: 1000 }), false);
      assert.equal(await storage.kv.get(key), 'owner-1');
      clock.advance(1);
      assert.equal(await storage.kv.setIfAbsent(key, 'owner-2', { ttl: 1000 }), true);
      assert.equal(await storage.kv.get(key), 'owner-2');
    },
  },
  {
    name: 'invalid kv ttls are a ValidationError and write nothing',
    requires: ['kv'],
    async run({ storage, id }) {
      for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '', 'abc', '10 parsecs']) {
        const key = id('k');
        await rejectsWith(storage.kv.set(key, 1, { ttl }), 'VALIDATION', `ttl ${String(ttl)}`);
        await rejectsWith(storage.kv.setIfAbsent(key, 1, { ttl }), 'VALIDATION');
        await rejectsWith(storage.kv.increment(key, 1, { ttl }), 'VALIDATION');
        assert.equal(await storage.kv.has(key), false);
      }
    },
  },
  {
    name: 'a kv ttl longer than 2^31 ms keeps the entry alive that long',
    requires: ['kv'],
    async run({ storage, clock, id }) {
      const key = id('k');
      await storage.kv.set(key, 'long', { ttl: 2 ** 32 });
      clock.advance(2 ** 32 - 1);
      assert.equal(await storage.kv.get(key), 'long');
      clock.advance(1);
      assert.equal(await storage.kv.get(key), undefined);
    },
  },
]);
