import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { redisAdapter } from '@stowage/adapter-redis';
import {
  createStorage,
  type FallbackSwitch,
  memoryAdapter,
  type Storage,
  withFallback,
} from '@stowage/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A throwaway redis-server (no persistence, like a cache) that the test stops and restarts.
let port = 0;
let server: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `check` every 50 ms until it holds; fails after `tries`. */
async function poll(what: string, check: () => Promise<boolean>, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function answers(): Promise<boolean> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
  });
  client.on('error', () => {
    // Refused while the server starts: the poll asks again.
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    client.disconnect();
  }
}

async function startRedis(): Promise<void> {
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await poll('redis-server', answers);
}

async function stopRedis(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
});

afterAll(async () => {
  await stopRedis();
});

describe('withFallback(redis, memory) through a Redis outage', () => {
  it('serves from memory while Redis is down and copies the writes back when it returns', async () => {
    const switches: FallbackSwitch[] = [];
    const adapter = withFallback(
      redisAdapter({ url: `redis://127.0.0.1:${port}`, namespace: 'fallback' }),
      memoryAdapter(),
      { probeInterval: 100, onSwitch: (event) => switches.push(event) },
    );
    const storage: Storage = createStorage({ adapter, timeout: '3s' });
    try {
      await storage.sessions.save({ id: 'before', data: 'on redis' });
      await storage.kv.set('limit:u1', 1, { ttl: '1h' });
      expect(adapter.active).toBe('primary');

      await stopRedis();
      const during = await storage.sessions.save({ id: 'during', data: 'on memory' });
      expect(during.version).toBe(1);
      await storage.messages.append('during', ['m1', 'm2']);
      expect(await storage.kv.increment('hits')).toBe(1);
      await storage.sessions.delete('before');
      expect(adapter.active).toBe('secondary');
      expect(switches[0]?.reason?.code).toMatch(/CONNECTION|TIMEOUT/);
      const degraded = await storage.health();
      expect(degraded).toMatchObject({ ok: true, details: { active: 'secondary' } });

      await startRedis();
      await poll('return to redis', async () => adapter.active === 'primary');
      expect(switches.at(-1)).toMatchObject({ to: 'primary', reconciled: { sessions: 2, kv: 1 } });
      expect((await storage.sessions.get('during'))?.data).toBe('on memory');
      expect(await storage.messages.range('during')).toEqual(['m1', 'm2']);
      expect(await storage.kv.get('hits')).toBe(1);
      expect(await storage.sessions.get('before')).toBeNull();
      // What Redis held from before the outage is gone with the restart (no persistence).
      expect(await storage.kv.get('limit:u1')).toBeUndefined();
    } finally {
      await storage.close();
    }
  });
});
