import {
  ConflictError,
  createStorage,
  type Labels,
  type ManualClock,
  manualClock,
  NotFoundError,
  type Storage,
  type StowageAdapter,
} from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAdapter } from '../src/index.js';
import { adminQuery, dropSchema, randomSchema, SHARED_URL } from './support/shared-server.js';

// The label table and the per-state counters, checked against brute-force queries on the
// sessions table after random mixes of every write path, sequential and concurrent.

const STATES = ['active', 'idle', 'archived'];
const LABELS: [string, string[]][] = [
  ['tenant', ['t0', 't1', 't2']],
  ['plan', ['pro', 'free']],
  ["odd ' name", ["' OR 1=1", '🙂']],
];

/** A seeded PRNG (mulberry32), so a failing mix can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, items: readonly T[]): T =>
  items[Math.floor(rnd() * items.length)] as T;

function randomLabels(rnd: () => number): Labels {
  const labels: Labels = {};
  for (const [name, values] of LABELS) if (rnd() < 0.6) labels[name] = pick(rnd, values);
  return labels;
}

const schemas: string[] = [];
const storages: Storage[] = [];
afterAll(async () => {
  await Promise.all(storages.map((s) => s.close()));
  for (const schema of schemas) await dropSchema(schema);
});

interface Opened {
  schema: string;
  clock: ManualClock;
  adapter: StowageAdapter;
  storage: Storage;
}

function open(schema: string, clock: ManualClock): Opened {
  const adapter = postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0 });
  const storage = createStorage(adapter, { clock });
  storages.push(storage);
  return { schema, clock, adapter, storage };
}

function fresh(): Opened {
  const schema = randomSchema('stowage_idx');
  schemas.push(schema);
  return open(schema, manualClock(Date.UTC(2026, 0, 1)));
}

/** Every count and label listing equals a brute-force query; the mirrors equal the table. */
async function verify({ schema, clock, storage }: Opened): Promise<void> {
  const S = `"${schema}".stowage_sessions`;
  const now = clock.now();
  const live = `(expires_at IS NULL OR expires_at > to_timestamp(${now}::float8 / 1000))`;
  for (const state of [...STATES, 'never-used']) {
    const [row] = await adminQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${S} WHERE ${live} AND state = $1`,
      [state],
    );
    expect(await storage.sessions.count({ state }), `count of state ${state}`).toBe(row?.n);
  }
  for (const [name, values] of LABELS) {
    for (const value of [...values, 'never-used']) {
      const labels = { [name]: value };
      const rows = await adminQuery<{ id: string }>(
        `SELECT id FROM ${S} WHERE ${live} AND labels @> $1::jsonb ORDER BY created_at, id`,
        [JSON.stringify(labels)],
      );
      const ids = rows.map((r) => r.id);
      expect(await storage.sessions.count({ labels }), `count of ${name}=${value}`).toBe(
        ids.length,
      );
      for (const order of ['asc', 'desc'] as const) {
        const listed: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await storage.sessions.list({ labels, limit: 4, order, cursor });
          listed.push(...page.items.map((s) => s.id));
          cursor = page.cursor ?? undefined;
        } while (cursor);
        expect(listed, `list of ${name}=${value} ${order}`).toEqual(
          order === 'asc' ? ids : [...ids].reverse(),
        );
      }
    }
  }
  // The mirrors hold every stored row, expired-but-unswept ones included.
  const counted = await adminQuery<{ state: string; n: string }>(
    `SELECT state, sum(n)::text AS n FROM (
       SELECT state, n FROM "${schema}".stowage_state_counts
       UNION ALL SELECT state, n FROM "${schema}".stowage_state_moves
     ) c GROUP BY state HAVING sum(n) <> 0 ORDER BY state`,
  );
  const stored = await adminQuery<{ state: string; n: string }>(
    `SELECT state, count(*)::text AS n FROM ${S} GROUP BY state ORDER BY state`,
  );
  expect(counted).toEqual(stored);
  const [diff] = await adminQuery<{ extra: number; missing: number }>(
    `WITH want AS (
       SELECT s.id AS session_id, e.key AS name, e.value, s.created_at
       FROM ${S} s, jsonb_each_text(s.labels) e
     ), have AS (SELECT session_id, name, value, created_at FROM "${schema}".stowage_labels)
     SELECT (SELECT count(*)::int FROM (SELECT * FROM have EXCEPT ALL SELECT * FROM want) x) AS extra,
            (SELECT count(*)::int FROM (SELECT * FROM want EXCEPT ALL SELECT * FROM have) x) AS missing`,
  );
  expect(diff).toEqual({ extra: 0, missing: 0 });
}

/** One random write through any of the write paths; conflicts are expected and ignored. */
async function randomWrite(o: Opened, rnd: () => number, ids: readonly string[]): Promise<void> {
  const { storage, adapter, clock } = o;
  const restore = adapter.sessions?.restore;
  const deleteIfUnchanged = adapter.sessions?.deleteIfUnchanged;
  if (!restore || !deleteIfUnchanged)
    throw new Error('the adapter lost restore or deleteIfUnchanged');
  const id = pick(rnd, ids);
  const ttl = rnd() < 0.3 ? 1000 + Math.floor(rnd() * 4000) : undefined;
  const r = rnd();
  try {
    if (r < 0.3) {
      const expectedVersion = rnd() < 0.2 ? Math.floor(rnd() * 3) : undefined;
      await storage.sessions.save(
        { id, data: { r }, state: pick(rnd, STATES), labels: randomLabels(rnd) },
        { ttl, expectedVersion },
      );
    } else if (r < 0.42) {
      const batch = [
        ...new Set(Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => pick(rnd, ids))),
      ];
      await storage.sessions.saveMany(
        batch.map((bid) => ({
          id: bid,
          data: bid,
          state: pick(rnd, STATES),
          labels: rnd() < 0.5 ? randomLabels(rnd) : { tenant: 't0' },
          ttl,
        })),
      );
    } else if (r < 0.5) {
      await storage.sessions.update(id, (s) =>
        s
          ? {
              state: pick(rnd, STATES),
              labels: rnd() < 0.5 ? { ...s.labels, plan: pick(rnd, ['pro', 'free']) } : s.labels,
            }
          : undefined,
      );
    } else if (r < 0.56) {
      await storage.sessions.delete(id);
    } else if (r < 0.6) {
      await storage.sessions.deleteMany([id, pick(rnd, ids), pick(rnd, ids)]);
    } else if (r < 0.63) {
      await storage.sessions.deleteWhere(
        rnd() < 0.5
          ? { state: pick(rnd, STATES) }
          : { labels: { tenant: pick(rnd, ['t1', 't2']) } },
      );
    } else if (r < 0.68) {
      await storage.sweep({ limit: 1 + Math.floor(rnd() * 5) });
    } else if (r < 0.75) {
      // An exact copy, as migrate() writes it: state, labels and creation time all replaced.
      const createdAt = clock.now() - Math.floor(rnd() * 100_000);
      await restore(
        [
          {
            id,
            data: '"restored"',
            state: pick(rnd, STATES),
            labels: randomLabels(rnd),
            version: 1 + Math.floor(rnd() * 5),
            createdAt,
            updatedAt: createdAt,
            expiresAt: rnd() < 0.3 ? clock.now() + 2000 : null,
            maxExpiresAt: null,
          },
        ],
        { now: clock.now() },
      );
    } else if (r < 0.8) {
      const found = await storage.sessions.get(id);
      if (found) {
        const messageCount = await storage.messages.length(id);
        await deleteIfUnchanged(id, { ...found, messageCount }, { now: clock.now() });
      }
    } else if (r < 0.85) {
      await storage.sessions.touch(id, 1000 + Math.floor(rnd() * 3000));
    } else if (r < 0.9) {
      await storage.messages.append(id, ['m']);
    } else {
      clock.advance(Math.floor(rnd() * 2500));
    }
  } catch (error) {
    if (error instanceof ConflictError) return;
    if (error instanceof NotFoundError) return;
    throw error;
  }
}

describe('postgres label table and state counters', () => {
  it('match brute-force counts and listings after random mixes of every write path', async () => {
    const o = fresh();
    const rnd = random(20261206);
    const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
    ids.push('__proto__', "' OR 1=1", 'a:b');
    for (let round = 0; round < 12; round += 1) {
      for (let i = 0; i < 40; i += 1) await randomWrite(o, rnd, ids);
      await verify(o);
    }
    // Expired rows that no sweep has removed yet are subtracted, and the counts stay exact as
    // the sweep removes them.
    await o.storage.sessions.saveMany(
      ids
        .slice(0, 20)
        .map((id) => ({ id, data: 1, state: 'idle', labels: { tenant: 't1' }, ttl: 10 })),
    );
    o.clock.advance(10);
    await verify(o);
    expect(await o.storage.sessions.count({ state: 'idle' })).toBeGreaterThanOrEqual(0);
    while ((await o.storage.sweep({ limit: 3 })) > 0) await verify(o);
    await verify(o);
    // Every sweep folds the state changes the update trigger appended into the counter rows.
    const [moves] = await adminQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${o.schema}".stowage_state_moves`,
    );
    expect(moves?.n).toBe(0);
  });

  it('stay exact under concurrent saves, batches and deletes from several adapters', async () => {
    const first = fresh();
    const others = [open(first.schema, first.clock), open(first.schema, first.clock)];
    const all = [first, ...others];
    const shared = Array.from({ length: 12 }, (_, i) => `hot-${i}`);
    const errors: unknown[] = [];
    const worker = async (o: Opened, seed: number): Promise<void> => {
      const rnd = random(seed);
      for (let i = 0; i < 40; i += 1) {
        try {
          const r = rnd();
          if (r < 0.45) {
            await o.storage.sessions.save({
              id: pick(rnd, shared),
              data: i,
              state: pick(rnd, STATES),
              labels: randomLabels(rnd),
            });
          } else if (r < 0.8) {
            // Batches that create sessions and change the state of others in one statement,
            // racing each other: the trigger order must keep them free of deadlocks.
            const batch = [
              ...new Set([
                `new-${seed}-${i}-a`,
                `new-${seed}-${i}-b`,
                pick(rnd, shared),
                pick(rnd, shared),
                pick(rnd, shared),
              ]),
            ].sort((a, b) => (a < b ? -1 : 1));
            await o.storage.sessions.saveMany(
              batch.map((id) => ({
                id,
                data: i,
                state: pick(rnd, STATES),
                labels: randomLabels(rnd),
              })),
            );
          } else if (r < 0.92) {
            await o.storage.sessions.delete(pick(rnd, shared));
          } else {
            await o.storage.sessions.update(pick(rnd, shared), (s) =>
              s ? { state: pick(rnd, STATES) } : undefined,
            );
          }
        } catch (error) {
          if (!(error instanceof ConflictError)) errors.push(error);
        }
      }
    };
    await Promise.all(all.flatMap((o, n) => [worker(o, 100 + n), worker(o, 200 + n)]));
    expect(errors).toEqual([]);
    await verify(first);
  });

  it('a namespace of the longest allowed name gets three distinct triggers', async () => {
    const schema = randomSchema('stowage_idx');
    schemas.push(schema);
    const namespace = `n${'x'.repeat(47)}`;
    const storage = createStorage(
      postgresAdapter({ connection: SHARED_URL, schema, namespace, sweepIntervalMs: 0 }),
    );
    storages.push(storage);
    await storage.sessions.saveMany([
      { id: 'a', data: 1, state: 'open', labels: { userId: 'u1' } },
      { id: 'b', data: 2, state: 'open', labels: { userId: 'u1' } },
    ]);
    await storage.sessions.save({ id: 'b', data: 3, state: 'done', labels: { userId: 'u2' } });
    await storage.sessions.delete('a');
    expect(await storage.sessions.count({ state: 'open' })).toBe(0);
    expect(await storage.sessions.count({ state: 'done' })).toBe(1);
    expect(await storage.sessions.count({ labels: { userId: 'u1' } })).toBe(0);
    const page = await storage.sessions.list({ labels: { userId: 'u2' } });
    expect(page.items.map((s) => s.id)).toEqual(['b']);
    const triggers = await adminQuery<{ tgname: string }>(
      `SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND NOT t.tgisinternal ORDER BY tgname`,
      [schema],
    );
    expect(triggers.map((r) => r.tgname)).toEqual(
      ['delete', 'insert', 'update'].map((e) => `${namespace}_s_after_${e}`),
    );
  });

  it('an upgrade from schema version 3 builds the label table and counters from the rows', async () => {
    const o = fresh();
    const { schema, storage, clock } = o;
    for (let i = 0; i < 30; i += 1) {
      await storage.sessions.save(
        {
          id: `u${i}`,
          data: i,
          state: STATES[i % 3],
          labels: { tenant: `t${i % 3}`, ...(i % 2 === 0 ? { plan: 'pro' } : {}) },
        },
        { ttl: i % 5 === 0 ? 1000 : undefined },
      );
    }
    await storage.close();
    // Turn the schema back into what version 3 left behind.
    await adminQuery(
      `DROP TABLE "${schema}".stowage_labels, "${schema}".stowage_state_counts,
         "${schema}".stowage_state_moves;
       DROP TRIGGER stowage_s_after_insert ON "${schema}".stowage_sessions;
       DROP TRIGGER stowage_s_after_update ON "${schema}".stowage_sessions;
       DROP TRIGGER stowage_s_after_delete ON "${schema}".stowage_sessions;
       DROP FUNCTION "${schema}".stowage_s_after_insert(),
         "${schema}".stowage_s_after_update(), "${schema}".stowage_s_after_delete();
       DELETE FROM "${schema}".stowage_migrations WHERE version >= 4`,
    );
    // A write version 3 code made, with no trigger to see it.
    await adminQuery(
      `UPDATE "${schema}".stowage_sessions SET state = 'idle', labels = '{"tenant":"t9"}' WHERE id = 'u1'`,
    );
    const upgraded = open(schema, clock);
    clock.advance(1000);
    await verify(upgraded);
    expect(await upgraded.storage.sessions.count({ labels: { tenant: 't9' } })).toBe(1);
    expect(await upgraded.storage.sessions.count({ state: 'active' })).toBe(8);
    const rnd = random(7);
    const ids = Array.from({ length: 30 }, (_, i) => `u${i}`);
    for (let i = 0; i < 60; i += 1) await randomWrite(upgraded, rnd, ids);
    await verify(upgraded);
    const [row] = await adminQuery<{ version: number }>(
      `SELECT max(version) AS version FROM "${schema}".stowage_migrations`,
    );
    expect(row?.version).toBe(5);
  });
});
