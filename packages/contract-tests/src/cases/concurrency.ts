import { StowageError } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group } from './assert.js';

/** Counts fulfilled results and checks every rejection is a StowageError of `code`. */
function tally(results: PromiseSettledResult<unknown>[], code: string): number {
  let won = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') won++;
    else {
      const error: unknown = r.reason;
      assert.ok(
        error instanceof StowageError && error.code === code,
        `expected ${code}, got ${String(error)}`,
      );
    }
  }
  return won;
}

/** Concurrency cases: competing writers through one or two storages lose no update and win exactly once. */
export const concurrencyCases: ContractCase[] = group('concurrency', [
  {
    name: '50 concurrent update calls on one session lose no increment',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: { n: 0 } });
      await Promise.all(
        Array.from({ length: 50 }, () =>
          storage.sessions.update<{ n: number }>(sid, (cur) => ({
            data: { n: (cur?.data.n ?? 0) + 1 },
          })),
        ),
      );
      const got = await storage.sessions.get<{ n: number }>(sid);
      assert.equal(got?.data.n, 50);
      assert.equal(got?.version, 51);
    },
  },
  {
    name: 'of 20 concurrent create-only saves exactly one succeeds and the rest conflict',
    async run({ storage, id }) {
      const sid = id();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          storage.sessions.save({ id: sid, data: i }, { expectedVersion: 0 }),
        ),
      );
      assert.equal(tally(results, 'CONFLICT'), 1);
      const winner = results.find((r) => r.status === 'fulfilled');
      const got = await storage.sessions.get(sid);
      assert.equal(got?.version, 1);
      assert.equal(winner?.status === 'fulfilled' ? winner.value.data : undefined, got?.data);
    },
  },
  {
    name: 'of 20 concurrent saves expecting the same version exactly one wins',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'base' });
      await storage.sessions.save({ id: sid, data: 'base' });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          storage.sessions.save({ id: sid, data: i }, { expectedVersion: 2 }),
        ),
      );
      assert.equal(tally(results, 'CONFLICT'), 1);
      assert.equal((await storage.sessions.get(sid))?.version, 3);
    },
  },
  {
    name: 'of 20 concurrent setIfAbsent calls on one key exactly one returns true',
    requires: ['kv'],
    async run({ storage, id }) {
      const key = id('lock');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => storage.kv.setIfAbsent(key, i, { ttl: '1m' })),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await storage.kv.get(key), results.indexOf(true));
    },
  },
  {
    name: '100 concurrent increments of one counter sum exactly',
    requires: ['kv'],
    async run({ storage, id }) {
      const key = id('counter');
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => storage.kv.increment(key, i + 1)),
      );
      assert.equal(await storage.kv.get(key), 5050);
      assert.equal(new Set(results).size, 100, 'two increments returned the same total');
      assert.equal(Math.max(...results), 5050);
    },
  },
  {
    name: '50 concurrent appends store 50 messages and return the distinct lengths 1 to 50',
    requires: ['messages'],
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: {} });
      const lengths = await Promise.all(
        Array.from({ length: 50 }, (_, i) => storage.messages.append(sid, [i])),
      );
      assert.deepEqual(
        [...lengths].sort((a, b) => a - b),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      const stored = await storage.messages.range<number>(sid);
      assert.deepEqual(
        [...stored].sort((a, b) => a - b),
        Array.from({ length: 50 }, (_, i) => i),
      );
      // Each append's returned length is the position its message landed at.
      for (const [i, length] of lengths.entries()) assert.equal(stored[length - 1], i);
    },
  },
  {
    name: 'concurrent appends with one idempotency key append exactly once',
    requires: ['messages'],
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: {} });
      await Promise.all(
        Array.from({ length: 10 }, () =>
          storage.messages.append(sid, ['once'], { idempotencyKey: 'retry-1' }),
        ),
      );
      assert.deepEqual(await storage.messages.range(sid), ['once']);
    },
  },
  {
    name: "two storages on the same backend see each other's writes",
    requires: ['messages', 'kv'],
    async run({ storage, openStorage, id }) {
      const other = await openStorage();
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'from one' });
      assert.equal((await other.sessions.get(sid))?.data, 'from one');
      await other.sessions.save({ id: sid, data: 'from two' }, { expectedVersion: 1 });
      assert.equal((await storage.sessions.get(sid))?.version, 2);
      await other.messages.append(sid, ['hi']);
      assert.deepEqual(await storage.messages.range(sid), ['hi']);
      const key = id('k');
      await storage.kv.increment(key);
      assert.equal(await other.kv.increment(key), 2);
      await other.sessions.delete(sid);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'concurrent update calls through two storages lose no increment',
    async run({ storage, openStorage, id }) {
      const other = await openStorage();
      const sid = id();
      await storage.sessions.save({ id: sid, data: { n: 0 } });
      const bump = (s: typeof storage) =>
        s.sessions.update<{ n: number }>(sid, (cur) => ({ data: { n: (cur?.data.n ?? 0) + 1 } }));
      await Promise.all(Array.from({ length: 30 }, (_, i) => bump(i % 2 ? storage : other)));
      assert.equal((await storage.sessions.get<{ n: number }>(sid))?.data.n, 30);
    },
  },
]);
