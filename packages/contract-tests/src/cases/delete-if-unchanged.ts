import type { SessionFingerprint } from '@stowage/core';
import type { CaseContext } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

type DeleteIfUnchanged = (
  id: string,
  expected: SessionFingerprint,
  ctx: { now: number },
) => Promise<boolean>;

/** The adapter's `deleteIfUnchanged`, bound and called at the run's clock. */
function remover(ctx: CaseContext): (id: string, expected: SessionFingerprint) => Promise<boolean> {
  const sessions = ctx.adapter.sessions;
  assert.ok(sessions?.deleteIfUnchanged, 'the adapter has no sessions.deleteIfUnchanged');
  const call = sessions.deleteIfUnchanged as DeleteIfUnchanged;
  return (id, expected) => call.call(sessions, id, expected, { now: ctx.clock.now() });
}

/** What a caller reads before a conditional delete: the session's stamps and log length. */
async function fingerprint(ctx: CaseContext, id: string): Promise<SessionFingerprint> {
  const at = { now: ctx.clock.now() };
  const stored = await ctx.adapter.sessions?.get(id, at);
  assert.ok(stored, `session ${id} should exist`);
  return {
    version: stored.version,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    expiresAt: stored.expiresAt,
    messageCount: (await ctx.adapter.messages?.length(id, at)) ?? 0,
  };
}

/** A session with two messages (when the adapter has messages), read back as a fingerprint. */
async function seeded(ctx: CaseContext, ttl?: number): Promise<[string, SessionFingerprint]> {
  const id = ctx.id('cad');
  await ctx.storage.sessions.save({ id, data: { n: 1 } }, ttl === undefined ? {} : { ttl });
  if (ctx.adapter.messages) await ctx.storage.messages.append(id, ['m1', 'm2']);
  return [id, await fingerprint(ctx, id)];
}

/**
 * Cases for `sessions.deleteIfUnchanged`, the compare-and-delete that `archive` moves sessions
 * with: it deletes only a session no write has touched since the caller read it. Every case
 * writes within the same millisecond as the read (the clock stands still), so a refusal can
 * never come from a timestamp alone when the count or version moved.
 */
export const deleteIfUnchangedCases = group('deleteIfUnchanged', [
  {
    name: 'an unchanged session is deleted with its messages, and only once',
    requires: ['deleteIfUnchanged'],
    async run(ctx) {
      const [id, seen] = await seeded(ctx);
      assert.equal(await remover(ctx)(id, seen), true);
      assert.equal(await ctx.storage.sessions.get(id), null);
      if (ctx.adapter.messages) assert.equal(await ctx.storage.messages.length(id), 0);
      assert.equal(await remover(ctx)(id, seen), false);
      if (ctx.inspector) {
        assert.equal(await ctx.inspector.sessionExists(id), false);
        assert.equal(await ctx.inspector.messageCount(id), 0);
      }
    },
  },
  {
    name: 'a save after the read makes it refuse and keeps the saved session',
    requires: ['deleteIfUnchanged'],
    async run(ctx) {
      const [id, seen] = await seeded(ctx);
      await ctx.storage.sessions.save({ id, data: { n: 2 } });
      assert.equal(await remover(ctx)(id, seen), false);
      assert.deepEqual((await ctx.storage.sessions.get(id))?.data, { n: 2 });
    },
  },
  {
    name: 'an append after the read makes it refuse, in the same millisecond, and keeps every message',
    requires: ['deleteIfUnchanged', 'messages'],
    async run(ctx) {
      const [id, seen] = await seeded(ctx);
      await ctx.storage.messages.append(id, ['m3']);
      const session = await ctx.storage.sessions.get(id);
      assert.equal(session?.version, seen.version, 'an append does not move the version');
      assert.equal(await remover(ctx)(id, seen), false);
      assert.deepEqual(await ctx.storage.messages.range(id), ['m1', 'm2', 'm3']);
    },
  },
  {
    name: 'a touch after the read makes it refuse and keeps the new expiry',
    requires: ['deleteIfUnchanged'],
    async run(ctx) {
      const [id, seen] = await seeded(ctx, 60_000);
      await ctx.storage.sessions.touch(id, 120_000);
      assert.equal(await remover(ctx)(id, seen), false);
      assert.equal((await ctx.storage.sessions.get(id))?.expiresAt, ctx.clock.now() + 120_000);
    },
  },
  {
    name: 'a trim after the read makes it refuse and keeps the trimmed log',
    requires: ['deleteIfUnchanged', 'messages'],
    async run(ctx) {
      const [id, seen] = await seeded(ctx);
      await ctx.storage.messages.trim(id, { keepLast: 1 });
      assert.equal(await remover(ctx)(id, seen), false);
      assert.deepEqual(await ctx.storage.messages.range(id), ['m2']);
    },
  },
  {
    name: 'a delete and re-create after the read makes it refuse and keeps the new session',
    requires: ['deleteIfUnchanged'],
    async run(ctx) {
      const [id] = await seeded(ctx);
      await ctx.storage.sessions.save({ id, data: { n: 2 } });
      const seen = await fingerprint(ctx, id);
      await ctx.storage.sessions.delete(id);
      await ctx.storage.sessions.save({ id, data: { fresh: true } });
      assert.equal(await remover(ctx)(id, seen), false);
      assert.deepEqual((await ctx.storage.sessions.get(id))?.data, { fresh: true });
    },
  },
  {
    name: 'a fingerprint off in any one field refuses and deletes nothing',
    requires: ['deleteIfUnchanged'],
    async run(ctx) {
      const [id, seen] = await seeded(ctx, 60_000);
      const expiresAt = seen.expiresAt as number;
      const wrong: SessionFingerprint[] = [
        { ...seen, version: seen.version + 1 },
        { ...seen, createdAt: seen.createdAt - 1 },
        { ...seen, updatedAt: seen.updatedAt + 1 },
        { ...seen, expiresAt: expiresAt + 1 },
        { ...seen, expiresAt: null },
        { ...seen, messageCount: seen.messageCount + 1 },
      ];
      for (const expected of wrong) {
        assert.equal(await remover(ctx)(id, expected), false, JSON.stringify(expected));
      }
      assert.ok(await ctx.storage.sessions.get(id));
      assert.equal(await remover(ctx)(id, seen), true);
    },
  },
  {
    name: 'a missing or expired session is false, not an error',
    requires: ['deleteIfUnchanged'],
    async run(ctx) {
      const [id, seen] = await seeded(ctx, 1000);
      assert.equal(await remover(ctx)(ctx.id('missing'), seen), false);
      ctx.clock.advance(1000);
      assert.equal(await remover(ctx)(id, seen), false);
      assert.equal(await ctx.storage.sessions.get(id), null);
    },
  },
  {
    name: 'appends racing it: either it deleted and no append landed before it, or every append is kept',
    requires: ['deleteIfUnchanged', 'messages'],
    async run(ctx) {
      for (let round = 0; round < 5; round++) {
        const [id, seen] = await seeded(ctx);
        const appends = Array.from({ length: 8 }, (_, i) =>
          ctx.storage.messages.append(id, [`r${i}`]).then(
            () => true,
            (error: unknown) => error,
          ),
        );
        // Start the delete in the middle of the appends.
        const removal = remover(ctx)(id, seen);
        const more = Array.from({ length: 8 }, (_, i) =>
          ctx.storage.messages.append(id, [`s${i}`]).then(
            () => true,
            (error: unknown) => error,
          ),
        );
        const outcomes = await Promise.all([...appends, ...more]);
        const deleted = await removal;
        const landed = outcomes.filter((o) => o === true).length;
        for (const o of outcomes) {
          if (o !== true) await rejectsWith(Promise.reject(o), 'NOT_FOUND', 'a failed append');
        }
        if (deleted) {
          assert.equal(landed, 0, 'an append landed before the delete, yet it deleted');
          assert.equal(await ctx.storage.sessions.get(id), null);
        } else {
          assert.equal(landed, 16, 'appends failed though the session was kept');
          assert.equal(await ctx.storage.messages.length(id), 2 + landed);
        }
      }
    },
  },
]);
