import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

interface Counter {
  n: number;
}

/** Version cases for update(): read-modify-write with retries on conflict. */
export const updateCases: ContractCase[] = group('versions', [
  {
    name: 'update applies the change to the current document and bumps the version by one',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: { n: 1 } });
      const updated = await storage.sessions.update<Counter>(sid, (cur) => ({
        data: { n: (cur?.data.n ?? 0) + 1 },
      }));
      assert.equal(updated?.version, 2);
      assert.deepEqual(updated?.data, { n: 2 });
      assert.deepEqual((await storage.sessions.get(sid))?.data, { n: 2 });
    },
  },
  {
    name: 'update keeps state and labels when the change leaves them out',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1, state: 'open', labels: { userId: 'u' } });
      const updated = await storage.sessions.update(sid, () => ({ data: 2 }));
      assert.equal(updated?.state, 'open');
      assert.deepEqual(updated?.labels, { userId: 'u' });
      const stateOnly = await storage.sessions.update(sid, () => ({ state: 'closed' }));
      assert.equal(stateOnly?.data, 2);
      assert.equal(stateOnly?.state, 'closed');
      assert.equal(stateOnly?.version, 3);
    },
  },
  {
    name: 'update whose change returns undefined writes nothing',
    async run({ storage, clock, id }) {
      const sid = id();
      const saved = await storage.sessions.save({ id: sid, data: 'keep' });
      clock.advance(1000);
      const result = await storage.sessions.update(sid, () => undefined);
      assert.deepEqual(result, saved);
      const got = await storage.sessions.get(sid);
      assert.equal(got?.version, 1);
      assert.equal(got?.updatedAt, saved.updatedAt);
    },
  },
  {
    name: 'update of a missing session receives null and creates version 1 from the returned data',
    async run({ storage, id }) {
      const sid = id();
      const seen: unknown[] = [];
      const created = await storage.sessions.update(sid, (cur) => {
        seen.push(cur);
        return { data: { fresh: true }, labels: { userId: 'u9' } };
      });
      assert.deepEqual(seen, [null]);
      assert.equal(created?.version, 1);
      assert.deepEqual((await storage.sessions.get(sid))?.labels, { userId: 'u9' });
    },
  },
  {
    name: 'update of a missing session that returns no data is a ValidationError and writes nothing',
    async run({ storage, id }) {
      const sid = id();
      await rejectsWith(
        storage.sessions.update(sid, () => ({ state: 'open' })),
        'VALIDATION',
      );
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'update retries after a concurrent write and loses neither change',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: { n: 0, other: false } });
      let calls = 0;
      const result = await storage.sessions.update<{ n: number; other: boolean }>(
        sid,
        async (cur) => {
          calls++;
          if (calls === 1) {
            // A competing writer slips in between the read and the conditional save.
            await storage.sessions.save({ id: sid, data: { n: 0, other: true } });
          }
          return { data: { n: (cur?.data.n ?? 0) + 1, other: cur?.data.other ?? false } };
        },
      );
      assert.equal(calls, 2);
      assert.deepEqual(result?.data, { n: 1, other: true });
      assert.equal(result?.version, 3);
    },
  },
  {
    name: 'update with retries 0 surfaces the ConflictError of a concurrent write',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'base' });
      await rejectsWith(
        storage.sessions.update(
          sid,
          async () => {
            await storage.sessions.save({ id: sid, data: 'competitor' });
            return { data: 'mine' };
          },
          { retries: 0 },
        ),
        'CONFLICT',
      );
      assert.equal((await storage.sessions.get(sid))?.data, 'competitor');
    },
  },
  {
    name: 'update never resurrects a session deleted while the change was running',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'base' });
      let calls = 0;
      const result = await storage.sessions.update(sid, async (cur) => {
        calls++;
        if (calls === 1) await storage.sessions.delete(sid);
        // Seeing the deletion, the second attempt declines to write.
        return cur === null ? undefined : { data: 'edited' };
      });
      assert.equal(calls, 2);
      assert.equal(result, null);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
]);
