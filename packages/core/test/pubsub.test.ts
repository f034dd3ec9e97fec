import { describe, expect, it } from 'vitest';
import {
  CapabilityError,
  ClosedError,
  createStorage,
  memoryAdapter,
  type StowageAdapter,
} from '../src/index.js';

function withoutPubSub(): StowageAdapter {
  const { pubsub: _pubsub, ...rest } = memoryAdapter();
  return rest;
}

/** Resolves with the first `count` values passed to the returned handler. */
function collect<T>(count: number): { handler: (m: T) => void; done: Promise<T[]> } {
  const got: T[] = [];
  let finish: (values: T[]) => void = () => {};
  const done = new Promise<T[]>((resolve) => {
    finish = resolve;
  });
  return {
    handler: (m) => {
      got.push(m);
      if (got.length === count) finish(got);
    },
    done,
  };
}

describe('storage.publish and storage.subscribe', () => {
  it('refuses pub/sub with a CapabilityError when the adapter has none', async () => {
    const storage = createStorage(withoutPubSub());
    await expect(storage.publish('ch', 1)).rejects.toBeInstanceOf(CapabilityError);
    await expect(storage.subscribe('ch', () => {})).rejects.toBeInstanceOf(CapabilityError);
    await storage.close();
  });

  it('opens one adapter subscription per channel however many handlers share it', async () => {
    const adapter = memoryAdapter();
    const storage = createStorage(adapter);
    const offs = await Promise.all([1, 2, 3].map(() => storage.subscribe('ch', () => {})));
    expect((await adapter.health?.())?.subscribers).toBe(1);
    await offs[0]?.();
    await offs[1]?.();
    expect((await adapter.health?.())?.subscribers).toBe(1);
    await offs[2]?.();
    expect((await adapter.health?.())?.subscribers).toBe(0);
    await storage.close();
  });

  it('closing the storage ends every subscription and refuses new ones', async () => {
    const adapter = memoryAdapter();
    const storage = createStorage(adapter);
    await storage.subscribe('a', () => {});
    await storage.subscribe('b', () => {});
    expect((await adapter.health?.())?.subscribers).toBe(2);
    await storage.close();
    expect((await adapter.health?.())?.subscribers).toBe(0);
    await expect(storage.subscribe('a', () => {})).rejects.toBeInstanceOf(ClosedError);
  });

  it('a failing handler without onError becomes a process warning and the others still run', async () => {
    const storage = createStorage(memoryAdapter());
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const healthy = collect<number>(1);
    await storage.subscribe('ch', () => {
      throw new Error('boom');
    });
    await storage.subscribe('ch', healthy.handler);
    await storage.publish('ch', 7);
    expect(await healthy.done).toEqual([7]);
    const warning = await warned;
    expect(warning.name).toBe('StowageWarning');
    expect(warning.message).toContain('boom');
    await storage.close();
  });

  it('onError receives the error and the channel', async () => {
    const reported = collect<[unknown, string]>(1);
    const storage = createStorage(memoryAdapter(), {
      onError: (error, { channel }) => reported.handler([error, channel]),
    });
    await storage.subscribe('alerts', async () => {
      throw new Error('async boom');
    });
    await storage.publish('alerts', { level: 'high' });
    const [[error, channel]] = (await reported.done) as [[unknown, string]];
    expect((error as Error).message).toBe('async boom');
    expect(channel).toBe('alerts');
    await storage.close();
  });

  it('a subscription made after the last unsubscribe of a channel receives messages again', async () => {
    const storage = createStorage(memoryAdapter());
    const off = await storage.subscribe('ch', () => {});
    await off();
    const again = collect<string>(1);
    await storage.subscribe('ch', again.handler);
    await storage.publish('ch', 'back');
    expect(await again.done).toEqual(['back']);
    await storage.close();
  });

  it('handlers receive the channel in their context', async () => {
    const storage = createStorage(memoryAdapter());
    const seen = collect<string>(1);
    await storage.subscribe('news', (_m, { channel }) => seen.handler(channel));
    await storage.publish('news', 1);
    expect(await seen.done).toEqual(['news']);
    await storage.close();
  });
});
