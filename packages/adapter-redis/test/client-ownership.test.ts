import { createStorage } from '@stowage/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { dropNamespace, randomNamespace, STANDALONE_URL } from './support/backend.js';

const namespace = randomNamespace('owner');
const client = new Redis(STANDALONE_URL);
client.on('error', () => {
  // The test's own client; its commands report failures.
});

afterAll(async () => {
  await dropNamespace(client, namespace);
  await client.quit();
});

describe('an adapter over a client the application created', () => {
  it('uses it, leaves it connected after close and removes its error listener', async () => {
    const listeners = client.listenerCount('error');
    const storage = createStorage({ adapter: redisAdapter({ client, namespace }) });
    await storage.sessions.save({ id: 's', data: 1 });
    expect(client.listenerCount('error')).toBe(listeners + 1);
    await storage.close();
    expect(client.listenerCount('error')).toBe(listeners);
    expect(await client.ping()).toBe('PONG');
  });

  it('reports the mode, namespace and durability in health details', async () => {
    const storage = createStorage({ adapter: redisAdapter({ client, namespace }) });
    const health = await storage.health();
    expect(health.ok).toBe(true);
    expect(health.details).toMatchObject({
      adapter: 'redis',
      mode: 'standalone',
      namespace,
      durability: 'memory',
    });
    await storage.close();
  });
});
