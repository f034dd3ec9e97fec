import { createStorage, manualClock } from '@stowage/core';
import { afterAll, expect, it } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('listing');
afterAll(tmp.cleanup);

it('counts and label listings leave out expired sessions the sweeper has not removed yet', async () => {
  const clock = manualClock(1_000_000);
  const storage = createStorage(
    sqliteAdapter({ path: tmp.path('expired.db'), sweepIntervalMs: 0 }),
    { clock },
  );
  const states = ['open', 'done'];
  for (let i = 0; i < 40; i++) {
    await storage.sessions.save(
      {
        id: `s${String(i).padStart(2, '0')}`,
        data: i,
        state: states[i % 2] as string,
        labels: { tenant: `t${i % 4}`, plan: i % 3 === 0 ? 'pro' : 'free' },
      },
      // Every fifth session expires; the rest live for an hour.
      { ttl: i % 5 === 0 ? 100 : 3_600_000 },
    );
    clock.advance(1);
  }
  clock.advance(200);
  const live = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 5 !== 0);
  const expected = (keep: (i: number) => boolean) => live.filter(keep).length;
  expect(await storage.sessions.count({})).toBe(live.length);
  expect(await storage.sessions.count({ state: 'open' })).toBe(expected((i) => i % 2 === 0));
  expect(await storage.sessions.count({ state: ['open', 'done'] })).toBe(live.length);
  expect(await storage.sessions.count({ labels: { tenant: 't0' } })).toBe(
    expected((i) => i % 4 === 0),
  );
  expect(await storage.sessions.count({ state: 'done', labels: { tenant: 't1' } })).toBe(
    expected((i) => i % 2 === 1 && i % 4 === 1),
  );
  expect(await storage.sessions.count({ labels: { tenant: 't2', plan: 'pro' } })).toBe(
    expected((i) => i % 4 === 2 && i % 3 === 0),
  );
  const page = await storage.sessions.list({ labels: { tenant: 't0' }, order: 'desc', limit: 3 });
  expect(page.items.map((s) => s.data)).toEqual(
    live
      .filter((i) => i % 4 === 0)
      .reverse()
      .slice(0, 3),
  );
  const after = await storage.sessions.list({
    labels: { tenant: 't0' },
    order: 'desc',
    limit: 100,
    cursor: page.cursor ?? undefined,
  });
  expect(after.items.map((s) => s.data)).toEqual(
    live
      .filter((i) => i % 4 === 0)
      .reverse()
      .slice(3),
  );
  // Sweeping changes none of the counts.
  expect(await storage.sweep({ limit: 100 })).toBe(8);
  expect(await storage.sessions.count({ labels: { tenant: 't0' } })).toBe(
    expected((i) => i % 4 === 0),
  );
  await storage.close();
});

it('a large sweep runs as several transactions and lets other callbacks run in between', async () => {
  const clock = manualClock(1_000_000);
  const storage = createStorage(sqliteAdapter({ path: tmp.path('yield.db'), sweepIntervalMs: 0 }), {
    clock,
  });
  const sessions = Array.from({ length: 2500 }, (_, i) => ({
    id: `x${i}`,
    data: i,
    labels: { tenant: 't' },
    ttl: 50,
  }));
  for (let i = 0; i < sessions.length; i += 500) {
    await storage.sessions.saveMany(sessions.slice(i, i + 500));
  }
  await storage.sessions.save({ id: 'stays', data: 0, labels: { tenant: 't' } });
  clock.advance(100);
  // A transaction looks up at most 1000 rows, so 2500 take at least three, with the event
  // loop handed back after each.
  let turns = 0;
  let running = true;
  const spin = (): void => {
    turns++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  const removed = await storage.sweep({ limit: 10_000 });
  running = false;
  expect(removed).toBe(2500);
  expect(turns).toBeGreaterThanOrEqual(3);
  expect(await storage.sessions.count({ labels: { tenant: 't' } })).toBe(1);
  expect(await storage.sweep({ limit: 10_000 })).toBe(0);
  await storage.close();
});
