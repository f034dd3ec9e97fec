import 'reflect-metadata';
import { type INestApplication, Injectable, Module } from '@nestjs/common';
import type { Storage } from '@stowage/core';
import { afterEach, describe, expect, it } from 'vitest';
import { getStorageToken, StowageModule, type StowageModuleOptions } from '../src/index.js';
import { startApp } from './support/nest-app.js';

/** Stands in for an app's configuration service (ConfigService and the like). */
@Injectable()
class AppConfig {
  readonly storageUrl = 'memory:';
  readonly sessionTtl = '10m';
}

@Module({ providers: [AppConfig], exports: [AppConfig] })
class AppConfigModule {}

@Injectable()
class StowageConfig {
  createStowageOptions(): StowageModuleOptions {
    return { url: 'memory:', timeout: '2s' };
  }
}

describe('StowageModule.forRootAsync', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('builds the storage from an injected config provider', async () => {
    const seen: AppConfig[] = [];
    app = await startApp({
      imports: [
        StowageModule.forRootAsync({
          imports: [AppConfigModule],
          inject: [AppConfig],
          useFactory: (config: AppConfig) => {
            seen.push(config);
            return { url: config.storageUrl, sessionTtl: config.sessionTtl };
          },
        }),
      ],
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(AppConfig);
    const storage = app.get<Storage>(getStorageToken());
    const saved = await storage.sessions.save({ id: 's1', data: { n: 1 } });
    // sessionTtl from the config provider reached createStorage.
    expect(saved.expiresAt).toBe(saved.updatedAt + 10 * 60_000);
    expect(storage.adapterName).toBe('memory');
  });

  it('waits for an async factory and registers its storage under the given name', async () => {
    app = await startApp({
      imports: [
        StowageModule.forRootAsync({
          name: 'history',
          useFactory: async () => {
            await Promise.resolve();
            return { url: 'memory:' };
          },
        }),
      ],
    });
    const history = app.get<Storage>(getStorageToken('history'));
    await history.kv.set('k', 1);
    expect(await history.kv.get('k')).toBe(1);
    expect(() => app?.get(getStorageToken())).toThrow();
  });

  it('takes the options from a class with createStowageOptions()', async () => {
    app = await startApp({
      imports: [StowageModule.forRootAsync({ useClass: StowageConfig })],
    });
    const storage = app.get<Storage>(getStorageToken());
    expect(await storage.kv.increment('hits')).toBe(1);
  });
});
