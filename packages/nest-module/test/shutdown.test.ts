import 'reflect-metadata';
import { join } from 'node:path';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { createStorage, memoryAdapter, type Storage } from '@stowage/core';
import { afterEach, describe, expect, it } from 'vitest';
import { getStorageToken, InjectStorage, StowageModule } from '../src/index.js';
import { startApp, tempFolder } from './support/nest-app.js';

/** Writes its last state while the application stops, as a real service might. */
@Injectable()
class Farewell implements BeforeApplicationShutdown {
  constructor(@InjectStorage() private readonly storage: Storage) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.storage.kv.set('goodbye', 'written during shutdown');
  }
}

async function expectClosed(storage: Storage): Promise<void> {
  await expect(storage.kv.get('any')).rejects.toMatchObject({ code: 'CLOSED' });
}

describe('closing storages on shutdown', () => {
  const cleanups: (() => unknown)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('closes every storage the module created when the app closes', async () => {
    const app = await startApp({
      imports: [
        StowageModule.forRoot({ url: 'memory:' }),
        StowageModule.forRoot({ name: 'cache', adapter: memoryAdapter() }),
      ],
    });
    const main = app.get<Storage>(getStorageToken());
    const cache = app.get<Storage>(getStorageToken('cache'));
    await main.kv.set('k', 1);
    await cache.kv.set('k', 1);
    await app.close();
    await expectClosed(main);
    await expectClosed(cache);
  });

  it('leaves a storage the app passed in open', async () => {
    const storage = createStorage(memoryAdapter());
    cleanups.push(() => storage.close());
    const app = await startApp({ imports: [StowageModule.forRoot({ storage })] });
    expect(app.get(getStorageToken())).toBe(storage);
    await app.close();
    await storage.kv.set('still', 'open');
    expect(await storage.kv.get('still')).toBe('open');
  });

  it('closes a passed-in storage when closeOnShutdown is true', async () => {
    const storage = createStorage(memoryAdapter());
    const app = await startApp({
      imports: [StowageModule.forRoot({ storage, closeOnShutdown: true })],
    });
    await app.close();
    await expectClosed(storage);
  });

  it('keeps a created storage open when closeOnShutdown is false', async () => {
    const app = await startApp({
      imports: [StowageModule.forRoot({ url: 'memory:', closeOnShutdown: false })],
    });
    const storage = app.get<Storage>(getStorageToken());
    cleanups.push(() => storage.close());
    await app.close();
    expect(await storage.kv.increment('n')).toBe(1);
  });

  it('closes only after beforeApplicationShutdown hooks have written their last state', async () => {
    const folder = tempFolder();
    cleanups.push(folder.remove);
    const url = `sqlite:${join(folder.path, 'app.db')}`;
    const app = await startApp({
      imports: [StowageModule.forRoot({ url })],
      providers: [Farewell],
    });
    const storage = app.get<Storage>(getStorageToken());
    await app.close();
    await expectClosed(storage);
    const reopened = createStorage(url);
    cleanups.push(() => reopened.close());
    expect(await reopened.kv.get('goodbye')).toBe('written during shutdown');
  });
});
