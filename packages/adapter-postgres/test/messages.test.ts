import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useFixture } from './support/fixture.js';

const fx = useFixture();
const storage = fx.open();
const id = () => `m-${randomBytes(6).toString('hex')}`;

describe('postgres messages', () => {
  it('append returns the new length and bumps updatedAt but not the version', async () => {
    const sid = id();
    const saved = await storage.sessions.save({ id: sid, data: {} });
    fx.clock.advance(10);
    expect(await storage.messages.append(sid, [{ i: 0 }, { i: 1 }])).toBe(2);
    expect(await storage.messages.append(sid, [{ i: 2 }])).toBe(3);
    const got = await storage.sessions.get(sid);
    expect(got?.version).toBe(1);
    expect(got?.updatedAt).toBe(saved.updatedAt + 10);
  });

  it('range follows LRANGE indexes, also after a trim', async () => {
    const sid = id();
    await storage.sessions.save({ id: sid, data: {} });
    await storage.messages.append(
      sid,
      Array.from({ length: 10 }, (_, i) => i),
    );
    expect(await storage.messages.range(sid, 0, 2)).toEqual([0, 1, 2]);
    expect(await storage.messages.range(sid, -3, -1)).toEqual([7, 8, 9]);
    expect(await storage.messages.range(sid, 8, 100)).toEqual([8, 9]);
    expect(await storage.messages.range(sid, 5, 2)).toEqual([]);
    expect(await storage.messages.range(sid, -100, 0)).toEqual([0]);
    expect(await storage.messages.trim(sid, { keepLast: 4 })).toBe(6);
    expect(await storage.messages.trim(sid, { keepLast: 4 })).toBe(0);
    expect(await storage.messages.length(sid)).toBe(4);
    expect(await storage.messages.range(sid)).toEqual([6, 7, 8, 9]);
    expect(await storage.messages.range(sid, -2, -1)).toEqual([8, 9]);
    expect(await storage.messages.append(sid, [10])).toBe(5);
    expect(await storage.messages.range(sid, 0, 0)).toEqual([6]);
  });

  it('the same idempotency key appends once, also when sent concurrently', async () => {
    const sid = id();
    await storage.sessions.save({ id: sid, data: {} });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        storage.messages.append(sid, ['x', 'y'], { idempotencyKey: 'req-1' }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 8 }, () => 2));
    expect(await storage.messages.length(sid)).toBe(2);
    expect(await storage.messages.append(sid, ['z'], { idempotencyKey: 'req-2' })).toBe(3);
  });

  it('concurrent appends keep every message exactly once, in per-call order', async () => {
    const sid = id();
    await storage.sessions.save({ id: sid, data: {} });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => storage.messages.append(sid, [`${i}a`, `${i}b`])),
    );
    const all = await storage.messages.range<string>(sid);
    expect(all).toHaveLength(40);
    for (let i = 0; i < 20; i++) expect(all.indexOf(`${i}b`)).toBe(all.indexOf(`${i}a`) + 1);
  });

  it('messages of an expired session are invisible and appending is NotFound', async () => {
    const sid = id();
    await storage.sessions.save({ id: sid, data: {} }, { ttl: 100 });
    await storage.messages.append(sid, [1]);
    fx.clock.advance(100);
    expect(await storage.messages.range(sid)).toEqual([]);
    expect(await storage.messages.length(sid)).toBe(0);
    await expect(storage.messages.append(sid, [2])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
