import type { Storage } from '@stowage/core';
import { compareIds } from '@stowage/core';
import type { CaseContext, ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Saves `n` sessions with one random label, 1 ms apart, and returns their ids in creation order. */
export async function seed(
  ctx: CaseContext,
  n: number,
  extra: (i: number) => { state?: string; labels?: Record<string, string> } = () => ({}),
): Promise<{ ids: string[]; labels: Record<string, string> }> {
  const labels = { suite: ctx.id('list') };
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const more = extra(i);
    const sid = ctx.id(`s${String(i).padStart(3, '0')}`);
    await ctx.storage.sessions.save({
      id: sid,
      data: { i },
      state: more.state ?? 'active',
      labels: { ...labels, ...more.labels },
    });
    ids.push(sid);
    ctx.clock.advance(1);
  }
  return { ids, labels };
}

async function listIds(storage: Storage, query: Parameters<Storage['sessions']['list']>[0]) {
  return (await storage.sessions.list(query)).items.map((s) => s.id);
}

/** Listing cases for filters, order, limits and count. */
export const listCases: ContractCase[] = group('list', [
  {
    name: 'list filters by a single state',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 4, (i) => ({ state: i % 2 ? 'archived' : 'open' }));
      assert.deepEqual(await listIds(ctx.storage, { labels, state: 'archived' }), [ids[1], ids[3]]);
    },
  },
  {
    name: 'list filters by any of several states',
    async run(ctx) {
      const states = ['a', 'b', 'c', 'a'];
      const { ids, labels } = await seed(ctx, 4, (i) => ({ state: states[i] as string }));
      const found = await listIds(ctx.storage, { labels, state: ['a', 'c'] });
      assert.deepEqual(found, [ids[0], ids[2], ids[3]]);
    },
  },
  {
    name: 'list matches only sessions carrying every given label with the exact value',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 4, (i) => ({
        labels: { userId: i < 2 ? 'u1' : 'u2', team: i % 2 ? 'red' : 'blue' },
      }));
      assert.deepEqual(await listIds(ctx.storage, { labels: { ...labels, userId: 'u1' } }), [
        ids[0],
        ids[1],
      ]);
      assert.deepEqual(
        await listIds(ctx.storage, { labels: { ...labels, userId: 'u2', team: 'red' } }),
        [ids[3]],
      );
      assert.deepEqual(await listIds(ctx.storage, { labels: { ...labels, userId: 'U1' } }), []);
      assert.deepEqual(await listIds(ctx.storage, { labels: { ...labels, missing: 'x' } }), []);
    },
  },
  {
    name: 'updatedAfter and updatedBefore are exclusive bounds on updatedAt',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 3);
      const times = (await ctx.storage.sessions.getMany(ids)).map((s) => s?.updatedAt ?? 0);
      const [t0, t1, t2] = times as [number, number, number];
      assert.deepEqual(await listIds(ctx.storage, { labels, updatedAfter: t0 }), [ids[1], ids[2]]);
      assert.deepEqual(await listIds(ctx.storage, { labels, updatedBefore: t2 }), [ids[0], ids[1]]);
      assert.deepEqual(
        await listIds(ctx.storage, { labels, updatedAfter: t0, updatedBefore: t2 }),
        [ids[1]],
      );
      assert.deepEqual(
        await listIds(ctx.storage, { labels, updatedAfter: t1, updatedBefore: t2 }),
        [],
      );
      assert.equal(await ctx.storage.sessions.count({ labels, updatedAfter: t0 }), 2);
    },
  },
  {
    name: 'list orders ascending by creation time by default and descending on request',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 5);
      // Re-saving the oldest must not move it: order is by creation, not by update.
      await ctx.storage.sessions.save({ id: ids[0] as string, data: 'touched', labels });
      assert.deepEqual(await listIds(ctx.storage, { labels }), ids);
      assert.deepEqual(await listIds(ctx.storage, { labels, order: 'asc' }), ids);
      assert.deepEqual(await listIds(ctx.storage, { labels, order: 'desc' }), [...ids].reverse());
    },
  },
  {
    name: 'sessions created in the same millisecond are ordered by id',
    async run({ storage, id }) {
      const labels = { suite: id('list') };
      const ids = ['b', 'a', 'c', 'B', '~'].map((p) => `${p}-${id()}`);
      for (const sid of ids) await storage.sessions.save({ id: sid, data: 1, labels });
      const sorted = [...ids].sort(compareIds);
      assert.deepEqual(await listIds(storage, { labels }), sorted);
      assert.deepEqual(await listIds(storage, { labels, order: 'desc' }), sorted.reverse());
    },
  },
  {
    name: 'list items carry the full decoded session',
    async run({ storage, id }) {
      const labels = { suite: id('list') };
      const saved = await storage.sessions.save(
        { id: id(), data: { deep: { a: [1, 2] } }, state: 'open', labels },
        { ttl: '1h' },
      );
      const page = await storage.sessions.list({ labels });
      assert.deepEqual(page.items, [saved]);
      assert.equal(page.cursor, null);
    },
  },
  {
    name: 'an empty listing has no items and a null cursor',
    async run({ storage, id }) {
      const page = await storage.sessions.list({ labels: { suite: id('none') } });
      assert.deepEqual(page, { items: [], cursor: null });
    },
  },
  {
    name: 'limit must be an integer from 1 to 1000',
    async run({ storage, id }) {
      const labels = { suite: id('list') };
      for (const limit of [0, -1, 1001, 1.5, Number.NaN]) {
        await rejectsWith(storage.sessions.list({ labels, limit }), 'VALIDATION', `limit ${limit}`);
      }
      assert.deepEqual((await storage.sessions.list({ labels, limit: 1000 })).items, []);
      assert.deepEqual((await storage.sessions.list({ labels, limit: 1 })).items, []);
    },
  },
  {
    name: 'invalid order, state and label filters are a ValidationError',
    async run({ storage }) {
      const bad = [
        { order: 'up' },
        { state: [] },
        { state: '' },
        { labels: { a: 1 } },
        { labels: [] },
      ];
      for (const query of bad) {
        await rejectsWith(
          storage.sessions.list(query as Parameters<Storage['sessions']['list']>[0]),
          'VALIDATION',
          JSON.stringify(query),
        );
      }
      await rejectsWith(storage.sessions.count({ updatedAfter: -1 }), 'VALIDATION');
    },
  },
  {
    name: 'count takes the same filters as list',
    async run(ctx) {
      const { labels } = await seed(ctx, 5, (i) => ({
        state: i < 3 ? 'open' : 'closed',
        labels: { userId: i % 2 ? 'odd' : 'even' },
      }));
      assert.equal(await ctx.storage.sessions.count({ labels }), 5);
      assert.equal(await ctx.storage.sessions.count({ labels, state: 'open' }), 3);
      assert.equal(await ctx.storage.sessions.count({ labels: { ...labels, userId: 'odd' } }), 2);
      assert.equal(
        await ctx.storage.sessions.count({
          labels: { ...labels, userId: 'even' },
          state: 'closed',
        }),
        1,
      );
      assert.equal(await ctx.storage.sessions.count({ labels: { suite: ctx.id('none') } }), 0);
    },
  },
  {
    name: 'label values with glob and SQL pattern characters match only literally',
    async run({ storage, id }) {
      const tag = id('glob');
      const plain = id();
      const star = id();
      await storage.sessions.save({ id: plain, data: 1, labels: { tag, v: 'abc' } });
      await storage.sessions.save({ id: star, data: 1, labels: { tag, v: '*' } });
      for (const v of ['*', '%', '_', '?', 'a%', 'a_c', '[a]bc', '.*']) {
        const expected = v === '*' ? [star] : [];
        assert.deepEqual(await listIds(storage, { labels: { tag, v } }), expected, `label ${v}`);
      }
    },
  },
]);
