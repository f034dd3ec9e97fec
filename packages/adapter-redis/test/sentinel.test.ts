import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { redisProcess } from './support/redis-process.js';
import { sentinelProcess } from './support/sentinel-process.js';

const primary = redisProcess(6392);
const sentinel = sentinelProcess(26392, 'stowage', 6392);

beforeAll(async () => {
  await primary.start();
  await sentinel.start();
});
afterAll(async () => {
  await sentinel.destroy();
  await primary.destroy();
});

describe('Sentinel through the redis option', () => {
  it('finds the primary through the sentinel and stores there', async () => {
    const storage = createStorage({
      adapter: redisAdapter({
        redis: { sentinels: [{ host: '127.0.0.1', port: 26392 }], name: 'stowage' },
        namespace: 'sentinel',
      }),
    });
    await storage.sessions.save({ id: 's', data: 'via sentinel' });
    expect((await storage.sessions.get('s'))?.data).toBe('via sentinel');
    await storage.close();
  });
});
