import { describe, expect, it } from 'vitest';
import type { StorageOptions } from '../src/index.js';
import { ConfigError, createStorage, manualClock, memoryAdapter } from '../src/index.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('createStorage options', () => {
  it('accepts an adapter, a URL, or options', async () => {
    for (const storage of [
      createStorage(memoryAdapter()),
      createStorage('memory:'),
      createStorage({ url: 'memory:', timeout: '2s', maxValueBytes: 1024, sessionTtl: '30m' }),
    ]) {
      await storage.kv.set('k', 1);
      expect(await storage.kv.get('k')).toBe(1);
      await storage.close();
    }
  });

  it('says which option is wrong and how', () => {
    const unknown = { adapter: memoryAdapter(), colour: 'red' } as StorageOptions;
    expect(configError(() => createStorage(unknown)).message).toContain('colour');
    expect(
      configError(() => createStorage({ maxValueBytes: -1, url: 'memory:' })).message,
    ).toContain('options.maxValueBytes');
    expect(configError(() => createStorage({})).message).toContain('exactly one of adapter or url');
    expect(configError(() => createStorage('memory:', { timeout: 'soon' })).message).toContain(
      'timeout',
    );
    expect(configError(() => createStorage('memory:', { timeout: 0 })).message).toContain(
      'timeout',
    );
    expect(
      configError(() => createStorage('memory:', { namespace: 'bad name' })).message,
    ).toContain('options.namespace');
    expect(
      configError(() => createStorage(memoryAdapter(), { namespace: 'app' })).message,
    ).toContain('adapter options');
    expect(configError(() => createStorage(42 as unknown as string)).message).toContain(
      'createStorage takes',
    );
  });

  it('refuses URLs without a known scheme, lazily and clearly', async () => {
    expect(configError(() => createStorage('just-a-path')).message).toContain('no scheme');
    const storage = createStorage('mongodb://localhost/x');
    await expect(storage.kv.get('k')).rejects.toThrow(/Unknown storage URL scheme "mongodb:"/);
  });

  it('refuses to share one adapter instance between two storages', async () => {
    const adapter = memoryAdapter();
    const first = createStorage(adapter);
    await first.kv.set('a', 1);
    const second = createStorage(adapter);
    await expect(second.kv.get('a')).rejects.toBeInstanceOf(ConfigError);
    await first.close();
  });
});

describe('errors from the facade', () => {
  it('name the adapter even when raised by validation before any I/O', async () => {
    const storage = createStorage(memoryAdapter());
    const error = await storage.sessions.get('').catch((e: unknown) => e);
    expect((error as { code: string; adapter: string }).code).toBe('VALIDATION');
    expect((error as { adapter: string }).adapter).toBe('memory');
    const pages: string[] = [];
    for await (const s of storage.sessions.iterate()) pages.push(s.id);
    expect(pages).toEqual([]);
  });
});

describe('memoryAdapter options', () => {
  it('runs no sweeper with sweepIntervalMs 0: expired items stay until storage.sweep()', async () => {
    const clock = manualClock(1_000_000);
    const adapter = memoryAdapter({ sweepIntervalMs: 0 });
    const storage = createStorage({ adapter, clock });
    await storage.sessions.save({ id: 's1', data: {} }, { ttl: 1000 });
    clock.advance(2000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const health = (await adapter.health?.()) as { sessions: number } | undefined;
    expect(health?.sessions).toBe(1);
    expect(await storage.sessions.get('s1')).toBeNull();
    await storage.close();
  });

  it('refuses a negative or fractional sweepIntervalMs with a ConfigError', () => {
    expect(configError(() => memoryAdapter({ sweepIntervalMs: -1 })).message).toContain(
      'sweepIntervalMs',
    );
    expect(configError(() => memoryAdapter({ sweepIntervalMs: 1.5 })).message).toContain(
      'sweepIntervalMs',
    );
  });
});
