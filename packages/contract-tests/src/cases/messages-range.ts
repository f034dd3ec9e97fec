import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';
import { sessionWithMessages } from './messages.js';

/** Message cases for range, trim and idempotency keys. */
export const rangeCases: ContractCase[] = group('messages', [
  {
    name: 'range 0..-1 and the default range return every message in order',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 5);
      const all = ['m0', 'm1', 'm2', 'm3', 'm4'];
      assert.deepEqual(await ctx.storage.messages.range(sid, 0, -1), all);
      assert.deepEqual(await ctx.storage.messages.range(sid), all);
    },
  },
  {
    name: 'range with negative indexes counts from the end like LRANGE',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 5);
      const r = (a: number, b: number) => ctx.storage.messages.range(sid, a, b);
      assert.deepEqual(await r(-2, -1), ['m3', 'm4']);
      assert.deepEqual(await r(-1, -1), ['m4']);
      assert.deepEqual(await r(1, -2), ['m1', 'm2', 'm3']);
      assert.deepEqual(await r(-5, 0), ['m0']);
      assert.deepEqual(await r(2, 2), ['m2']);
    },
  },
  {
    name: 'range clamps indexes past either end to the list',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 3);
      const r = (a: number, b: number) => ctx.storage.messages.range(sid, a, b);
      assert.deepEqual(await r(0, 100), ['m0', 'm1', 'm2']);
      assert.deepEqual(await r(-100, -1), ['m0', 'm1', 'm2']);
      assert.deepEqual(await r(-100, 0), ['m0']);
      assert.deepEqual(await r(1, 1_000_000), ['m1', 'm2']);
    },
  },
  {
    name: 'range entirely outside the list, or with start after end, is empty',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 3);
      const r = (a: number, b: number) => ctx.storage.messages.range(sid, a, b);
      assert.deepEqual(await r(3, 10), []);
      assert.deepEqual(await r(5, -1), []);
      assert.deepEqual(await r(-100, -50), []);
      assert.deepEqual(await r(2, 1), []);
      assert.deepEqual(await r(-1, -2), []);
      assert.deepEqual(await r(0, -4), []);
    },
  },
  {
    name: 'range with non-integer indexes is a ValidationError',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 2);
      await rejectsWith(ctx.storage.messages.range(sid, 0.5, 1), 'VALIDATION');
      await rejectsWith(ctx.storage.messages.range(sid, 0, Number.NaN), 'VALIDATION');
    },
  },
  {
    name: 'trim keeps the last messages, returns how many it removed, and indexes restart at 0',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 6);
      assert.equal(await ctx.storage.messages.trim(sid, { keepLast: 2 }), 4);
      assert.equal(await ctx.storage.messages.length(sid), 2);
      assert.deepEqual(await ctx.storage.messages.range(sid, 0, 0), ['m4']);
      assert.deepEqual(await ctx.storage.messages.range(sid, 0, -1), ['m4', 'm5']);
      assert.equal(await ctx.storage.messages.append(sid, ['m6']), 3);
      assert.deepEqual(await ctx.storage.messages.range(sid, -1, -1), ['m6']);
      assert.deepEqual(await ctx.storage.messages.range(sid, 2, 2), ['m6']);
    },
  },
  {
    name: 'trim to keepLast 0 removes every message and keeps the session',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 3);
      assert.equal(await ctx.storage.messages.trim(sid, { keepLast: 0 }), 3);
      assert.equal(await ctx.storage.messages.length(sid), 0);
      assert.ok(await ctx.storage.sessions.get(sid));
      assert.equal(await ctx.storage.messages.append(sid, ['after']), 1);
      assert.deepEqual(await ctx.storage.messages.range(sid), ['after']);
    },
  },
  {
    name: 'trim to at least the current length removes nothing',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 3);
      assert.equal(await ctx.storage.messages.trim(sid, { keepLast: 3 }), 0);
      assert.equal(await ctx.storage.messages.trim(sid, { keepLast: 50 }), 0);
      assert.equal(await ctx.storage.messages.length(sid), 3);
    },
  },
  {
    name: 'trim with a negative or fractional keepLast is a ValidationError',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 3);
      for (const keepLast of [-1, 1.5, Number.NaN]) {
        await rejectsWith(ctx.storage.messages.trim(sid, { keepLast }), 'VALIDATION');
      }
      assert.equal(await ctx.storage.messages.length(sid), 3);
    },
  },
  {
    name: 'an idempotency key never appends twice and the retry returns the current length',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 0);
      const options = { idempotencyKey: ctx.id('req') };
      assert.equal(await ctx.storage.messages.append(sid, ['a', 'b'], options), 2);
      assert.equal(await ctx.storage.messages.append(sid, ['c']), 3);
      assert.equal(await ctx.storage.messages.append(sid, ['a', 'b'], options), 3);
      assert.deepEqual(await ctx.storage.messages.range(sid), ['a', 'b', 'c']);
    },
  },
  {
    name: 'different idempotency keys append independently',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 0);
      await ctx.storage.messages.append(sid, ['a'], { idempotencyKey: 'k1' });
      await ctx.storage.messages.append(sid, ['b'], { idempotencyKey: 'k2' });
      await ctx.storage.messages.append(sid, ['a'], { idempotencyKey: 'k1' });
      assert.deepEqual(await ctx.storage.messages.range(sid), ['a', 'b']);
    },
  },
  {
    name: 'idempotency keys are scoped to one session',
    async run(ctx) {
      const first = await sessionWithMessages(ctx, 0);
      const second = await sessionWithMessages(ctx, 0);
      const options = { idempotencyKey: ctx.id('shared') };
      assert.equal(await ctx.storage.messages.append(first, ['x'], options), 1);
      assert.equal(await ctx.storage.messages.append(second, ['y'], options), 1);
      assert.deepEqual(await ctx.storage.messages.range(second), ['y']);
    },
  },
  {
    name: 'an idempotency key used before a session was deleted does not block its successor',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 0);
      await ctx.storage.messages.append(sid, ['old'], { idempotencyKey: 'req-1' });
      await ctx.storage.sessions.delete(sid);
      await ctx.storage.sessions.save({ id: sid, data: {} });
      assert.equal(await ctx.storage.messages.append(sid, ['new'], { idempotencyKey: 'req-1' }), 1);
      assert.deepEqual(await ctx.storage.messages.range(sid), ['new']);
    },
  },
  {
    name: 'an empty or control-character idempotency key is a ValidationError',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 0);
      for (const idempotencyKey of ['', 'a\nb']) {
        await rejectsWith(
          ctx.storage.messages.append(sid, ['x'], { idempotencyKey }),
          'VALIDATION',
        );
      }
      assert.equal(await ctx.storage.messages.length(sid), 0);
    },
  },
  {
    name: 'an idempotency key stays used after the messages it appended were trimmed away',
    async run(ctx) {
      const sid = await sessionWithMessages(ctx, 0);
      const options = { idempotencyKey: ctx.id('req') };
      await ctx.storage.messages.append(sid, ['a'], options);
      await ctx.storage.messages.append(sid, ['b']);
      await ctx.storage.messages.trim(sid, { keepLast: 0 });
      assert.equal(await ctx.storage.messages.append(sid, ['a'], options), 0);
      assert.equal(await ctx.storage.messages.length(sid), 0);
    },
  },
]);
