import { createStorage, isStowageError, type Storage } from '@stowage/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdapter } from '../src/index.js';
import { startProxy, type TcpProxy } from './support/tcp-proxy.js';
import { startThrowawayServer, type ThrowawayServer } from './support/throwaway-server.js';
import { waitUntil } from './support/wait.js';

const TIMEOUT_MS = 1500;
/** Slack for timers and the event loop: the check is that calls end, not how fast. */
const SLACK_MS = 1500;

let server: ThrowawayServer;
let proxy: TcpProxy;
const storages: Storage[] = [];
const background: Error[] = [];

function open(port: number, options: { poolSize?: number } = {}): Storage {
  const storage = createStorage(
    postgresAdapter({
      connection: `postgres://postgres@127.0.0.1:${port}/postgres`,
      sweepIntervalMs: 0,
      poolSize: options.poolSize ?? 4,
      onBackgroundError: (error) => background.push(error),
    }),
    { timeout: TIMEOUT_MS },
  );
  storages.push(storage);
  return storage;
}

/** Runs a call and reports how it ended and how long it took. */
async function timed(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await call();
    return { error: undefined, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

beforeAll(async () => {
  server = await startThrowawayServer();
  proxy = await startProxy(server.port);
}, 120_000);

afterAll(async () => {
  await Promise.all(storages.map((s) => s.close()));
  await proxy?.close();
  await server?.destroy();
});

describe('postgres faults', () => {
  it('a killed server fails calls with typed errors, then the adapter recovers and keeps every acknowledged write', async () => {
    const storage = open(server.port);
    await storage.kv.set('warm-up', 1);
    // A second storage whose only connection sits idle in its pool when the server dies.
    const idle = open(server.port);
    await idle.kv.get('warm-up');
    const acked: string[] = [];
    const failures: { error: unknown; ms: number }[] = [];
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const id = `w${w}-${i}`;
        const result = await timed(() =>
          i % 2 === 0
            ? storage.kv.set(id, { w, i })
            : storage.sessions.save({ id, data: { w, i } }),
        );
        if (result.error === undefined) acked.push(id);
        else {
          failures.push(result);
          // Back off a little so a refused connection does not spin the event loop.
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
    });

    await waitUntil(async () => expect(acked.length).toBeGreaterThan(100));
    await server.kill();
    await waitUntil(async () => expect(failures.length).toBeGreaterThan(20));
    await server.start();
    const ackedAtRestart = acked.length;
    await waitUntil(async () => expect(acked.length).toBeGreaterThan(ackedAtRestart + 100));
    stop = true;
    await Promise.all(writers);

    for (const { error, ms } of failures) {
      expect(isStowageError(error) && ['CONNECTION', 'TIMEOUT'].includes(error.code)).toBe(true);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    expect(background.length).toBeGreaterThan(0);
    for (const error of background) expect(isStowageError(error, 'CONNECTION')).toBe(true);
    expect(await idle.kv.get('warm-up')).toBe(1);

    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const kvKeys = acked.filter((id) => Number(id.split('-')[1]) % 2 === 0);
      const sessionIds = acked.filter((id) => Number(id.split('-')[1]) % 2 === 1);
      const { rows: kvRows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM public.stowage_kv WHERE key = ANY($1)',
        [kvKeys],
      );
      const { rows: sessionRows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM public.stowage_sessions WHERE id = ANY($1)',
        [sessionIds],
      );
      expect(kvRows[0]?.n).toBe(kvKeys.length);
      expect(sessionRows[0]?.n).toBe(sessionIds.length);
    } finally {
      await client.end();
    }
  }, 120_000);

  it('a network black hole ends calls with TimeoutError within the deadline, and calls work once it heals', async () => {
    const storage = open(proxy.port);
    await storage.kv.set('before', 'ok');
    proxy.block();
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => timed(() => storage.kv.get(`blocked-${i}`))),
      );
      for (const { error, ms } of results) {
        expect(isStowageError(error, 'TIMEOUT')).toBe(true);
        expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      }
    } finally {
      proxy.heal();
    }
    await waitUntil(async () => expect(await storage.kv.get('before')).toBe('ok'), 10_000);
    await storage.kv.set('after', 'ok');
    expect(await storage.kv.get('after')).toBe('ok');
  }, 60_000);
});
