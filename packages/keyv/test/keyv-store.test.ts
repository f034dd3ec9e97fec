import {
  ClosedError,
  ConfigError,
  createStorage,
  type ManualClock,
  manualClock,
  memoryAdapter,
  type Storage,
  ValidationError,
} from '@stowage/core';
import Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StowageKeyvStore, stowageKeyvStore } from '../src/index.js';

let clock: ManualClock;
let storage: Storage;

beforeEach(() => {
  clock = manualClock(Date.now());
  storage = createStorage(memoryAdapter(), { clock });
});
afterEach(() => storage.close());

describe('what reaches Stowage', () => {
  it('stores Keyv serialized text under prefix + namespace:key as a JSON string', async () => {
    const keyv = new Keyv({ store: stowageKeyvStore(storage), namespace: 'pages' });
    await keyv.set('home', { title: 'Home' });
    const stored = await storage.kv.get<string>('keyv:pages:home');
    expect(typeof stored).toBe('string');
    expect(JSON.parse(stored as string)).toEqual({ value: { title: 'Home' } });
  });

  it('stores raw objects as JSON when Keyv serialization is disabled', async () => {
    const keyv = new Keyv({
      store: stowageKeyvStore(storage),
      namespace: 'raw',
      serialize: undefined,
      deserialize: undefined,
    });
    await keyv.set('user', { name: 'Ada', tags: ['x'] });
    expect(await storage.kv.get('keyv:raw:user')).toEqual({ value: { name: 'Ada', tags: ['x'] } });
    expect(await keyv.get('user')).toEqual({ name: 'Ada', tags: ['x'] });
  });

  it('gives Keyv TTLs to Stowage, so the backend entry expires on the storage clock', async () => {
    const keyv = new Keyv({ store: stowageKeyvStore(storage), namespace: 'ttl' });
    await keyv.set('short', 'v', 1000);
    await keyv.set('forever', 'v');
    clock.advance(999);
    expect(await storage.kv.has('keyv:ttl:short')).toBe(true);
    clock.advance(2);
    expect(await storage.kv.has('keyv:ttl:short')).toBe(false);
    expect(await storage.kv.has('keyv:ttl:forever')).toBe(true);
  });

  it('uses a custom prefix for every key', async () => {
    const keyv = new Keyv({
      store: stowageKeyvStore(storage, { prefix: 'cache/' }),
      namespace: 'n',
    });
    await keyv.set('a', 1);
    expect(await storage.kv.has('cache/n:a')).toBe(true);
  });
});

describe('clear()', () => {
  it('deletes only the current namespace, across several pages, and leaves other kv keys', async () => {
    const store = stowageKeyvStore(storage, { pageSize: 2 });
    const mine = new Keyv({ store, namespace: 'mine' });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => mine.set(k, k)));
    const theirs = new Keyv({ store: stowageKeyvStore(storage), namespace: 'theirs' });
    await theirs.set('a', 'kept');
    await storage.kv.set('feature:flags', { beta: true });
    await storage.kv.set('keyv:minestrone', 'not in the namespace');

    await mine.clear();

    expect((await storage.kv.keys({ prefix: 'keyv:mine:' })).items).toEqual([]);
    expect(await theirs.get('a')).toBe('kept');
    expect(await storage.kv.get('feature:flags')).toEqual({ beta: true });
    expect(await storage.kv.get('keyv:minestrone')).toBe('not in the namespace');
  });

  it('without a namespace deletes the whole prefix and nothing outside it', async () => {
    const store = stowageKeyvStore(storage, { prefix: 'kv-cache:' });
    const keyv = new Keyv({ store, namespace: '' });
    await keyv.set('x', 1);
    await storage.kv.set('other', 2);
    await keyv.clear();
    expect(await storage.kv.has('kv-cache:x')).toBe(false);
    expect(await storage.kv.get('other')).toBe(2);
  });
});

describe('batches', () => {
  it('setMany stores every entry with its own TTL, the last of a repeated key winning', async () => {
    const keyv = new Keyv({ store: stowageKeyvStore(storage), namespace: 'b' });
    await keyv.setMany([
      { key: 'a', value: 1, ttl: 1000 },
      { key: 'b', value: 2 },
      { key: 'a', value: 3, ttl: 1000 },
    ]);
    expect(await keyv.get(['a', 'b'])).toEqual([3, 2]);
    clock.advance(1001);
    expect(await storage.kv.has('keyv:b:a')).toBe(false);
    expect(await storage.kv.has('keyv:b:b')).toBe(true);
  });

  it('deleteMany resolves true only when every key had an entry', async () => {
    const store = stowageKeyvStore(storage);
    await store.set('x', 'v');
    await store.set('y', 'v');
    expect(await store.deleteMany(['x', 'x', 'missing'])).toBe(false);
    expect(await store.has('x')).toBe(false);
    expect(await store.deleteMany(['y', 'y'])).toBe(true);
    expect(await store.deleteMany([])).toBe(false);
  });

  it('hasMany answers per key in input order', async () => {
    const store = stowageKeyvStore(storage);
    await store.set('here', 'v');
    expect(await store.hasMany(['missing', 'here'])).toEqual([false, true]);
  });
});

describe('iterator()', () => {
  it('walks every page of the namespace and yields keys as Keyv wrote them', async () => {
    const store = stowageKeyvStore(storage, { pageSize: 2 });
    for (const k of ['a', 'b', 'c', 'd', 'e']) await store.set(`it:${k}`, k);
    await store.set('other:a', 'no');
    const seen: [string, string][] = [];
    for await (const entry of store.iterator<string>('it')) seen.push(entry);
    expect(seen).toEqual([
      ['it:a', 'a'],
      ['it:b', 'b'],
      ['it:c', 'c'],
      ['it:d', 'd'],
      ['it:e', 'e'],
    ]);
  });

  it('is offered by Keyv as keyv.iterator()', async () => {
    const keyv = new Keyv({ store: stowageKeyvStore(storage), namespace: 'ns' });
    await keyv.set('k', 'v');
    const iterator = keyv.iterator;
    expect(iterator).toBeTypeOf('function');
    const seen: unknown[] = [];
    for await (const entry of (iterator as NonNullable<typeof iterator>)(undefined)) {
      seen.push(entry);
    }
    expect(seen).toEqual([['k', 'v']]);
  });
});

describe('errors', () => {
  it('rejects with the Stowage error and lets Keyv report failed sets', async () => {
    const store = stowageKeyvStore(storage);
    await expect(store.set('bad\u0000key', 'v')).rejects.toBeInstanceOf(ValidationError);
    const keyv = new Keyv({ store });
    const errors: unknown[] = [];
    keyv.on('error', (error: unknown) => errors.push(error));
    expect(await keyv.set('bad\u0000key', 'v')).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ValidationError);
  });

  it('emits a failed get as an error event, which Keyv would otherwise discard', async () => {
    const store = stowageKeyvStore(storage);
    const keyv = new Keyv({ store });
    const errors: unknown[] = [];
    keyv.on('error', (error: unknown) => errors.push(error));
    await storage.close();
    expect(await keyv.get('k')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ClosedError);
    await expect(store.get('k')).rejects.toBeInstanceOf(ClosedError);
  });

  it('refuses an empty prefix and an out-of-range page size', () => {
    expect(() => new StowageKeyvStore(storage, { prefix: '' })).toThrow(ConfigError);
    expect(() => stowageKeyvStore(storage, { pageSize: 0 })).toThrow(ConfigError);
    expect(() => stowageKeyvStore(storage, { pageSize: 1001 })).toThrow(ConfigError);
  });
});
