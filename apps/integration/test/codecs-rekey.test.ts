import { randomBytes } from 'node:crypto';
import { composeCodecs, compressed, createStorage, encrypted, rekey } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { dumpableBackends } from './codecs-support.js';

const backends = dumpableBackends('rekey', false);
afterAll(() => backends.cleanup());

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const chain = (keys: Record<string, Buffer>, current: string) =>
  composeCodecs(compressed({ threshold: 64 }), encrypted({ keys, current }));

describe('rekey over real adapters', () => {
  for (const backend of backends.fresh()) {
    it(`${backend.name}: moves sessions (and kv when asked) to the new key and counts the rest`, async () => {
      const before = createStorage(backend.adapter(), { codec: chain({ old: oldKey }, 'old') });
      for (let i = 0; i < 30; i++) {
        await before.sessions.save(
          { id: `s${i}`, data: { i, text: 'padding '.repeat(i) }, labels: { batch: 'b1' } },
          { ttl: '2h' },
        );
      }
      await before.messages.append('s1', [{ m: 'one' }, { m: 'two' }]);
      await before.kv.set('cache', { v: 'kept' }, { ttl: '1h' });
      await before.kv.increment('hits', 7);
      const original = await before.sessions.get('s5');
      await before.close();

      const rotated = chain({ old: oldKey, now: newKey }, 'now');
      const report = await rekey(backend.adapter(), rotated, { batchSize: 8, rewriteKv: true });
      expect(report.sessions).toEqual({ scanned: 30, rekeyed: 30, current: 0, left: 0 });
      expect(report.messages).toEqual({ scanned: 2, rekeyed: 0, current: 0, left: 2 });
      const canRewriteKv = typeof backend.adapter().kv?.getEntries === 'function';
      expect(report.kv).toMatchObject({
        scanned: 2,
        counters: 1,
        rekeyed: canRewriteKv ? 1 : 0,
        left: canRewriteKv ? 0 : 1,
      });
      // Messages are still under the old key, so the old key must not be retired yet.
      expect(report.complete).toBe(false);

      const raw = await backend.dump();
      // Sessions are under the new key; messages could not be rewritten and still use the old one.
      expect(raw.split('enc:v1:now:').length - 1).toBeGreaterThanOrEqual(30);
      expect(raw).toContain('enc:v1:old:');

      const after = createStorage(backend.adapter(), { codec: chain({ now: newKey }, 'now') });
      const moved = await after.sessions.get('s5');
      expect(moved?.data).toEqual(original?.data);
      expect(moved?.version).toBe((original?.version ?? 0) + 1);
      expect(moved?.expiresAt).toBe(original?.expiresAt);
      expect(moved?.createdAt).toBe(original?.createdAt);
      expect(await after.sessions.count({ labels: { batch: 'b1' } })).toBe(30);
      if (canRewriteKv) expect(await after.kv.get('cache')).toEqual({ v: 'kept' });
      expect(await after.kv.increment('hits', 1)).toBe(8);
      await after.close();

      const again = await rekey(backend.adapter(), rotated, { countMessages: false });
      expect(again.sessions).toMatchObject({ rekeyed: 0, current: 30 });
      expect(again.messages.scanned).toBe(0);
    });
  }
});
