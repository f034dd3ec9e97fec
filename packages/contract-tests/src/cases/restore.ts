import type { KvWrite, StoredSession } from '@stowage/core';
import type { CaseContext, ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

type Restore = (sessions: readonly StoredSession[], ctx: { now: number }) => Promise<void>;

/** The adapter's `restore`, bound; the group only runs where it exists. */
function restorer(ctx: CaseContext): Restore {
  const sessions = ctx.adapter.sessions;
  assert.ok(sessions?.restore, 'the adapter has no sessions.restore');
  return (list, c) => (sessions.restore as Restore).call(sessions, list, c);
}

/**
 * A stored session whose `data` is `value` encoded by the run's codec: saved once through the
 * storage under a scratch id and read back raw, so the cases work with any codec.
 */
async function copyOf(
  ctx: CaseContext,
  value: Record<string, string | number>,
  fields: Partial<StoredSession>,
): Promise<StoredSession> {
  const scratch = ctx.id('scratch');
  await ctx.storage.sessions.save({ id: scratch, data: value });
  const raw = await ctx.adapter.sessions?.get(scratch, { now: ctx.clock.now() });
  assert.ok(raw, 'the scratch session was not stored');
  await ctx.storage.sessions.delete(scratch);
  const now = ctx.clock.now();
  return {
    ...raw,
    id: ctx.id('copy'),
    state: 'archived',
    labels: { owner: ctx.id('owner') },
    version: 7,
    createdAt: now - 50_000,
    updatedAt: now - 20_000,
    expiresAt: now + 3_600_000,
    maxExpiresAt: now + 7_200_000,
    ...fields,
  };
}

/** Raw messages encoded by the run's codec, appended to a scratch session and read back. */
async function encodedMessages(ctx: CaseContext, values: string[]): Promise<string[]> {
  const scratch = ctx.id('scratch');
  await ctx.storage.sessions.save({ id: scratch, data: {} });
  await ctx.storage.messages.append(scratch, values);
  const raw = await ctx.adapter.messages?.range(scratch, 0, -1, { now: ctx.clock.now() });
  await ctx.storage.sessions.delete(scratch);
  return raw ?? [];
}

/** Cases for `sessions.restore` (exact copies) and `kv.getEntries`, used by migration. */
export const restoreCases: ContractCase[] = group('restore', [
  {
    name: 'a restored session reads back exactly and is found by get, list, count and labels',
    requires: ['restore'],
    async run(ctx) {
      const copy = await copyOf(ctx, { topic: 'copied' }, {});
      await restorer(ctx)([copy], { now: ctx.clock.now() });
      const got = await ctx.storage.sessions.get(copy.id);
      assert.deepEqual(got, { ...copy, data: { topic: 'copied' } });
      const filter = { labels: copy.labels, state: 'archived' };
      assert.equal(await ctx.storage.sessions.count(filter), 1);
      const page = await ctx.storage.sessions.list(filter);
      assert.deepEqual(
        page.items.map((s) => [s.id, s.version, s.createdAt, s.updatedAt]),
        [[copy.id, 7, copy.createdAt, copy.updatedAt]],
      );
      assert.equal(await ctx.storage.sessions.count({ labels: copy.labels, state: 'active' }), 0);
    },
  },
  {
    name: 'a restored session takes messages and later saves like one written normally',
    requires: ['restore', 'messages'],
    async run(ctx) {
      const copy = await copyOf(ctx, { n: 1 }, {});
      await restorer(ctx)([copy], { now: ctx.clock.now() });
      assert.equal(await ctx.storage.messages.append(copy.id, ['a', 'b']), 2);
      await rejectsWith(
        ctx.storage.sessions.save({ id: copy.id, data: { n: 2 } }, { expectedVersion: 1 }),
        'CONFLICT',
      );
      const saved = await ctx.storage.sessions.save(
        { id: copy.id, data: { n: 2 } },
        { expectedVersion: 7 },
      );
      assert.equal(saved.version, 8);
      assert.equal(saved.createdAt, copy.createdAt);
      assert.equal(saved.maxExpiresAt, copy.maxExpiresAt);
      assert.deepEqual(await ctx.storage.messages.range(copy.id), ['a', 'b']);
    },
  },
  {
    name: 'restoring over a live session replaces it and its labels but keeps its messages',
    requires: ['restore', 'messages'],
    async run(ctx) {
      const first = await copyOf(ctx, { v: 'old' }, {});
      const restore = restorer(ctx);
      await restore([first], { now: ctx.clock.now() });
      await ctx.storage.messages.append(first.id, ['kept']);
      const second = await copyOf(
        ctx,
        { v: 'new' },
        {
          id: first.id,
          version: 3,
          state: 'active',
          labels: { owner: ctx.id('other') },
        },
      );
      await restore([second], { now: ctx.clock.now() });
      const got = await ctx.storage.sessions.get(first.id);
      assert.equal(got?.version, 3);
      assert.deepEqual(got?.data, { v: 'new' });
      assert.equal(got?.updatedAt, second.updatedAt);
      assert.equal(await ctx.storage.sessions.count({ labels: first.labels }), 0);
      assert.equal(await ctx.storage.sessions.count({ labels: second.labels }), 1);
      assert.deepEqual(await ctx.storage.messages.range(first.id), ['kept']);
    },
  },
  {
    name: 'restoring over an expired leftover starts with no messages',
    requires: ['restore', 'messages'],
    async run(ctx) {
      const sid = ctx.id('old');
      await ctx.storage.sessions.save({ id: sid, data: {} }, { ttl: 1000 });
      await ctx.storage.messages.append(sid, ['stale']);
      ctx.clock.advance(5000);
      const copy = await copyOf(ctx, { fresh: 1 }, { id: sid });
      await restorer(ctx)([copy], { now: ctx.clock.now() });
      assert.deepEqual((await ctx.storage.sessions.get(sid))?.data, { fresh: 1 });
      assert.equal(await ctx.storage.messages.length(sid), 0);
    },
  },
  {
    name: 'an expired copy is invisible to get, list, count and messages',
    requires: ['restore'],
    async run(ctx) {
      const now = ctx.clock.now();
      const copy = await copyOf(ctx, { gone: 1 }, { expiresAt: now - 1, updatedAt: now - 10_000 });
      await restorer(ctx)([copy], { now });
      assert.equal(await ctx.storage.sessions.get(copy.id), null);
      assert.equal(await ctx.storage.sessions.count({ labels: copy.labels }), 0);
      assert.deepEqual((await ctx.storage.sessions.list({ labels: copy.labels })).items, []);
      assert.equal(await ctx.storage.messages.length(copy.id), 0);
    },
  },
  {
    name: 'restored messages round trip in order with their encoding',
    requires: ['restore', 'messages'],
    async run(ctx) {
      const copy = await copyOf(ctx, { m: 1 }, {});
      await restorer(ctx)([copy], { now: ctx.clock.now() });
      const raw = await encodedMessages(ctx, ['x', 'y']);
      await ctx.adapter.messages?.append(copy.id, raw, {}, { now: ctx.clock.now() });
      assert.deepEqual(await ctx.storage.messages.range(copy.id), ['x', 'y']);
    },
  },
  {
    name: 'malformed copies are a ValidationError and write nothing',
    requires: ['restore'],
    async run(ctx) {
      const restore = restorer(ctx);
      const good = await copyOf(ctx, { ok: 1 }, {});
      const now = { now: ctx.clock.now() };
      const bad: Partial<StoredSession>[] = [
        { id: '' },
        { data: '{not json' },
        { version: 0 },
        { createdAt: 1.5 },
        { expiresAt: Number.NaN },
        { labels: { n: 1 as unknown as string } },
        { state: '' },
      ];
      for (const fields of bad) {
        const broken = { ...good, id: ctx.id('bad'), ...fields } as StoredSession;
        await rejectsWith(restore([good, broken], now), 'VALIDATION', JSON.stringify(fields));
      }
      await rejectsWith(restore([good, { ...good }], now), 'VALIDATION', 'duplicate ids');
      assert.equal(await ctx.storage.sessions.get(good.id), null);
    },
  },
  {
    name: 'getEntries returns live kv entries with their expiry, in key order asked',
    requires: ['kvEntries'],
    async run(ctx) {
      const [a, b, gone, missing] = [ctx.id('a'), ctx.id('b'), ctx.id('gone'), ctx.id('none')];
      await ctx.storage.kv.set(a, { v: 1 });
      await ctx.storage.kv.set(b, 5, { ttl: 60_000 });
      await ctx.storage.kv.set(gone, 1, { ttl: 1000 });
      await ctx.storage.kv.increment(b, 2);
      ctx.clock.advance(2000);
      const kv = ctx.adapter.kv;
      const entries = (await kv?.getEntries?.([b, missing, gone, a], {
        now: ctx.clock.now(),
      })) as (KvWrite | undefined)[];
      assert.equal(entries.length, 4);
      assert.equal(entries[0]?.key, b);
      assert.equal(entries[0]?.value, '7');
      assert.equal(entries[0]?.expiresAt, ctx.clock.now() - 2000 + 60_000);
      assert.equal(entries[1], undefined);
      assert.equal(entries[2], undefined);
      assert.equal(entries[3]?.key, a);
      assert.equal(entries[3]?.expiresAt, null);
      assert.equal(entries[3]?.value, await kv?.get(a, { now: ctx.clock.now() }));
    },
  },
]);
