import type { JsonValue } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group } from './assert.js';

/** Session cases for unusual documents and ids that look like key syntax. */
export const sessionDataCases: ContractCase[] = group('sessions', [
  {
    name: 'falsy top-level data (null, false, 0, empty string) is a stored session, not a missing one',
    async run({ storage, id }) {
      const values: JsonValue[] = [null, false, 0, '', [], {}];
      for (const data of values) {
        const sid = id();
        await storage.sessions.save({ id: sid, data });
        const got = await storage.sessions.get(sid);
        assert.ok(got, `a session holding ${JSON.stringify(data)} read back as missing`);
        assert.deepEqual(got.data, data);
        assert.equal((await storage.sessions.getMany([sid]))[0]?.version, 1);
        assert.equal(await storage.sessions.touch(sid, '1m'), true);
      }
    },
  },
  {
    name: 'ids that embed separators or key-building syntax never reach another session',
    requires: ['messages'],
    async run({ storage, id }) {
      const base = id('sep');
      const ids = [
        base,
        `${base}:messages`,
        `${base}:m`,
        `${base}:meta`,
        `${base}/messages`,
        `{${base}}`,
        `${base}}`,
        `${base}\\`,
        `${base}.json`,
        `${base}.jsonl`,
        `${base}%2F`,
      ];
      for (const sid of ids) {
        await storage.sessions.save({ id: sid, data: sid });
        await storage.messages.append(sid, [sid]);
      }
      for (const sid of ids) {
        assert.equal((await storage.sessions.get(sid))?.data, sid);
        assert.deepEqual(await storage.messages.range(sid), [sid], `messages of ${sid}`);
      }
      await storage.sessions.delete(base);
      for (const sid of ids.slice(1)) {
        assert.equal((await storage.sessions.get(sid))?.data, sid, `${sid} went with ${base}`);
        assert.equal(await storage.messages.length(sid), 1);
      }
      await storage.sessions.deleteMany(ids);
    },
  },
  {
    name: 'updatedAt moves with each save while createdAt and the listing position stay',
    async run({ storage, clock, id }) {
      const labels = { suite: id('order') };
      const first = id('first');
      const second = id('second');
      await storage.sessions.save({ id: first, data: 1, labels });
      clock.advance(10);
      await storage.sessions.save({ id: second, data: 1, labels });
      clock.advance(10);
      const resaved = await storage.sessions.save({ id: first, data: 2, labels });
      assert.equal(resaved.updatedAt, clock.now());
      assert.equal(resaved.createdAt, clock.now() - 20);
      const page = await storage.sessions.list({ labels });
      assert.deepEqual(
        page.items.map((s) => s.id),
        [first, second],
      );
      const recent = await storage.sessions.list({ labels, updatedAfter: clock.now() - 1 });
      assert.deepEqual(
        recent.items.map((s) => s.id),
        [first],
      );
    },
  },
]);
