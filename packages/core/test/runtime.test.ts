import { describe, expect, it } from 'vitest';
import {
  BackendError,
  ClosedError,
  ConnectionError,
  createStorage,
  type KvDriver,
  memoryAdapter,
  type OperationEvent,
  type StowageAdapter,
  TimeoutError,
} from '../src/index.js';

/** A memory adapter whose kv.get is replaced, to drive the facade's failure paths. */
function withKvGet(get: KvDriver['get'], extra: Partial<StowageAdapter> = {}): StowageAdapter {
  const base = memoryAdapter();
  return { ...base, kv: { ...(base.kv as KvDriver), get }, ...extra };
}

describe('the storage runtime', () => {
  it('ends a call that never settles with TimeoutError at its deadline', async () => {
    const storage = createStorage(
      withKvGet(() => new Promise(() => {})),
      { timeout: 50 },
    );
    const error = await storage.kv.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).adapter).toBe('memory');
    await storage.close();
  });

  it('turns foreign errors into BackendError that keeps the cause', async () => {
    const boom = new Error('socket hang up');
    const storage = createStorage(withKvGet(() => Promise.reject(boom)));
    const error = await storage.kv.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).cause).toBe(boom);
    expect((error as BackendError).adapter).toBe('memory');
  });

  it('opens lazily, once, and retries a failed open on the next call', async () => {
    let opens = 0;
    const base = memoryAdapter();
    const adapter: StowageAdapter = {
      ...base,
      async open(ctx) {
        opens++;
        if (opens === 1) throw new ConnectionError('not yet');
        await base.open?.(ctx);
      },
    };
    const storage = createStorage(adapter);
    expect(opens).toBe(0);
    await expect(storage.kv.get('k')).rejects.toBeInstanceOf(ConnectionError);
    await storage.kv.set('k', 1);
    await storage.kv.get('k');
    expect(opens).toBe(2);
    await storage.close();
  });

  it('close waits for in-flight calls, is idempotent, and refuses later calls', async () => {
    let release: (value: string | undefined) => void = () => {};
    const storage = createStorage(withKvGet(() => new Promise((resolve) => (release = resolve))));
    const pending = storage.kv.get('k');
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    let closed = false;
    const closing = storage.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release('1');
    expect(await pending).toBe(1);
    await closing;
    await storage.close();
    await expect(storage.sessions.get('s')).rejects.toBeInstanceOf(ClosedError);
    expect((await storage.health()).ok).toBe(false);
  });

  it('reports every operation to onOperation, and survives a throwing hook', async () => {
    const events: OperationEvent[] = [];
    const storage = createStorage(memoryAdapter(), { onOperation: (e) => events.push(e) });
    await storage.kv.set('k', 1);
    await storage.messages.append('missing', [1]).catch(() => undefined);
    expect(events.map((e) => [e.op, e.ok, e.code])).toEqual([
      ['kv.set', true, undefined],
      ['messages.append', false, 'NOT_FOUND'],
    ]);
    expect(events.every((e) => e.adapter === 'memory' && e.ms >= 0)).toBe(true);
    const noisy = createStorage(memoryAdapter(), {
      onOperation: () => {
        throw new Error('metrics down');
      },
    });
    await noisy.kv.set('k', 2);
    expect(await noisy.kv.get('k')).toBe(2);
  });

  it('applies a codec to values but keeps counters as bare integers', async () => {
    const reversed = {
      name: 'reverse',
      encode: (json: string) => JSON.stringify([...json].reverse().join('')),
      decode: (stored: string) => [...(JSON.parse(stored) as string)].reverse().join(''),
    };
    const adapter = memoryAdapter();
    const storage = createStorage(adapter, { codec: reversed });
    await storage.kv.set('doc', { a: 1 });
    expect(await adapter.kv?.get('doc', { now: Date.now() })).toBe('"}1:\\"a\\"{"');
    expect(await storage.kv.get('doc')).toEqual({ a: 1 });
    expect(await storage.kv.increment('hits', 5)).toBe(5);
    expect(await storage.kv.get('hits')).toBe(5);
  });

  it('reports health with latency and adapter details', async () => {
    const storage = createStorage(memoryAdapter());
    const report = await storage.health();
    expect(report.ok).toBe(true);
    expect(report.details.adapter).toBe('memory');
    expect(report.latencyMs).toBeGreaterThanOrEqual(0);
    expect(await storage.capabilities()).toEqual({
      atomicBatch: true,
      multiProcess: false,
      persistent: false,
    });
  });
});
