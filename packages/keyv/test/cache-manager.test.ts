import {
  createStorage,
  type ManualClock,
  manualClock,
  memoryAdapter,
  type Storage,
} from '@stowage/core';
import { createCache } from 'cache-manager';
import Keyv from 'keyv';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { stowageKeyvStore } from '../src/index.js';

let clock: ManualClock;
let storage: Storage;

beforeEach(() => {
  clock = manualClock(Date.now());
  storage = createStorage(memoryAdapter(), { clock });
});
afterEach(() => storage.close());

function cacheOver(namespace: string) {
  return createCache({ stores: [new Keyv({ store: stowageKeyvStore(storage), namespace })] });
}

it('cache-manager 7 sets, gets, deletes and clears through the store', async () => {
  const cache = cacheOver('cm');
  await cache.set('user:1', { name: 'Ada' });
  expect(await cache.get('user:1')).toEqual({ name: 'Ada' });
  expect(await storage.kv.has('keyv:cm:user:1')).toBe(true);
  await cache.mset([
    { key: 'a', value: 1 },
    { key: 'b', value: 2 },
  ]);
  expect(await cache.mget(['a', 'b', 'c'])).toEqual([1, 2, undefined]);
  expect(await cache.del('a')).toBe(true);
  expect(await cache.get('a')).toBeUndefined();
  await cache.clear();
  expect((await storage.kv.keys({ prefix: 'keyv:cm:' })).items).toEqual([]);
});

it('cache-manager reports the expiry of a TTL set, and Stowage drops the entry after it', async () => {
  const cache = cacheOver('ttl');
  const before = Date.now();
  await cache.set('session', 'v', 60_000);
  const after = Date.now();
  const expires = await cache.ttl('session');
  expect(expires).toBeGreaterThanOrEqual(before + 60_000);
  expect(expires).toBeLessThanOrEqual(after + 60_000);
  clock.advance(60_001);
  expect(await storage.kv.has('keyv:ttl:session')).toBe(false);
  expect(await cache.get('session')).toBeUndefined();
});

it('cache-manager wrap computes once and then serves the stored value', async () => {
  const cache = cacheOver('wrap');
  let calls = 0;
  const load = async () => {
    calls++;
    return { answer: 42 };
  };
  expect(await cache.wrap('q', load, 10_000)).toEqual({ answer: 42 });
  expect(await cache.wrap('q', load, 10_000)).toEqual({ answer: 42 });
  expect(calls).toBe(1);
});
