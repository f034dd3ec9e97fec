import { createStorage, type JsonValue } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { pollUntil, redisProcess } from './support/redis-process.js';

const server = redisProcess(6394);

beforeAll(() => server.start());
afterAll(() => server.destroy());

describe('pub/sub across a redis-server restart', () => {
  it('subscribes again by itself after the server was killed and restarted', async () => {
    const storage = createStorage({
      adapter: redisAdapter({ url: server.url, namespace: 'pubsub' }),
      timeout: 1000,
    });
    const got: JsonValue[] = [];
    const off = await storage.subscribe('events', (message) => {
      got.push(message);
    });
    await storage.publish('events', 'before');
    await pollUntil('the message before the crash', async () => got.includes('before'));

    await server.kill();
    await server.start();
    // Until the subscriber connection is back, published messages are lost (at-most-once), so
    // keep publishing until one of them arrives.
    let sent = 0;
    await pollUntil('a message after the restart', async () => {
      await storage.publish('events', `after-${sent++}`);
      return got.some((m) => typeof m === 'string' && m.startsWith('after-'));
    });
    expect(got[0]).toBe('before');
    await off();
    await storage.close();
  });
});
