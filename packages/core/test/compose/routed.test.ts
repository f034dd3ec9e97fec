import { describe, expect, it } from 'vitest';
import {
  BackendError,
  ConfigError,
  createStorage,
  memoryAdapter,
  routed,
  type StowageAdapter,
} from '../../src/index.js';

/** An adapter over a memory adapter that counts opens and closes and can fail its close. */
function tracked(failClose = false) {
  const inner = memoryAdapter();
  const counts = { opens: 0, closes: 0 };
  const adapter: StowageAdapter = {
    ...inner,
    async open(context) {
      counts.opens++;
      await inner.open?.(context);
    },
    async close() {
      counts.closes++;
      await inner.close();
      if (failClose) throw new BackendError('close failed (test)');
    },
  };
  return { adapter, counts };
}

describe('routed', () => {
  it('keeps messages with sessions and refuses any other messages adapter', () => {
    const sessions = memoryAdapter();
    expect(() => routed({ sessions, messages: memoryAdapter() })).toThrow(ConfigError);
    expect(() => routed({ messages: memoryAdapter() })).toThrow(/messages must be the sessions/);
    expect(routed({ sessions, messages: sessions }).messages).toBeDefined();
    expect(routed({ sessions }).messages).toBeDefined();
  });

  it('refuses parts without the driver they are given for, and an empty routing', () => {
    const { kv: _kv, ...noKv } = memoryAdapter();
    const { queues: _q, ...noQueues } = memoryAdapter();
    expect(() => routed({ kv: noKv })).toThrow(ConfigError);
    expect(() => routed({ sessions: memoryAdapter(), queues: noQueues })).toThrow(/queues/);
    expect(() => routed({})).toThrow(ConfigError);
    expect(() => routed({ kv: {} as StowageAdapter })).toThrow(ConfigError);
  });

  it('sends each kind of data to its adapter', async () => {
    const sessions = memoryAdapter();
    const kv = memoryAdapter();
    const queues = memoryAdapter();
    const storage = createStorage(routed({ sessions, kv, queues, pubsub: kv }));
    await storage.sessions.save({ id: 's', data: 1 });
    await storage.messages.append('s', ['m']);
    await storage.kv.set('k', 'v');
    await storage.queue('q').enqueue({ job: 1 });
    const now = { now: Date.now() };
    expect(await sessions.sessions?.get('s', now)).not.toBeNull();
    expect(await sessions.messages?.length('s', now)).toBe(1);
    expect(await kv.sessions?.get('s', now)).toBeNull();
    expect(await kv.kv?.get('k', now)).toBe('"v"');
    expect(await sessions.kv?.get('k', now)).toBeUndefined();
    expect((await queues.queues?.size('q', now))?.ready).toBe(1);
    expect((await sessions.queues?.size('q', now))?.ready).toBe(0);
    await storage.close();
  });

  it('leaves out kinds no adapter was given', () => {
    const adapter = routed({ sessions: memoryAdapter() });
    expect(adapter.kv).toBeUndefined();
    expect(adapter.queues).toBeUndefined();
    expect(adapter.pubsub).toBeUndefined();
  });

  it('combines capabilities honestly', () => {
    const memory = memoryAdapter();
    const shared: StowageAdapter = {
      ...memoryAdapter(),
      capabilities: { atomicBatch: false, multiProcess: true, persistent: true },
    };
    expect(routed({ sessions: memory, kv: shared }).capabilities).toEqual({
      atomicBatch: false,
      multiProcess: false,
      persistent: false,
    });
    const all = routed({ sessions: shared, kv: shared });
    expect(all.capabilities).toEqual({ atomicBatch: false, multiProcess: true, persistent: true });
    // A part that only carries pub/sub stores nothing, so it does not decide persistence.
    expect(routed({ sessions: shared, pubsub: memory }).capabilities.persistent).toBe(true);
  });

  it('opens and closes each part once, and closes all even when one fails', async () => {
    const a = tracked(true);
    const b = tracked();
    const storage = createStorage(
      routed({ sessions: a.adapter, kv: b.adapter, queues: a.adapter }),
    );
    await storage.sessions.save({ id: 's', data: 1 });
    await storage.kv.set('k', 1);
    expect([a.counts.opens, b.counts.opens]).toEqual([1, 1]);
    await expect(storage.close()).rejects.toThrow(/close failed/);
    expect([a.counts.closes, b.counts.closes]).toEqual([1, 1]);
  });

  it('reports every part in health, and not ok when one is down', async () => {
    const down: StowageAdapter = {
      ...memoryAdapter(),
      name: 'down',
      health: async () => {
        throw new BackendError('no answer (test)');
      },
    };
    const ok = createStorage(routed({ sessions: memoryAdapter(), kv: memoryAdapter() }));
    const report = await ok.health();
    expect(report.ok).toBe(true);
    expect(Object.keys(report.details.parts as object)).toEqual(['sessions', 'kv']);
    const bad = createStorage(routed({ sessions: memoryAdapter(), kv: down }));
    const failed = await bad.health();
    expect(failed.ok).toBe(false);
    expect(String(failed.details.error)).toMatch(/kv unhealthy/);
    await Promise.all([ok.close(), bad.close()]);
  });

  it('routes to drivers written as classes and names itself in their errors', async () => {
    const inner = memoryAdapter();
    const kv = inner.kv as NonNullable<StowageAdapter['kv']>;
    class ClassKv {
      get(key: string, ctx: { now: number }) {
        return kv.get(key, ctx);
      }
      increment(key: string, by: number, expiresAt: number | null, ctx: { now: number }) {
        return kv.increment(key, by, expiresAt, ctx);
      }
    }
    const classAdapter = { ...inner, kv: new ClassKv() } as StowageAdapter;
    const storage = createStorage(routed({ sessions: memoryAdapter(), kv: classAdapter }));
    expect(await storage.kv.increment('n')).toBe(1);
    await kv.set({ key: 'word', value: '"w"', expiresAt: null }, { now: Date.now() });
    await expect(storage.kv.increment('word')).rejects.toMatchObject({
      code: 'VALIDATION',
      adapter: 'routed(memory,memory)',
    });
    await storage.close();
  });
});
