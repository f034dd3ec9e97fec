import {
  ConfigError,
  createStorage,
  manualClock,
  memoryAdapter,
  type Storage,
} from '@stowage/core';
import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SessionUnavailableError,
  StaleSessionError,
  StowageStore,
  type StowageStoreOptions,
} from '../src/index.js';
import { flakyAdapter } from './support/flaky-adapter.js';

function cookie(maxAgeMs: number | null): SessionData['cookie'] {
  return {
    originalMaxAge: maxAgeMs,
    expires: maxAgeMs === null ? null : new Date(Date.now() + maxAgeMs),
    path: '/',
    httpOnly: true,
  } as unknown as SessionData['cookie'];
}

function call<T>(run: (done: (error: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) =>
    run((error, value) => (error ? reject(error) : resolve(value))),
  );
}

describe('StowageStore', () => {
  let storage: Storage;
  const clock = manualClock();

  beforeEach(() => {
    storage = createStorage({ adapter: memoryAdapter(), clock });
  });
  afterEach(() => storage.close());

  const storeWith = (options: Partial<StowageStoreOptions> = {}) =>
    new StowageStore({ storage, concurrency: 'reject', ...options });
  const set = (store: StowageStore, sid: string, session: SessionData) =>
    call<void>((done) => store.set(sid, session, done));
  const get = (store: StowageStore, sid: string) =>
    call<SessionData | null>((done) => store.get(sid, done));
  /** What express-session does on a request: load, then build the request's session object. */
  const load = async (store: StowageStore, sid: string) => {
    const data = await get(store, sid);
    if (!data) return null;
    const req = { sessionID: sid, sessionStore: store } as unknown as Request;
    return store.createSession(req, data);
  };

  it('stores a session under the configured state with a TTL from the cookie', async () => {
    const store = storeWith();
    await set(store, 's1', { cookie: cookie(60_000), cart: ['a'] } as SessionData);
    const stored = await storage.sessions.get('s1');
    expect(stored?.state).toBe('express-session');
    expect(stored?.version).toBe(1);
    const ttl = (stored?.expiresAt ?? 0) - clock.now();
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(((await get(store, 's1')) as { cart?: string[] }).cart).toEqual(['a']);
  });

  it('uses the ttl option for a browser-session cookie without expiry', async () => {
    const store = storeWith({ ttl: '2h' });
    await set(store, 's1', { cookie: cookie(null) } as SessionData);
    const stored = await storage.sessions.get('s1');
    expect(stored?.expiresAt).toBe(clock.now() + 2 * 3_600_000);
  });

  it('all, length and clear see only express sessions', async () => {
    const store = storeWith();
    await set(store, 'a', { cookie: cookie(60_000) } as SessionData);
    await set(store, 'b', { cookie: cookie(60_000) } as SessionData);
    await storage.sessions.save({ id: 'conversation', data: { turns: 1 } });
    expect(await call<number>((done) => store.length(done))).toBe(2);
    const all = await call<Record<string, SessionData> | null>((done) => store.all(done));
    expect(Object.keys(all ?? {}).sort()).toEqual(['a', 'b']);
    await call<void>((done) => store.clear(done));
    expect(await call<number>((done) => store.length(done))).toBe(0);
    expect(await storage.sessions.get('conversation')).not.toBeNull();
  });

  it('labels sessions with the labels option', async () => {
    const store = storeWith({
      labels: (s) => ({ userId: String((s as { user?: string }).user) }),
    });
    await set(store, 's1', { cookie: cookie(60_000), user: 'u7' } as SessionData);
    expect((await storage.sessions.get('s1'))?.labels).toEqual({ userId: 'u7' });
  });

  it('touch extends the expiry without a new version and never creates a session', async () => {
    const store = storeWith();
    await set(store, 's1', { cookie: cookie(60_000) } as SessionData);
    clock.advance(30_000);
    await call<void>((done) => store.touch('s1', { cookie: cookie(60_000) } as SessionData, done));
    const stored = await storage.sessions.get('s1');
    expect(stored?.version).toBe(1);
    expect((stored?.expiresAt ?? 0) - clock.now()).toBeGreaterThan(50_000);
    await call<void>((done) =>
      store.touch('gone', { cookie: cookie(60_000) } as SessionData, done),
    );
    expect(await storage.sessions.get('gone')).toBeNull();
  });

  it('a new session saves as a create: it never overwrites an existing one', async () => {
    const store = storeWith();
    await set(store, 's1', { cookie: cookie(60_000) } as SessionData);
    await expect(set(store, 's1', { cookie: cookie(60_000) } as SessionData)).rejects.toThrow(
      StaleSessionError,
    );
  });

  it('a stale save is refused with a 409 error and the newer data stays', async () => {
    const store = storeWith();
    await set(store, 's1', { cookie: cookie(60_000), n: 0 } as SessionData);
    const first = await load(store, 's1');
    const second = await load(store, 's1');
    Object.assign(first as object, { n: 1 });
    Object.assign(second as object, { n: 2 });
    await set(store, 's1', first as SessionData);
    const error = await set(store, 's1', second as SessionData).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleSessionError);
    expect((error as StaleSessionError).status).toBe(409);
    expect((error as StaleSessionError).currentVersion).toBe(2);
    expect((await storage.sessions.get<{ n: number }>('s1'))?.data.n).toBe(1);
    // The request whose save succeeded may save again: it now holds version 2.
    Object.assign(first as object, { n: 3 });
    await set(store, 's1', first as SessionData);
    expect((await storage.sessions.get('s1'))?.version).toBe(3);
  });

  for (const concurrency of ['serialize', 'reject', 'last-write-wins'] as const) {
    it(`${concurrency}: a save of a destroyed session never recreates it`, async () => {
      const store = storeWith({ concurrency });
      await set(store, 's1', { cookie: cookie(60_000) } as SessionData);
      const loaded = await load(store, 's1');
      await call<void>((done) => store.destroy('s1', done));
      Object.assign(loaded as object, { late: true });
      const outcome = await set(store, 's1', loaded as SessionData).then(
        () => 'dropped',
        (e: unknown) => e,
      );
      if (concurrency === 'last-write-wins') expect(outcome).toBe('dropped');
      else expect(outcome).toBeInstanceOf(StaleSessionError);
      expect(await storage.sessions.get('s1')).toBeNull();
    });
  }

  it('refuses bad options with a ConfigError', () => {
    expect(() => new StowageStore({} as StowageStoreOptions)).toThrow(ConfigError);
    expect(() => storeWith({ concurrency: 'optimistic' as 'reject' })).toThrow(ConfigError);
    expect(() => storeWith({ ttl: 'soon' })).toThrow(ConfigError);
    expect(() => storeWith({ unavailableStatus: 200 })).toThrow(ConfigError);
  });
});

describe('the serialize lock', () => {
  it('a request waiting longer than lockTimeout gets a SessionLockTimeoutError (503)', async () => {
    const storage = createStorage(memoryAdapter());
    const store = new StowageStore({ storage, lockTimeout: 50 });
    const held = await store.lockSession('s1');
    const error = await store.lockSession('s1').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SessionLockTimeoutError', status: 503 });
    await held();
    const next = await store.lockSession('s1');
    await next();
    await storage.close();
  });

  it('a lease left by a vanished process is taken over once it expires', async () => {
    const clock = manualClock();
    const storage = createStorage({ adapter: memoryAdapter(), clock });
    const store = new StowageStore({ storage, lockLease: '30s' });
    await storage.kv.setIfAbsent('express-session:lock:s1', 'crashed-process', { ttl: '30s' });
    let acquired = false;
    const waiting = store.lockSession('s1').then((release) => {
      acquired = true;
      return release;
    });
    // The lease is still live: the request keeps polling.
    await new Promise((resolve) => setImmediate(resolve));
    expect(acquired).toBe(false);
    clock.advance(30_000);
    const release = await waiting;
    expect(await storage.kv.get('express-session:lock:s1')).not.toBe('crashed-process');
    await release();
    expect(await storage.kv.get('express-session:lock:s1')).toBeUndefined();
    await storage.close();
  });
});

describe('a failing call made without a callback', () => {
  it("is emitted as 'error' to listeners instead of being lost", async () => {
    const adapter = flakyAdapter();
    const storage = createStorage({ adapter, timeout: 100 });
    const store = new StowageStore({ storage });
    const failed = new Promise<unknown>((resolve) => store.once('error', resolve));
    adapter.mode = 'refuse';
    store.destroy('s1');
    expect(await failed).toBeInstanceOf(SessionUnavailableError);
    adapter.mode = 'up';
    await storage.close();
  });
});
