import type { Storage } from '@stowage/core';
import { compareIds } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Every key under `prefix`, following cursors page by page. */
async function allKeys(storage: Storage, prefix: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.kv.keys(
      cursor === undefined ? { prefix, limit } : { prefix, limit, cursor },
    );
    pages.push(page.items);
    cursor = page.cursor ?? undefined;
    assert.ok(pages.length <= 1000, 'key listing never ended');
  } while (cursor !== undefined);
  return pages;
}

/** Key-value cases for `keys`: literal prefixes, code-unit order and cursor paging. */
export const kvKeyCases: ContractCase[] = group('kv', [
  {
    name: 'keys returns only keys starting with the prefix, in code-unit order',
    async run({ storage, id }) {
      const prefix = id('p');
      const keys = ['b', 'a', 'B', '~', 'a:1', 'é'].map((s) => `${prefix}/${s}`);
      for (const key of keys) await storage.kv.set(key, 1);
      await storage.kv.set(`${prefix}`, 'exact prefix');
      await storage.kv.set(`x${prefix}/a`, 'not a prefix match');
      const page = await storage.kv.keys({ prefix: `${prefix}/` });
      assert.deepEqual(page.items, [...keys].sort(compareIds));
      assert.equal(page.cursor, null);
      const withExact = await storage.kv.keys({ prefix });
      assert.deepEqual(withExact.items, [prefix, ...[...keys].sort(compareIds)]);
    },
  },
  {
    name: 'key pages follow the cursor and cover every key exactly once',
    async run({ storage, id }) {
      const prefix = id('p');
      const keys = Array.from({ length: 11 }, (_, i) => `${prefix}:${String(i).padStart(2, '0')}`);
      for (const key of keys) await storage.kv.set(key, 0);
      const pages = await allKeys(storage, prefix, 4);
      assert.deepEqual(
        pages.map((p) => p.length),
        [4, 4, 3],
      );
      assert.deepEqual(pages.flat(), keys);
    },
  },
  {
    name: 'a key listing that fills its last page exactly ends with a null cursor',
    async run({ storage, id }) {
      const prefix = id('p');
      const keys = [`${prefix}a`, `${prefix}b`, `${prefix}c`, `${prefix}d`];
      for (const key of keys) await storage.kv.set(key, 0);
      assert.deepEqual(await allKeys(storage, prefix, 2), [keys.slice(0, 2), keys.slice(2)]);
    },
  },
  {
    name: 'glob and pattern characters in a prefix match only literally',
    async run({ storage, id }) {
      const base = id('g');
      const literal = ['*', '?', '[', '%', '_', '\\', '.'];
      const decoys = ['abc', 'x', 'zz', ']', 'a*'];
      for (const s of [...literal, ...decoys]) await storage.kv.set(`${base}:${s}`, s);
      for (const ch of literal) {
        const { items } = await storage.kv.keys({ prefix: `${base}:${ch}` });
        assert.deepEqual(items, [`${base}:${ch}`], `prefix with ${JSON.stringify(ch)}`);
      }
      const star = await storage.kv.keys({ prefix: `${base.slice(0, -1)}*` });
      assert.deepEqual(star.items, [], 'a * in the prefix matched other keys');
      const range = await storage.kv.keys({ prefix: `${base}:[a-z]` });
      assert.deepEqual(range.items, []);
    },
  },
  {
    name: 'keys leaves out deleted entries',
    async run({ storage, id }) {
      const prefix = id('p');
      await storage.kv.set(`${prefix}1`, 1);
      await storage.kv.set(`${prefix}2`, 2);
      await storage.kv.delete(`${prefix}1`);
      assert.deepEqual((await storage.kv.keys({ prefix })).items, [`${prefix}2`]);
    },
  },
  {
    name: 'keys limit must be an integer from 1 to 1000',
    async run({ storage, id }) {
      const prefix = id('p');
      for (const limit of [0, 1001, 1.5, -1]) {
        await rejectsWith(storage.kv.keys({ prefix, limit }), 'VALIDATION', `limit ${limit}`);
      }
      assert.deepEqual((await storage.kv.keys({ prefix, limit: 1000 })).items, []);
    },
  },
  {
    name: 'a key cursor that was not returned by keys is a ValidationError',
    async run({ storage, id }) {
      const prefix = id('p');
      const foreign = Buffer.from('other-prefix', 'utf8').toString('base64url');
      for (const cursor of ['', '***', 'a b', foreign]) {
        await rejectsWith(storage.kv.keys({ prefix, cursor }), 'VALIDATION', cursor);
      }
    },
  },
]);
