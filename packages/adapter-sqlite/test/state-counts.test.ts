import {
  type AdapterSessionFilter,
  ConflictError,
  manualClock,
  type SessionDriver,
  type SessionWrite,
  type StowageAdapter,
} from '@stowage/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { rawValue, schemaV3Sql, tempDir } from './helpers.js';
import { finished, startScript } from './processes.js';
import { random } from './random.js';

const tmp = tempDir('state-counts');
afterAll(tmp.cleanup);

const STATES = ['open', 'done', 'held', 'x\u00e9'];
const IDS = Array.from({ length: 20 }, (_, i) => (i === 7 ? "' OR 1=1" : `s${i}`));

/** Per-state counter rows, and what a `GROUP BY` over every session row (expired ones too) says. */
function counters(db: Database.Database): { kept: unknown[]; actual: unknown[] } {
  return {
    kept: db.prepare('SELECT state, n FROM stowage_state_counts ORDER BY state').all(),
    actual: db
      .prepare('SELECT state, count(*) AS n FROM stowage_sessions GROUP BY state ORDER BY state')
      .all(),
  };
}

/** Counts live sessions matching a filter by reading every session row. */
function bruteCount(db: Database.Database, filter: AdapterSessionFilter, now: number): number {
  const rows = db
    .prepare('SELECT state, updated_at AS updatedAt, expires_at AS expiresAt FROM stowage_sessions')
    .all() as { state: string; updatedAt: number; expiresAt: number | null }[];
  return rows.filter(
    (r) =>
      (r.expiresAt === null || r.expiresAt > now) &&
      (!filter.states || filter.states.includes(r.state)) &&
      (filter.updatedAfter === undefined || r.updatedAt > filter.updatedAfter) &&
      (filter.updatedBefore === undefined || r.updatedAt < filter.updatedBefore),
  ).length;
}

/** Every count by states only (the counter path) and a few general ones, adapter against brute force. */
async function expectCountsMatch(
  sessions: SessionDriver,
  db: Database.Database,
  now: number,
): Promise<void> {
  const filters: AdapterSessionFilter[] = [
    {},
    ...STATES.map((s) => ({ states: [s] })),
    { states: ['open', 'done'] },
    { states: ['held', 'held', 'nobody'] },
    { states: [] },
    { states: ['open'], updatedAfter: now - 100 },
    { updatedBefore: now - 50 },
  ];
  for (const filter of filters) {
    const got = await sessions.count(filter, { now });
    expect({ filter, count: got }).toEqual({ filter, count: bruteCount(db, filter, now) });
  }
  const { kept, actual } = counters(db);
  expect(kept).toEqual(actual);
}

async function openAdapter(path: string, now: () => number): Promise<StowageAdapter> {
  const adapter = sqliteAdapter({ path, sweepIntervalMs: 0 });
  await adapter.open?.({ clock: { now }, timeoutMs: 5000 });
  return adapter;
}

it('counts by state equal a brute-force count after random mixes of every kind of write', async () => {
  const seed = Number(process.env.STATE_COUNTS_SEED ?? 20261206);
  const rnd = random(seed);
  const path = tmp.path('random.db');
  let now = 1_000_000;
  const adapter = await openAdapter(path, () => now);
  const sessions = adapter.sessions as Required<SessionDriver>;
  const messages = adapter.messages;
  if (!messages) throw new Error('the SQLite adapter has messages');
  const db = new Database(path, { readonly: true });
  const expiryOf = db.prepare('SELECT expires_at FROM stowage_sessions WHERE id = ?').pluck();
  const done = new Map<string, number>();
  const tally = (kind: string): void => {
    done.set(kind, (done.get(kind) ?? 0) + 1);
  };
  const write = (id: string): SessionWrite => {
    const roll = rnd.int(4);
    return {
      id,
      data: JSON.stringify({ n: rnd.int(1000) }),
      state: rnd.pick(STATES),
      labels: rnd.int(2) === 0 ? { tenant: `t${rnd.int(3)}` } : {},
      maxExpiresAt: null,
      // Keep, none, or a short life that later steps will outlive.
      ...(roll === 0 ? {} : { expiresAt: roll === 1 ? null : now + 5 + rnd.int(60) }),
    };
  };
  try {
    for (let step = 0; step < 800; step++) {
      now += rnd.int(15);
      const ctx = { now };
      const id = rnd.pick(IDS);
      const kind = rnd.pick([
        'save',
        'save',
        'save-expected',
        'save-many',
        'restore',
        'delete',
        'delete-many',
        'delete-where',
        'delete-if-unchanged',
        'touch',
        'append',
        'sweep',
      ]);
      try {
        switch (kind) {
          case 'save': {
            const before = expiryOf.get(id);
            await sessions.save(write(id), ctx);
            // A save over an expired row replaces it: the replacement path.
            if (typeof before === 'number' && before <= now) tally('save-over-expired');
            break;
          }
          case 'save-expected': {
            const current = await sessions.get(id, ctx);
            const expected = rnd.int(4) === 0 ? 99 : (current?.version ?? 0);
            await sessions.save({ ...write(id), expectedVersion: expected }, ctx);
            break;
          }
          case 'save-many': {
            const ids = rnd.sample(IDS, 1 + rnd.int(4));
            await sessions.saveMany(
              ids.map((i) => ({
                ...write(i),
                ...(rnd.int(5) === 0 ? { expectedVersion: 0 } : {}),
              })),
              ctx,
            );
            break;
          }
          case 'restore': {
            const ids = rnd.sample(IDS, 1 + rnd.int(3));
            await sessions.restore(
              ids.map((i) => {
                const createdAt = now - rnd.int(500);
                const expiresAt = rnd.int(3) === 0 ? null : now - 20 + rnd.int(80);
                return {
                  id: i,
                  data: '{"restored":true}',
                  state: rnd.pick(STATES),
                  labels: { tenant: `t${rnd.int(3)}` },
                  version: 1 + rnd.int(9),
                  createdAt,
                  updatedAt: createdAt + rnd.int(100),
                  expiresAt,
                  maxExpiresAt: null,
                };
              }),
              ctx,
            );
            break;
          }
          case 'delete':
            await sessions.delete(id, rnd.int(3) === 0 ? 1 : undefined, ctx);
            break;
          case 'delete-many':
            await sessions.deleteMany(rnd.sample(IDS, 1 + rnd.int(5)), ctx);
            break;
          case 'delete-where':
            await sessions.deleteWhere(
              rnd.int(2) === 0
                ? { states: [rnd.pick(STATES)] }
                : { labels: { tenant: `t${rnd.int(3)}` } },
              ctx,
            );
            break;
          case 'delete-if-unchanged': {
            const current = await sessions.get(id, ctx);
            if (!current) break;
            const messageCount = await messages.length(id, ctx);
            const removed = await sessions.deleteIfUnchanged(
              id,
              {
                version: current.version + (rnd.int(3) === 0 ? 1 : 0),
                createdAt: current.createdAt,
                updatedAt: current.updatedAt,
                expiresAt: current.expiresAt,
                messageCount,
              },
              ctx,
            );
            if (removed) tally('delete-if-unchanged-removed');
            break;
          }
          case 'touch':
            await sessions.touch(id, rnd.int(2) === 0 ? null : now + rnd.int(50), ctx);
            break;
          case 'append':
            await messages.append(id, ['"m"'], {}, ctx);
            break;
          case 'sweep': {
            const removed = await adapter.sweep?.(1 + rnd.int(4), ctx);
            if (removed) tally('sweep-removed');
            break;
          }
        }
        tally(kind);
      } catch (error) {
        // Conflicts and appends to missing sessions are expected outcomes of random writes.
        if (
          !(error instanceof ConflictError) &&
          (error as { code?: string }).code !== 'NOT_FOUND'
        ) {
          throw error;
        }
      }
      await expectCountsMatch(sessions, db, now);
    }
  } finally {
    db.close();
    await adapter.close();
  }
  // Every kind of write took effect several times.
  for (const kind of [
    'save',
    'save-over-expired',
    'save-expected',
    'save-many',
    'restore',
    'delete',
    'delete-many',
    'delete-where',
    'delete-if-unchanged-removed',
    'touch',
    'sweep-removed',
  ]) {
    expect(done.get(kind) ?? 0, `${kind} (seed ${seed})`).toBeGreaterThan(3);
  }
}, 60_000);

it('two processes writing the same sessions at once leave exact counters', async () => {
  const path = tmp.path('processes.db');
  // Create the tables first, so both workers find them.
  const adapter = await openAdapter(path, () => Date.now());
  await adapter.close();
  const outputs = await Promise.all(
    ['1', '2'].map((seed) =>
      finished(startScript('./state-count-worker.mjs', [path, seed, '400'])),
    ),
  );
  expect(outputs).toEqual(['done\n', 'done\n']);
  const db = new Database(path, { readonly: true });
  try {
    const { kept, actual } = counters(db);
    expect(kept).toEqual(actual);
    // Both workers wrote, so most of the states are in use.
    expect(kept.length).toBeGreaterThanOrEqual(2);
    const reader = await openAdapter(path, () => Date.now());
    const sessions = reader.sessions as SessionDriver;
    try {
      // Expiry moves with the real clock here, so compare at fixed instants.
      for (const now of [Date.now(), Date.now() + 30, Date.now() + 10_000]) {
        await expectCountsMatch(sessions, db, now);
      }
    } finally {
      await reader.close();
    }
  } finally {
    db.close();
  }
}, 60_000);

it('a file at schema version 3 gets counters built from its rows, expired ones included', async () => {
  const path = tmp.path('v3.db');
  const clock = manualClock(5_000_000);
  const first = await openAdapter(path, () => clock.now());
  const sessions = first.sessions as SessionDriver;
  for (let i = 0; i < 60; i++) {
    const now = clock.now();
    await sessions.save(
      {
        id: `v${i}`,
        data: '{}',
        state: STATES[i % 3] as string,
        labels: {},
        maxExpiresAt: null,
        // Every fourth session is short-lived and expires before the upgrade.
        expiresAt: i % 4 === 0 ? now + 10 : null,
      },
      { now },
    );
    clock.advance(1);
  }
  await first.close();
  const db = new Database(path);
  db.exec(schemaV3Sql('stowage'));
  db.close();
  expect(
    rawValue(path, "SELECT count(*) FROM sqlite_master WHERE name = 'stowage_state_counts'"),
  ).toBe(0);

  clock.advance(100);
  const upgraded = await openAdapter(path, () => clock.now());
  const raw = new Database(path, { readonly: true });
  try {
    const now = clock.now();
    const up = upgraded.sessions as SessionDriver;
    expect(rawValue(path, "SELECT value FROM stowage_meta WHERE key = 'schema_version'")).toBe('5');
    expect(counters(raw).kept).toEqual([
      { state: 'done', n: 20 },
      { state: 'held', n: 20 },
      { state: 'open', n: 20 },
    ]);
    // 15 of the 60 have expired (every fourth), not swept yet: 5 'open', 5 'done', 5 'held'.
    expect(await up.count({ states: ['open'] }, { now })).toBe(15);
    expect(await up.count({}, { now })).toBe(45);
    await expectCountsMatch(up, raw, now);
    // Later writes move them: a new session, a change of state, a delete.
    const w = { data: '{}', labels: {}, maxExpiresAt: null };
    await up.save({ ...w, id: 'new', state: 'open' }, { now });
    await up.save({ ...w, id: 'v1', state: 'held' }, { now });
    await up.delete('v2', undefined, { now });
    expect(await up.count({ states: ['open'] }, { now })).toBe(16);
    await expect(upgraded.sweep?.(100, { now })).resolves.toBe(15);
    expect(counters(raw).kept).toEqual([
      { state: 'done', n: 14 },
      { state: 'held', n: 15 },
      { state: 'open', n: 16 },
    ]);
    await expectCountsMatch(up, raw, now);
  } finally {
    raw.close();
    await upgraded.close();
  }
});
