import type { SessionListQuery, Storage } from '@stowage/core';
import { compareIds } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';
import { seed } from './list.js';

/** Follows cursors to the end and returns every id seen, page by page. */
async function allPages(
  storage: Storage,
  query: SessionListQuery,
  between: (page: number) => Promise<void> = async () => {},
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.sessions.list(cursor === undefined ? query : { ...query, cursor });
    pages.push(page.items.map((s) => s.id));
    cursor = page.cursor ?? undefined;
    await between(pages.length);
    assert.ok(pages.length <= 1000, 'listing never ended');
  } while (cursor !== undefined);
  return pages;
}

/** Listing cases for cursors, iterate and deleteWhere. */
export const pagingCases: ContractCase[] = group('list', [
  {
    name: 'ascending cursor pages cover every session exactly once',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 10);
      const pages = await allPages(ctx.storage, { labels, limit: 3 });
      assert.deepEqual(
        pages.map((p) => p.length),
        [3, 3, 3, 1],
      );
      assert.deepEqual(pages.flat(), ids);
    },
  },
  {
    name: 'descending cursor pages cover every session exactly once',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 7);
      const pages = await allPages(ctx.storage, { labels, limit: 2, order: 'desc' });
      assert.deepEqual(pages.flat(), [...ids].reverse());
    },
  },
  {
    name: 'a listing that fills its last page exactly ends with a null cursor and no empty extra page',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 6);
      const pages = await allPages(ctx.storage, { labels, limit: 3 });
      assert.deepEqual(pages, [ids.slice(0, 3), ids.slice(3)]);
    },
  },
  {
    name: 'sessions created in one millisecond page by id without skipping or repeating',
    async run({ storage, id }) {
      const labels = { suite: id('list') };
      const ids: string[] = [];
      for (let i = 0; i < 9; i++) {
        const sid = id(`same${i}`);
        await storage.sessions.save({ id: sid, data: i, labels });
        ids.push(sid);
      }
      const pages = await allPages(storage, { labels, limit: 2 });
      assert.deepEqual(pages.flat(), [...ids].sort(compareIds));
    },
  },
  {
    name: 'sessions inserted between pages never make an existing session skip or repeat',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 9);
      const pages = await allPages(ctx.storage, { labels, limit: 2 }, async (n) => {
        // New sessions keep arriving while the first pages are read.
        if (n > 3) return;
        await ctx.storage.sessions.save({ id: `!${ctx.id()}-${n}`, data: n, labels });
        await ctx.storage.sessions.save({ id: ctx.id(`late${n}`), data: n, labels });
        ctx.clock.advance(1);
      });
      const seen = pages.flat();
      assert.equal(new Set(seen).size, seen.length, 'a session was listed twice');
      for (const sid of ids) {
        assert.equal(seen.filter((s) => s === sid).length, 1, `${sid} was not listed exactly once`);
      }
    },
  },
  {
    name: 'deleting a listed session between pages never makes another session skip',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 8);
      const pages = await allPages(ctx.storage, { labels, limit: 3 }, async (n) => {
        if (n === 1) await ctx.storage.sessions.delete(ids[2] as string);
      });
      assert.deepEqual(pages.flat(), ids);
    },
  },
  {
    name: 'a cursor that was not returned by list is a ValidationError',
    async run({ storage, id }) {
      const labels = { suite: id('list') };
      const garbage = ['', 'not-a-cursor', '!!!', 'eyJ4IjoxfQ', 'W10', 'x'.repeat(5000)];
      for (const cursor of garbage) {
        await rejectsWith(storage.sessions.list({ labels, cursor }), 'VALIDATION', cursor);
      }
    },
  },
  {
    name: 'iterate yields every matching session once, across pages',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 7);
      const seen: string[] = [];
      for await (const s of ctx.storage.sessions.iterate({ labels, limit: 2 })) seen.push(s.id);
      assert.deepEqual(seen, ids);
      const desc: string[] = [];
      for await (const s of ctx.storage.sessions.iterate({ labels, order: 'desc' })) {
        desc.push(s.id);
      }
      assert.deepEqual(desc, [...ids].reverse());
    },
  },
  {
    name: "deleteWhere by a label revokes all of that user's sessions and returns how many",
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 5, (i) => ({
        labels: { userId: i < 3 ? 'victim' : 'bystander' },
      }));
      const revoked = await ctx.storage.sessions.deleteWhere({
        labels: { ...labels, userId: 'victim' },
      });
      assert.equal(revoked, 3);
      const left = await ctx.storage.sessions.getMany(ids);
      assert.deepEqual(
        left.map((s) => s?.id ?? null),
        [null, null, null, ids[3], ids[4]],
      );
      assert.equal(
        await ctx.storage.sessions.deleteWhere({ labels: { ...labels, userId: 'victim' } }),
        0,
      );
    },
  },
  {
    name: 'deleteWhere by state deletes only sessions in that state',
    async run(ctx) {
      const { labels } = await seed(ctx, 4, (i) => ({ state: i % 2 ? 'stale' : 'live' }));
      assert.equal(await ctx.storage.sessions.deleteWhere({ labels, state: 'stale' }), 2);
      assert.equal(await ctx.storage.sessions.count({ labels }), 2);
      assert.equal(await ctx.storage.sessions.count({ labels, state: 'live' }), 2);
    },
  },
  {
    name: 'deleteWhere removes the messages of the sessions it deletes',
    requires: ['messages'],
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 2);
      for (const sid of ids) await ctx.storage.messages.append(sid, ['m']);
      assert.equal(await ctx.storage.sessions.deleteWhere({ labels }), 2);
      for (const sid of ids) {
        await ctx.storage.sessions.save({ id: sid, data: 'again' });
        assert.equal(await ctx.storage.messages.length(sid), 0);
        if (ctx.inspector) assert.equal(await ctx.inspector.messageCount(sid), 0);
      }
    },
  },
  {
    name: 'deleteWhere with an empty filter is a ValidationError and deletes nothing',
    async run(ctx) {
      const { ids } = await seed(ctx, 1);
      await rejectsWith(ctx.storage.sessions.deleteWhere({}), 'VALIDATION');
      await rejectsWith(ctx.storage.sessions.deleteWhere({ labels: {} }), 'VALIDATION');
      assert.ok(await ctx.storage.sessions.get(ids[0] as string));
    },
  },
]);
