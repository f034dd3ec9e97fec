import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useFixture } from './support/fixture.js';
import { adminQuery } from './support/shared-server.js';
import { waitUntil } from './support/wait.js';

const fx = useFixture();
const storage = fx.open();
const key = (p = 'k') => `${p}-${randomBytes(6).toString('hex')}`;

describe('postgres kv', () => {
  it('values round-trip exactly, including numbers jsonb would rewrite', async () => {
    const k = key();
    const value = { big: 1e21, tiny: 5e-324, text: 'a\\"b', list: [1.5, -0.25] };
    await storage.kv.set(k, value);
    expect(await storage.kv.get(k)).toEqual(value);
  });

  it('concurrent increments are atomic and a new counter takes the ttl', async () => {
    const k = key('rate');
    const results = await Promise.all(
      Array.from({ length: 30 }, () => storage.kv.increment(k, 2, { ttl: 1000 })),
    );
    expect([...results].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => 2 * (i + 1)),
    );
    fx.clock.advance(1000);
    expect(await storage.kv.get(k)).toBeUndefined();
    expect(await storage.kv.increment(k)).toBe(1);
  });

  it('increment of a non-integer or past the safe range is refused and changes nothing', async () => {
    const k = key();
    await storage.kv.set(k, { not: 'a number' });
    await expect(storage.kv.increment(k)).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await storage.kv.get(k)).toEqual({ not: 'a number' });
    const c = key();
    await storage.kv.increment(c, Number.MAX_SAFE_INTEGER - 1);
    await expect(storage.kv.increment(c, 5)).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await storage.kv.increment(c)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('setIfAbsent takes over an expired entry but not a live one', async () => {
    const k = key('lock');
    expect(await storage.kv.setIfAbsent(k, 'a', { ttl: 50 })).toBe(true);
    expect(await storage.kv.setIfAbsent(k, 'b')).toBe(false);
    fx.clock.advance(50);
    expect(await storage.kv.setIfAbsent(k, 'c')).toBe(true);
    expect(await storage.kv.get(k)).toBe('c');
  });

  it('keys treats % _ and \\ in a prefix literally', async () => {
    const base = key('p');
    await storage.kv.setMany([
      { key: `${base}%_x`, value: 1 },
      { key: `${base}ab`, value: 2 },
      { key: `${base}\\y`, value: 3 },
    ]);
    expect((await storage.kv.keys({ prefix: `${base}%_` })).items).toEqual([`${base}%_x`]);
    expect((await storage.kv.keys({ prefix: `${base}\\` })).items).toEqual([`${base}\\y`]);
    expect((await storage.kv.keys({ prefix: `${base}_` })).items).toEqual([]);
    expect((await storage.kv.keys({ prefix: base })).items).toHaveLength(3);
  });

  it('sweep removes expired sessions with their messages and expired kv entries', async () => {
    const sid = key('swept');
    await storage.sessions.save({ id: sid, data: {} }, { ttl: 10 });
    await storage.messages.append(sid, [1, 2]);
    await storage.kv.set(key('gone'), 1, { ttl: 10 });
    fx.clock.advance(10);
    let removed = 0;
    for (let n = await storage.sweep({ limit: 1 }); n > 0; n = await storage.sweep({ limit: 1 })) {
      removed += n;
    }
    expect(removed).toBeGreaterThanOrEqual(2);
    const [row] = await adminQuery<{ sessions: number; messages: number }>(
      `SELECT (SELECT count(*)::int FROM "${fx.schema}".stowage_sessions WHERE id = $1) AS sessions,
        (SELECT count(*)::int FROM "${fx.schema}".stowage_messages WHERE session_id = $1) AS messages`,
      [sid],
    );
    expect(row).toEqual({ sessions: 0, messages: 0 });
  });

  it('the background sweeper removes expired rows by itself, using the storage clock', async () => {
    const swept = fx.open({ sweepIntervalMs: 50 });
    const k = key('background');
    await swept.kv.set(k, 1, { ttl: 5000 });
    fx.clock.advance(5000);
    await waitUntil(async () => {
      const rows = await adminQuery(`SELECT 1 FROM "${fx.schema}".stowage_kv WHERE key = $1`, [k]);
      expect(rows).toHaveLength(0);
    }, 10_000);
  });
});
