import { randomBytes } from 'node:crypto';
import { ConflictError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { useFixture } from './support/fixture.js';
import { adminQuery, withAdminClient } from './support/shared-server.js';

const fx = useFixture();
const storage = fx.open();
const id = (p = 's') => `${p}-${randomBytes(6).toString('hex')}`;

describe('postgres sessions', () => {
  it('a save expecting an older version is a conflict carrying the stored version', async () => {
    const sid = id();
    await storage.sessions.save({ id: sid, data: { n: 1 } });
    await storage.sessions.save({ id: sid, data: { n: 2 } }, { expectedVersion: 1 });
    const error = await storage.sessions
      .save({ id: sid, data: { n: 3 } }, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).currentVersion).toBe(2);
    expect((await storage.sessions.get(sid))?.data).toEqual({ n: 2 });
  });

  it('expectedVersion 0 creates once and then conflicts', async () => {
    const sid = id();
    await storage.sessions.save({ id: sid, data: 1 }, { expectedVersion: 0 });
    await expect(
      storage.sessions.save({ id: sid, data: 2 }, { expectedVersion: 0 }),
    ).rejects.toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
  });

  it('an expired row is replaced as version 1 and its messages and keys are deleted', async () => {
    const sid = id();
    await storage.sessions.save({ id: sid, data: 'old' }, { ttl: 1000 });
    await storage.sessions.save({ id: sid, data: 'old2' });
    await storage.messages.append(sid, ['a', 'b'], { idempotencyKey: 'k1' });
    fx.clock.advance(1000);
    const fresh = await storage.sessions.save({ id: sid, data: 'new' }, { expectedVersion: 0 });
    expect(fresh.version).toBe(1);
    expect(fresh.expiresAt).toBeNull();
    expect(await storage.messages.length(sid)).toBe(0);
    const [row] = await adminQuery<{ n: string }>(
      `SELECT count(*) AS n FROM "${fx.schema}".stowage_messages WHERE session_id = $1`,
      [sid],
    );
    expect(Number(row?.n)).toBe(0);
    // The idempotency key of the expired session no longer blocks an append.
    expect(await storage.messages.append(sid, ['c'], { idempotencyKey: 'k1' })).toBe(1);
  });

  it('saveMany with one conflicting item writes nothing', async () => {
    const a = id();
    const b = id();
    await storage.sessions.save({ id: a, data: 'a1' });
    await expect(
      storage.sessions.saveMany([
        { id: a, data: 'a2', expectedVersion: 1 },
        { id: b, data: 'b1', expectedVersion: 3 },
      ]),
    ).rejects.toMatchObject({ code: 'CONFLICT', currentVersion: 0 });
    expect((await storage.sessions.get(a))?.version).toBe(1);
    expect(await storage.sessions.get(b)).toBeNull();
    const saved = await storage.sessions.saveMany([
      { id: b, data: 'b1', expectedVersion: 0 },
      { id: a, data: 'a2', expectedVersion: 1 },
    ]);
    expect(saved.map((s) => [s.id, s.version])).toEqual([
      [b, 1],
      [a, 2],
    ]);
  });

  it('saveMany over existing sessions gives each one its own expiry, whatever the order', async () => {
    // Ids that need escaping as keys of the expiry object the batch sends.
    const ids = ['__proto__', id('quote"back\\slash'), id('🙂'), id(), id(), id()];
    await storage.sessions.saveMany(ids.map((sid) => ({ id: sid, data: 0, ttl: 5000 })));
    const start = fx.clock.now();
    // Reversed order, so a row's position in the batch differs from its insertion order.
    const saved = await storage.sessions.saveMany(
      [...ids].reverse().map((sid, i) => {
        if (i % 3 === 0) return { id: sid, data: i };
        if (i % 3 === 1) return { id: sid, data: i, ttl: 1000 * (i + 1) };
        return { id: sid, data: i, ttl: null };
      }),
    );
    const expected = [...ids].reverse().map((_, i) => {
      if (i % 3 === 0) return start + 5000;
      if (i % 3 === 1) return start + 1000 * (i + 1);
      return null;
    });
    expect(saved.map((s) => s.expiresAt)).toEqual(expected);
    const stored = await storage.sessions.getMany([...ids].reverse());
    expect(stored.map((s) => s?.expiresAt)).toEqual(expected);
    expect(stored.map((s) => s?.version)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('saveMany replacing an expired row deletes its messages and keys, and keeps live ones', async () => {
    const gone = id();
    const live = id();
    await storage.sessions.save({ id: gone, data: 'old' }, { ttl: 1000 });
    await storage.sessions.save({ id: live, data: 'live' });
    await storage.messages.append(gone, ['a', 'b'], { idempotencyKey: 'k1' });
    await storage.messages.append(live, ['x'], { idempotencyKey: 'k1' });
    fx.clock.advance(1000);
    const saved = await storage.sessions.saveMany([
      { id: live, data: 'live2' },
      { id: gone, data: 'new' },
    ]);
    expect(saved.map((s) => s.version)).toEqual([2, 1]);
    expect(await storage.messages.length(gone)).toBe(0);
    expect(await storage.messages.range(live, 0, -1)).toEqual(['x']);
    const rows = await adminQuery<{ session_id: string; n: string }>(
      `SELECT session_id, count(*) AS n FROM "${fx.schema}".stowage_messages
       WHERE session_id = ANY($1) GROUP BY session_id`,
      [[gone, live]],
    );
    expect(rows.map((r) => [r.session_id, Number(r.n)])).toEqual([[live, 1]]);
    expect(await storage.messages.append(gone, ['c'], { idempotencyKey: 'k1' })).toBe(1);
    expect(await storage.messages.append(live, ['y'], { idempotencyKey: 'k1' })).toBe(1);
  });

  it('touch never extends past maxLifetime and keeps version and updatedAt', async () => {
    const sid = id();
    const saved = await storage.sessions.save(
      { id: sid, data: {} },
      { ttl: 1000, maxLifetime: 5000 },
    );
    fx.clock.advance(500);
    expect(await storage.sessions.touch(sid, 60_000)).toBe(true);
    const got = await storage.sessions.get(sid);
    expect(got?.expiresAt).toBe(saved.createdAt + 5000);
    expect(got?.version).toBe(1);
    expect(got?.updatedAt).toBe(saved.updatedAt);
  });

  it('list pages by keyset in both orders and every matching item appears once', async () => {
    const user = id('user');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const sid = id();
      ids.push(sid);
      await storage.sessions.save({ id: sid, data: i, labels: { userId: user } });
      if (i % 2 === 0) fx.clock.advance(1);
    }
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await storage.sessions.list({
          labels: { userId: user },
          order,
          limit: 3,
          cursor,
        });
        seen.push(...page.items.map((s) => s.id));
        cursor = page.cursor ?? undefined;
      } while (cursor);
      expect(new Set(seen).size).toBe(7);
      expect(seen.sort()).toEqual([...ids].sort());
    }
    expect(await storage.sessions.count({ labels: { userId: user } })).toBe(7);
    expect(await storage.sessions.deleteWhere({ labels: { userId: user } })).toBe(7);
  });

  it('a label filter is served by the GIN index', async () => {
    const table = `"${fx.schema}".stowage_sessions`;
    const text = await withAdminClient(async (client) => {
      // The test table is tiny; forbidding sequential scans shows whether an index can serve.
      await client.query('SET enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM ${table} WHERE labels @> $1::jsonb`,
        ['{"userId":"u"}'],
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(text).toMatch(/stowage_s_labels/);
  });

  it('concurrent update() calls from several adapters lose no increment', async () => {
    const sid = id();
    await storage.sessions.save({ id: sid, data: { n: 0 } });
    const others = [fx.open(), fx.open(), fx.open()];
    const all = [storage, ...others];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (all[i % all.length] ?? storage).sessions.update<{ n: number }>(
          sid,
          (s) => ({ data: { n: (s?.data.n ?? 0) + 1 } }),
          { retries: 100 },
        ),
      ),
    );
    const got = await storage.sessions.get<{ n: number }>(sid);
    expect(got?.data.n).toBe(40);
    expect(got?.version).toBe(41);
  });

  it('far-future expiries round-trip to the millisecond', async () => {
    const sid = id();
    const saved = await storage.sessions.save({ id: sid, data: 1 }, { ttl: 1e15 - 1 });
    expect(saved.expiresAt).toBe(saved.createdAt + 1e15 - 1);
    expect((await storage.sessions.get(sid))?.expiresAt).toBe(saved.createdAt + 1e15 - 1);
  });
});
