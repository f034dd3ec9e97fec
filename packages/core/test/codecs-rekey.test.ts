import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createStorage,
  encrypted,
  jsonCodec,
  type KvDriver,
  memoryAdapter,
  type RekeyProgress,
  type RotatingCodec,
  rekey,
  type SessionDriver,
  type StowageAdapter,
} from '../src/index.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const oldCodec = encrypted({ keys: { k1 } });
const rotated = encrypted({ keys: { k1, k2 }, current: 'k2' });
const newOnly = encrypted({ keys: { k2 } });

/** Views of one memory adapter's data; closing a view keeps the data. */
function sharedMemory() {
  const inner = memoryAdapter();
  let closes = 0;
  return {
    inner,
    get closes() {
      return closes;
    },
    view: (patch: Partial<StowageAdapter> = {}): StowageAdapter => ({
      ...inner,
      close: async () => {
        closes++;
      },
      ...patch,
    }),
    close: () => inner.close(),
  };
}

describe('rekey()', () => {
  it('re-encrypts sessions under the current key, keeping expiry, state and labels', async () => {
    const memory = sharedMemory();
    const before = createStorage(memory.view(), { codec: oldCodec });
    const ids = Array.from({ length: 25 }, (_, i) => `s-${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      await before.sessions.save(
        { id, data: { id, secret: 'marker' }, state: 'open', labels: { userId: 'u1' } },
        { ttl: '1h', maxLifetime: '2h' },
      );
    }
    await before.messages.append('s-00', [{ m: 1 }, { m: 2 }, { m: 3 }]);
    await before.kv.set('cache', { v: 1 }, { ttl: '1h' });
    await before.kv.increment('hits', 4);
    const original = await before.sessions.get('s-07');

    const progress: RekeyProgress[] = [];
    const closesBefore = memory.closes;
    const report = await rekey(memory.view(), rotated, {
      batchSize: 10,
      onProgress: (p) => progress.push(p),
    });
    expect(report.sessions).toEqual({ scanned: 25, rekeyed: 25, current: 0, left: 0 });
    expect(report.messages).toEqual({ scanned: 3, rekeyed: 0, current: 0, left: 3 });
    expect(report.kv).toEqual({ scanned: 2, rekeyed: 0, current: 0, left: 1, counters: 1 });
    expect(report.failures).toEqual([]);
    expect(report.complete).toBe(false);
    expect(progress.filter((p) => p.phase === 'sessions').map((p) => p.scanned)).toEqual([
      10, 20, 25,
    ]);
    expect(memory.closes).toBe(closesBefore + 1);

    // Only the new key is needed to read sessions now.
    const after = createStorage(memory.view(), { codec: newOnly });
    const moved = await after.sessions.get('s-07');
    expect(moved?.data).toEqual({ id: 's-07', secret: 'marker' });
    expect(moved?.version).toBe((original?.version ?? 0) + 1);
    expect(moved?.state).toBe('open');
    expect(moved?.labels).toEqual({ userId: 'u1' });
    expect(moved?.createdAt).toBe(original?.createdAt);
    expect(moved?.expiresAt).toBe(original?.expiresAt);
    expect(moved?.maxExpiresAt).toBe(original?.maxExpiresAt);
    expect(await after.sessions.count({ labels: { userId: 'u1' } })).toBe(25);
    expect(await after.kv.get('hits')).toBe(4);

    const again = await rekey(memory.view(), rotated);
    expect(again.sessions).toEqual({ scanned: 25, rekeyed: 0, current: 25, left: 0 });
    await Promise.all([before.close(), after.close()]);
    await memory.close();
  });

  it('rewrites kv entries with their expiry kept when asked to', async () => {
    const memory = sharedMemory();
    const writer = createStorage(memory.view(), { codec: oldCodec });
    await writer.kv.set('cache', { v: 1 }, { ttl: '1h' });
    await writer.kv.set('forever', 'x');
    await writer.kv.increment('hits', 2);
    const kv = memory.inner.kv as KvDriver;
    const [before] = (await kv.getEntries?.(['cache'], { now: Date.now() })) ?? [];

    const report = await rekey(memory.view(), rotated, { rewriteKv: true });
    expect(report.kv).toEqual({ scanned: 3, rekeyed: 2, current: 0, left: 0, counters: 1 });
    const entries = (await kv.getEntries?.(['cache', 'forever'], { now: Date.now() })) ?? [];
    expect(entries.map((e) => e?.expiresAt)).toEqual([before?.expiresAt, null]);
    expect(entries.map((e) => rotated.keyIdOf(e?.value ?? ''))).toEqual(['k2', 'k2']);
    const reader = createStorage(memory.view(), { codec: newOnly });
    expect(await reader.kv.get('cache')).toEqual({ v: 1 });
    expect(await reader.kv.get('hits')).toBe(2);
    await Promise.all([writer.close(), reader.close()]);
    await memory.close();
  });

  it('never overwrites a save that lands between its read and its write', async () => {
    const memory = sharedMemory();
    const writer = createStorage(memory.view(), { codec: oldCodec });
    await writer.sessions.save({ id: 'busy', data: { n: 1 } });
    const driver = memory.inner.sessions as SessionDriver;
    let interfered = false;
    // The first conditional rewrite finds that the app saved n: 2 in the meantime.
    const racing: SessionDriver = {
      ...driver,
      save: async (write, ctx) => {
        if (!interfered) {
          interfered = true;
          await writer.sessions.save({ id: 'busy', data: { n: 2 } });
        }
        return driver.save(write, ctx);
      },
    };
    const report = await rekey(memory.view({ sessions: racing }), rotated);
    expect(interfered).toBe(true);
    expect(report.sessions).toEqual({ scanned: 1, rekeyed: 1, current: 0, left: 0 });
    const reader = createStorage(memory.view(), { codec: newOnly });
    const busy = await reader.sessions.get('busy');
    expect(busy?.data).toEqual({ n: 2 });
    expect(busy?.version).toBe(3);
    await Promise.all([writer.close(), reader.close()]);
    await memory.close();
  });

  it('gives up on a session after its retries and reports it left', async () => {
    const memory = sharedMemory();
    const writer = createStorage(memory.view(), { codec: oldCodec });
    await writer.sessions.save({ id: 'hot', data: { n: 0 } });
    const driver = memory.inner.sessions as SessionDriver;
    let n = 0;
    const alwaysRacing: SessionDriver = {
      ...driver,
      save: async (write, ctx) => {
        await writer.sessions.save({ id: 'hot', data: { n: ++n } });
        return driver.save(write, ctx);
      },
    };
    const report = await rekey(memory.view({ sessions: alwaysRacing }), rotated, { retries: 2 });
    expect(n).toBe(3);
    expect(report.sessions.left).toBe(1);
    expect(report.failures).toEqual([{ kind: 'session', id: 'hot', code: 'CONFLICT' }]);
    await writer.close();
    await memory.close();
  });

  it('reports unreadable values and encrypts plaintext when the codec accepts it', async () => {
    const memory = sharedMemory();
    const plain = createStorage(memory.view());
    await plain.sessions.save({ id: 'clear', data: { a: 1 } });
    const strict = await rekey(memory.view(), rotated);
    expect(strict.sessions.left).toBe(1);
    expect(strict.failures).toEqual([{ kind: 'session', id: 'clear', code: 'CORRUPTION' }]);

    const moving = encrypted({ keys: { k2 }, acceptPlaintext: true });
    const report = await rekey(memory.view(), moving);
    expect(report.sessions.rekeyed).toBe(1);
    const reader = createStorage(memory.view(), { codec: newOnly });
    expect((await reader.sessions.get('clear'))?.data).toEqual({ a: 1 });
    await Promise.all([plain.close(), reader.close()]);
    await memory.close();
  });

  it('stops between batches when aborted and refuses bad options', async () => {
    const memory = sharedMemory();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(rekey(memory.view(), rotated, { signal: controller.signal })).rejects.toThrow(
      'stop',
    );
    await expect(rekey(memory.view(), rotated, { batchSize: 0 })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(rekey(memory.view(), rotated, { retries: -1 })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(
      rekey(memory.view(), jsonCodec as unknown as RotatingCodec),
    ).rejects.toBeInstanceOf(ConfigError);
    await memory.close();
  });
});
