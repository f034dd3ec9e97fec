import { createStorage } from '@stowage/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { dropNamespace, randomNamespace, STANDALONE_URL } from './support/backend.js';

const namespace = randomNamespace('coalesce');
const client = new Redis(STANDALONE_URL);
client.on('error', () => {
  // The test's own client; its commands report failures.
});
const adapter = redisAdapter({ client, namespace });
const storage = createStorage({ adapter });

afterAll(async () => {
  await storage.close();
  await dropNamespace(client, namespace);
  await client.quit();
});

/** Counts how many times the socket hands data to the kernel (one per write or writev). */
function countFlushes(): () => number {
  const socket = client.stream as unknown as {
    _write: (...args: unknown[]) => unknown;
    _writev: (...args: unknown[]) => unknown;
  };
  let flushes = 0;
  for (const name of ['_write', '_writev'] as const) {
    const original = socket[name].bind(socket);
    socket[name] = (...args: unknown[]) => {
      flushes++;
      return original(...args);
    };
  }
  return () => flushes;
}

describe('concurrent calls on one standalone client', () => {
  it('send the commands of one tick in one socket write, with every answer right', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `s${i}`);
    await storage.sessions.saveMany(ids.map((id, i) => ({ id, data: { i } })));
    const flushes = countFlushes();
    const found = await Promise.all(
      ids.map((id, i) =>
        i % 4 === 0
          ? storage.sessions.save({ id, data: { i, again: true } })
          : storage.sessions.get(id),
      ),
    );
    expect(found.map((s) => s?.id)).toEqual(ids);
    expect(found.filter((s) => s?.version === 2)).toHaveLength(5);
    // The first call goes out at once; the other 19 wait for the end of the tick, together.
    expect(flushes()).toBeLessThanOrEqual(3);
  });

  it('sends a lone call at once, without waiting for the tick to end', async () => {
    const flushes = countFlushes();
    const pending = adapter.sessions?.get('s0', { now: Date.now() });
    expect(flushes()).toBe(1);
    expect((await pending)?.id).toBe('s0');
  });
});
