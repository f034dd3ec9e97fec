import type { CaseContext, ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Creates a session holding `count` messages `m0`, `m1`, ... and returns its id. */
export async function sessionWithMessages(ctx: CaseContext, count: number): Promise<string> {
  const sid = ctx.id('conv');
  await ctx.storage.sessions.save({ id: sid, data: {} });
  if (count > 0) {
    await ctx.storage.messages.append(
      sid,
      Array.from({ length: count }, (_, i) => `m${i}`),
    );
  }
  return sid;
}

/** Message cases: append, lifetime tied to the session, JSON round trips, long histories. */
export const messageCases: ContractCase[] = group('messages', [
  {
    name: 'append returns the new number of messages',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 0);
      assert.equal(await ctx.storage.messages.append(sid, ['a']), 1);
      assert.equal(await ctx.storage.messages.append(sid, ['b', 'c']), 3);
      assert.equal(await ctx.storage.messages.length(sid), 3);
      assert.deepEqual(await ctx.storage.messages.range(sid, 0, -1), ['a', 'b', 'c']);
    },
  },
  {
    name: 'append to a session that never existed is NotFound and creates nothing',
    async run({ storage, id }) {
      const sid = id();
      await rejectsWith(storage.messages.append(sid, ['x']), 'NOT_FOUND');
      assert.equal(await storage.sessions.get(sid), null);
      assert.equal(await storage.messages.length(sid), 0);
    },
  },
  {
    name: 'append bumps the session updatedAt but not its version or data',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 0);
      const before = await ctx.storage.sessions.get(sid);
      ctx.clock.advance(2500);
      await ctx.storage.messages.append(sid, ['hello']);
      const after = await ctx.storage.sessions.get(sid);
      assert.equal(after?.version, before?.version);
      assert.equal(after?.updatedAt, ctx.clock.now());
      assert.equal(after?.createdAt, before?.createdAt);
      assert.deepEqual(after?.data, before?.data);
    },
  },
  {
    name: 'saving the session again keeps its messages',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 3);
      await ctx.storage.sessions.save({ id: sid, data: { changed: true } });
      await ctx.storage.sessions.update(sid, () => ({ state: 'closed' }));
      assert.deepEqual(await ctx.storage.messages.range(sid), ['m0', 'm1', 'm2']);
    },
  },
  {
    name: 'deleting the session removes its messages, also for a re-created session',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 4);
      await ctx.storage.sessions.delete(sid);
      assert.equal(await ctx.storage.messages.length(sid), 0);
      assert.deepEqual(await ctx.storage.messages.range(sid), []);
      await ctx.storage.sessions.save({ id: sid, data: 'again' });
      assert.equal(await ctx.storage.messages.length(sid), 0);
      assert.equal(await ctx.storage.messages.append(sid, ['fresh']), 1);
    },
  },
  {
    name: 'deleting the session physically removes its message records',
    requires: ['inspector'],
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 3);
      assert.equal(await ctx.inspector?.messageCount(sid), 3);
      await ctx.storage.sessions.delete(sid);
      assert.equal(await ctx.inspector?.messageCount(sid), 0);
      const other = await sessionWithMessages(ctx, 2);
      await ctx.storage.sessions.deleteMany([other]);
      assert.equal(await ctx.inspector?.messageCount(other), 0);
    },
  },
  {
    name: 'range and length of a missing session are empty and 0',
    async run({ storage, id }) {
      const sid = id();
      assert.deepEqual(await storage.messages.range(sid, 0, -1), []);
      assert.equal(await storage.messages.length(sid), 0);
      assert.equal(await storage.messages.trim(sid, { keepLast: 0 }), 0);
    },
  },
  {
    name: 'append of an empty array is a ValidationError',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 1);
      await rejectsWith(ctx.storage.messages.append(sid, []), 'VALIDATION');
      assert.equal(await ctx.storage.messages.length(sid), 1);
    },
  },
  {
    name: 'append with one non-JSON message is a ValidationError and appends none of them',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 1);
      await rejectsWith(
        ctx.storage.messages.append(sid, ['ok', () => 'no'] as unknown[]),
        'VALIDATION',
      );
      await rejectsWith(ctx.storage.messages.append(sid, ['ok', 'bad\u0000']), 'VALIDATION');
      assert.deepEqual(await ctx.storage.messages.range(sid), ['m0']);
    },
  },
  {
    name: 'messages round-trip every JSON shape exactly',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 0);
      const messages = [
        { role: 'user', content: 'Hi 👋', meta: { tokens: 3, tags: ['a', 'b'], extra: null } },
        null,
        0,
        false,
        '',
        [1, [2, [3]]],
        { '': 'empty key', 'a.b': 1, 'x:y': -1.25e-10 },
        'line1\nline2\t"quoted" \\ back',
      ];
      await ctx.storage.messages.append(sid, messages);
      assert.deepEqual(await ctx.storage.messages.range(sid), messages);
    },
  },
  {
    name: '1000 single appends are stored in order with lengths 1 to 1000',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 0);
      for (let i = 0; i < 1000; i++) {
        const length = await ctx.storage.messages.append(sid, [{ i }]);
        if (length !== i + 1) assert.fail(`append ${i} returned length ${length}`);
      }
      const all = await ctx.storage.messages.range<{ i: number }>(sid, 0, -1);
      assert.equal(all.length, 1000);
      assert.ok(
        all.every((m, i) => m.i === i),
        'messages are out of order',
      );
    },
  },
]);
