import { createStorage, type Storage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { encodeId, keyLayout } from '../src/keys.js';
import { dropNamespace, randomNamespace, rawClient } from './support/backend.js';
import { pollUntil } from './support/redis-process.js';
import { type TcpProxy, tcpProxy } from './support/tcp-proxy.js';

const namespace = randomNamespace('proxy');
const raw = rawClient('standalone');
let proxy: TcpProxy;
let storage: Storage;

beforeAll(async () => {
  proxy = await tcpProxy(6379);
  storage = createStorage({
    adapter: redisAdapter({ url: `redis://127.0.0.1:${proxy.port}`, namespace }),
    timeout: 500,
  });
});

afterAll(async () => {
  proxy.heal();
  await storage.close();
  await proxy.close();
  await dropNamespace(raw, namespace);
  await raw.quit();
});

describe('a link to Redis that stops forwarding', () => {
  it('turns calls into TimeoutError within the deadline and answers correctly after it heals', async () => {
    await storage.sessions.save({ id: 'a', data: 'first' });
    await storage.kv.set('b', 'second');
    proxy.stall();
    await expect(storage.sessions.get('a')).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(storage.kv.get('b')).rejects.toMatchObject({ code: 'TIMEOUT' });
    proxy.heal();
    await pollUntil('the link to carry calls again', async () => {
      return (await storage.sessions.get('a'))?.data === 'first';
    });
    // Replies still pair with their own requests after the stall.
    expect(await storage.kv.get('b')).toBe('second');
    expect((await storage.sessions.get('a'))?.data).toBe('first');
  });

  it('does not apply an append twice when its reply was lost and it is retried with the same key', async () => {
    await storage.sessions.save({ id: 'chat', data: null });
    proxy.cutAfterNextRequest();
    const lost = await storage.messages.append('chat', ['hello'], { idempotencyKey: 'req-1' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(lost).toMatchObject({ code: expect.stringMatching(/^(CONNECTION|TIMEOUT)$/) });
    // The server did apply it; only the reply was lost.
    expect(await raw.llen(`${keyLayout(namespace).prefix}m:${encodeId('chat')}`)).toBe(1);
    let length = 0;
    await pollUntil('the retried append to be acknowledged', async () => {
      length = await storage.messages.append('chat', ['hello'], { idempotencyKey: 'req-1' });
      return true;
    });
    expect(length).toBe(1);
    expect(await storage.messages.range('chat')).toEqual(['hello']);
  });
});
