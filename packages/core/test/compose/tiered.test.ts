import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createStorage,
  type ManualClock,
  manualClock,
  memoryAdapter,
  type StoredSession,
  type StowageAdapter,
  tiered,
} from '../../src/index.js';
import { gate, until, view } from './helpers.js';

/** A store whose session reads are counted and can be held after reading, before answering. */
function countedStore(inner: StowageAdapter = memoryAdapter()) {
  const state = { reads: 0, hold: undefined as Promise<void> | undefined };
  const sessions = inner.sessions;
  if (!sessions) throw new Error('memory adapter without sessions');
  const answer = async <T>(read: Promise<T>): Promise<T> => {
    state.reads++;
    const hold = state.hold;
    state.hold = undefined;
    const result = await read;
    await hold;
    return result;
  };
  const adapter: StowageAdapter = {
    ...view(inner),
    sessions: {
      ...sessions,
      get: (id, ctx) => answer(sessions.get(id, ctx)),
      getMany: (ids, ctx) => answer(sessions.getMany(ids, ctx)),
    },
  };
  return { state, adapter };
}

function setup(options: { clock?: ManualClock; store?: StowageAdapter; ttl?: number } = {}) {
  const clock = options.clock ?? manualClock(1_000_000);
  const cache = memoryAdapter();
  const store = countedStore(options.store);
  const adapter = tiered({ cache, store: store.adapter, ttl: options.ttl ?? 60_000, jitter: 0 });
  const storage = createStorage({ adapter, clock });
  return { clock, cache, store, storage };
}

async function cachedCopy(cache: StowageAdapter, id: string, now: number) {
  const keys = await cache.kv?.keys({ prefix: 'stowage:tiered:', limit: 100 }, { now });
  const texts = await Promise.all((keys ?? []).map((k) => cache.kv?.get(k, { now })));
  return texts
    .map((t) => (t === undefined ? undefined : (JSON.parse(t) as StoredSession)))
    .find((s) => s?.id === id);
}

describe('tiered', () => {
  it('shares one store read among concurrent misses of one id', async () => {
    const { store, storage } = setup();
    await storage.sessions.save({ id: 's1', data: { n: 1 } });
    const held = gate();
    store.state.reads = 0;
    store.state.hold = held.wait;
    const reads = Array.from({ length: 20 }, () => storage.sessions.get('s1'));
    await until(() => store.state.reads > 0);
    held.open();
    const found = await Promise.all(reads);
    expect(found.every((s) => s?.version === 1)).toBe(true);
    expect(store.state.reads).toBe(1);
    await storage.close();
  });

  it('caches the exact stored session and serves it without the store', async () => {
    const { cache, clock, store, storage } = setup();
    const saved = await storage.sessions.save({ id: 'a:b', data: 'x' }, { ttl: '1h' });
    const first = await storage.sessions.get('a:b');
    const reads = store.state.reads;
    const second = await storage.sessions.get('a:b');
    expect(store.state.reads).toBe(reads);
    expect(second).toEqual(saved);
    expect(first).toEqual(saved);
    const copy = await cachedCopy(cache, 'a:b', clock.now());
    expect(copy).toMatchObject({
      version: 1,
      createdAt: saved.createdAt,
      expiresAt: saved.expiresAt,
      updatedAt: saved.updatedAt,
    });
    await storage.close();
  });

  it('never keeps a copy past the session expiry', async () => {
    const { cache, clock, storage } = setup({ ttl: 3_600_000 });
    await storage.sessions.save({ id: 's', data: 1 }, { ttl: 10_000 });
    expect((await storage.sessions.get('s'))?.data).toBe(1);
    expect(await cachedCopy(cache, 's', clock.now())).toBeDefined();
    clock.advance(10_000);
    expect(await storage.sessions.get('s')).toBeNull();
    expect(await cachedCopy(cache, 's', clock.now())).toBeUndefined();
    await storage.close();
  });

  it('does not cache what a slow load read before a write that finished meanwhile', async () => {
    const { store, storage } = setup();
    await storage.sessions.save({ id: 's', data: 'old' });
    const held = gate();
    store.state.hold = held.wait;
    const slow = storage.sessions.get('s');
    await until(() => store.state.hold === undefined);
    await storage.sessions.save({ id: 's', data: 'new' });
    held.open();
    expect((await slow)?.data).toBe('old');
    const after = await storage.sessions.get('s');
    expect(after?.data).toBe('new');
    expect(after?.version).toBe(2);
    await storage.close();
  });

  it('invalidates other instances over pub/sub', async () => {
    const backend = memoryAdapter();
    const clock = manualClock(1_000_000);
    const open = (channel?: false) =>
      createStorage({
        adapter: tiered({ cache: memoryAdapter(), store: view(backend), channel }),
        clock,
      });
    const a = open();
    const b = open();
    await a.sessions.save({ id: 's', data: 1 });
    expect((await a.sessions.get('s'))?.data).toBe(1);
    await b.sessions.save({ id: 's', data: 2 });
    await until(async () => (await a.sessions.get('s'))?.data === 2);
    await b.sessions.delete('s');
    await until(async () => (await a.sessions.get('s')) === null);
    // Without the channel, A's copy outlives B's write: what the channel is for.
    const c = open(false);
    const d = open(false);
    await c.sessions.save({ id: 't', data: 1 });
    await c.sessions.get('t');
    await d.sessions.save({ id: 't', data: 2 });
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect((await c.sessions.get('t'))?.data).toBe(1);
    // ...until a conflict shows the copy was stale: update retries on fresh data.
    const updated = await c.sessions.update<number>('t', (s) => ({ data: (s?.data ?? 0) + 10 }));
    expect(updated).toMatchObject({ data: 12, version: 3 });
    await Promise.all([a.close(), b.close(), c.close(), d.close()]);
  });

  it('drops cached copies on delete, deleteWhere, touch and append', async () => {
    const { cache, clock, storage } = setup();
    for (const id of ['u1', 'u2', 'u3']) {
      await storage.sessions.save({ id, data: id, labels: { user: id === 'u3' ? 'y' : 'x' } });
      await storage.sessions.get(id);
    }
    const before = (await storage.sessions.get('u3'))?.updatedAt;
    clock.advance(1000);
    await storage.messages.append('u3', ['hi']);
    expect((await storage.sessions.get('u3'))?.updatedAt).toBe((before ?? 0) + 1000);
    expect(await storage.sessions.deleteWhere({ labels: { user: 'x' } })).toBe(2);
    expect(await storage.sessions.get('u1')).toBeNull();
    expect(await cachedCopy(cache, 'u2', clock.now())).toBeUndefined();
    await storage.sessions.touch('u3', '1m');
    expect((await storage.sessions.get('u3'))?.expiresAt).toBe(clock.now() + 60_000);
    await storage.close();
  });

  it('reads several ids from cache and store in input order', async () => {
    const { store, storage } = setup();
    await storage.sessions.saveMany([
      { id: 'a', data: 1 },
      { id: 'b', data: 2 },
    ]);
    await storage.sessions.get('a');
    store.state.reads = 0;
    const found = await storage.sessions.getMany(['b', 'missing', 'a', 'b']);
    expect(found.map((s) => s?.data ?? null)).toEqual([2, null, 1, 2]);
    expect(store.state.reads).toBe(1);
    await storage.close();
  });

  it('refuses a bad configuration with a ConfigError', () => {
    const memory = memoryAdapter();
    const { kv: _kv, ...noKv } = memoryAdapter();
    const { sessions: _s, ...noSessions } = memoryAdapter();
    expect(() => tiered({ cache: memory, store: memory })).toThrow(ConfigError);
    expect(() => tiered({ cache: noKv, store: memoryAdapter() })).toThrow(ConfigError);
    expect(() => tiered({ cache: memoryAdapter(), store: noSessions })).toThrow(ConfigError);
    expect(() => tiered({ cache: memoryAdapter(), store: memoryAdapter(), jitter: 2 })).toThrow(
      ConfigError,
    );
    expect(() => tiered({ cache: memoryAdapter(), store: memoryAdapter(), ttl: 'soon' })).toThrow(
      ConfigError,
    );
  });

  it('reports each tier in health and names itself in errors', async () => {
    const { storage } = setup();
    const report = await storage.health();
    expect(report.ok).toBe(true);
    expect(report.details.adapter).toBe('tiered(memory,memory)');
    expect(Object.keys((report.details.parts as Record<string, unknown>) ?? {})).toEqual([
      'store',
      'cache',
    ]);
    await storage.sessions.save({ id: 'c', data: 1 });
    await expect(
      storage.sessions.save({ id: 'c', data: 2 }, { expectedVersion: 5 }),
    ).rejects.toMatchObject({ code: 'CONFLICT', adapter: 'tiered(memory,memory)' });
    await storage.close();
  });
});
