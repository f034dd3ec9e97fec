import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { redisProcess } from './support/redis-process.js';

// A server of its own: it certainly has no replica.
const server = redisProcess(6391);

beforeAll(() => server.start());
afterAll(() => server.destroy());

describe("durability 'replicated'", () => {
  it('fails a write with TimeoutError when no replica acknowledges it', async () => {
    const storage = createStorage({
      adapter: redisAdapter({ url: server.url, namespace: 'lonely', durability: 'replicated' }),
      timeout: 1000,
    });
    const error = await storage.sessions.save({ id: 's', data: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TIMEOUT', adapter: 'redis' });
    expect(String((error as Error).message)).toContain('no replica acknowledged');
    await storage.close();
  });

  it("does not wait for replicas with durability 'memory'", async () => {
    const storage = createStorage({
      adapter: redisAdapter({ url: server.url, namespace: 'lonely' }),
      timeout: 400,
    });
    expect((await storage.sessions.save({ id: 's2', data: 1 })).version).toBe(1);
    await storage.close();
  });
});
