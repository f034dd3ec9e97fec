import { compareIds } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group } from './assert.js';
import { seed } from './list.js';

/**
 * Suffixes whose code-point order differs from locale collations and from JavaScript's default
 * code-unit sort: case, accents, digits, spaces and punctuation sort apart from letters, and
 * an emoji (astral) sorts after U+FF5E and U+E000, as its UTF-8 bytes do.
 */
const AWKWARD = [
  'z',
  'Z',
  '\u00e9',
  '\u{1f600}',
  '~',
  '0',
  ' ',
  'a b',
  '_',
  'B',
  '\uff5e',
  '\ue000',
];

/** Listing cases for ordering: code-point order of ids and keys, hostile ids in cursors, updatedAt bounds. */
export const orderingCases: ContractCase[] = group('list', [
  {
    name: 'ids are ordered by code points (UTF-8 bytes), not by locale, and page the same way',
    async run({ storage, id }) {
      const labels = { suite: id('order') };
      const ids = AWKWARD.map((s) => `k-${s}`);
      for (const sid of ids)
        await storage.sessions.save({ id: `${labels.suite}${sid}`, data: 1, labels });
      const expected = ids.map((sid) => `${labels.suite}${sid}`).sort(compareIds);
      const seen: string[] = [];
      for await (const s of storage.sessions.iterate({ labels, limit: 2 })) seen.push(s.id);
      assert.deepEqual(seen, expected);
    },
  },
  {
    name: 'sessions with hostile ids page through cursors without skipping or repeating',
    async run({ storage, id }) {
      const labels = { suite: id('hostile') };
      const ids = ["'", '"', '%', '_', '\\', '*', ']', '😀', 'a,b', '[1,2]'].map(
        (s) => `${s}${labels.suite}`,
      );
      for (const sid of ids) await storage.sessions.save({ id: sid, data: 1, labels });
      const seen: string[] = [];
      for await (const s of storage.sessions.iterate({ labels, limit: 3 })) seen.push(s.id);
      assert.deepEqual(seen, [...ids].sort(compareIds));
    },
  },
  {
    name: 'appending a message makes a session match updatedAfter from that moment',
    requires: ['messages'],
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 3);
      ctx.clock.advance(100);
      const mark = ctx.clock.now();
      ctx.clock.advance(1);
      await ctx.storage.messages.append(ids[1] as string, ['bump']);
      const found = await ctx.storage.sessions.list({ labels, updatedAfter: mark });
      assert.deepEqual(
        found.items.map((s) => s.id),
        [ids[1]],
      );
      assert.equal(await ctx.storage.sessions.count({ labels, updatedBefore: mark }), 2);
    },
  },
  {
    name: 'deleteWhere with updatedBefore removes only sessions idle since then',
    async run(ctx) {
      const { ids, labels } = await seed(ctx, 4);
      const cutoff = ctx.clock.now();
      await ctx.storage.sessions.save({ id: ids[0] as string, data: 'fresh', labels });
      assert.equal(await ctx.storage.sessions.deleteWhere({ labels, updatedBefore: cutoff }), 3);
      const left = await ctx.storage.sessions.list({ labels });
      assert.deepEqual(
        left.items.map((s) => s.id),
        [ids[0]],
      );
    },
  },
  {
    name: 'kv keys are ordered by code points (UTF-8 bytes), not by locale, and page the same way',
    requires: ['kv'],
    async run({ storage, id }) {
      const prefix = id('kvorder');
      const keys = AWKWARD.map((s) => `${prefix}:${s}`);
      for (const key of keys) await storage.kv.set(key, 1);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await storage.kv.keys(
          cursor === undefined ? { prefix, limit: 2 } : { prefix, limit: 2, cursor },
        );
        seen.push(...page.items);
        cursor = page.cursor ?? undefined;
      } while (cursor !== undefined && seen.length <= keys.length);
      assert.deepEqual(seen, [...keys].sort(compareIds));
    },
  },
]);
