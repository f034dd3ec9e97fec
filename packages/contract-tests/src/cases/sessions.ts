import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Session cases: save, get and delete round trips and their defaults. */
export const sessionCases: ContractCase[] = group('sessions', [
  {
    name: 'get of an id never saved returns null',
    async run({ storage, id }) {
      assert.equal(await storage.sessions.get(id()), null);
    },
  },
  {
    name: 'save creates version 1 and get returns the same document',
    async run({ storage, id }) {
      const sid = id();
      const data = { title: 'Hi', nested: { list: [1, 'two', null, true, { x: 1.5 }] } };
      const saved = await storage.sessions.save({
        id: sid,
        data,
        state: 'open',
        labels: { userId: 'u1' },
      });
      assert.equal(saved.version, 1);
      assert.equal(saved.id, sid);
      assert.equal(saved.state, 'open');
      assert.deepEqual(saved.labels, { userId: 'u1' });
      assert.equal(saved.createdAt, saved.updatedAt);
      const got = await storage.sessions.get(sid);
      assert.ok(got);
      assert.deepEqual(got.data, data);
      assert.equal(got.version, 1);
      assert.equal(got.state, 'open');
      assert.deepEqual(got.labels, { userId: 'u1' });
      assert.equal(got.createdAt, saved.createdAt);
    },
  },
  {
    name: "a new session defaults to state 'active', no labels and no expiry",
    async run({ storage, id }) {
      const saved = await storage.sessions.save({ id: id(), data: 1 });
      assert.equal(saved.state, 'active');
      assert.deepEqual(saved.labels, {});
      assert.equal(saved.expiresAt, null);
      assert.equal(saved.maxExpiresAt, null);
    },
  },
  {
    name: 'delete removes the session and reports whether it existed',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: {} });
      assert.equal(await storage.sessions.delete(sid), true);
      assert.equal(await storage.sessions.get(sid), null);
      assert.equal(await storage.sessions.delete(sid), false);
    },
  },
  {
    name: 'appending to a deleted session is NotFound',
    requires: ['messages'],
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: {} });
      await storage.sessions.delete(sid);
      await rejectsWith(storage.messages.append(sid, [{ a: 1 }]), 'NOT_FOUND');
    },
  },
  {
    name: 'save replaces data, state and labels as a whole instead of merging them',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({
        id: sid,
        data: { a: 1, b: 2 },
        state: 'open',
        labels: { userId: 'u1', team: 't1' },
      });
      const saved = await storage.sessions.save({
        id: sid,
        data: { c: 3 },
        labels: { team: 't2' },
      });
      assert.deepEqual(saved.data, { c: 3 });
      assert.equal(saved.state, 'active');
      assert.deepEqual(saved.labels, { team: 't2' });
      const got = await storage.sessions.get(sid);
      assert.deepEqual(got?.data, { c: 3 });
      assert.deepEqual(got?.labels, { team: 't2' });
      assert.equal(got?.state, 'active');
    },
  },
  {
    name: 'a re-save keeps createdAt and moves updatedAt to the current time',
    async run({ storage, clock, id }) {
      const sid = id();
      const first = await storage.sessions.save({ id: sid, data: 1 });
      assert.equal(first.createdAt, clock.now());
      clock.advance(5000);
      const second = await storage.sessions.save({ id: sid, data: 2 });
      assert.equal(second.createdAt, first.createdAt);
      assert.equal(second.updatedAt, first.createdAt + 5000);
      const got = await storage.sessions.get(sid);
      assert.equal(got?.createdAt, first.createdAt);
      assert.equal(got?.updatedAt, first.createdAt + 5000);
    },
  },
  {
    name: 'mutating a returned session does not change what is stored',
    async run({ storage, id }) {
      const sid = id();
      const saved = await storage.sessions.save({
        id: sid,
        data: { list: [1] },
        labels: { userId: 'u1' },
      });
      (saved.data as { list: number[] }).list.push(2);
      saved.labels.userId = 'mallory';
      const got = await storage.sessions.get(sid);
      assert.ok(got);
      assert.deepEqual(got.data, { list: [1] });
      assert.deepEqual(got.labels, { userId: 'u1' });
      (got.data as { list: number[] }).list.push(3);
      (got.labels as Record<string, string>).extra = 'x';
      const again = await storage.sessions.get(sid);
      assert.deepEqual(again?.data, { list: [1] });
      assert.deepEqual(again?.labels, { userId: 'u1' });
    },
  },
  {
    name: 'save returns exactly what a following get returns',
    async run({ storage, id }) {
      const sid = id();
      const saved = await storage.sessions.save(
        { id: sid, data: { x: [true, null] }, state: 'paused', labels: { a: 'b' } },
        { ttl: '1h', maxLifetime: '2h' },
      );
      assert.deepEqual(await storage.sessions.get(sid), saved);
    },
  },
  {
    name: 'two sessions never share data',
    async run({ storage, id }) {
      const a = id('a');
      const b = id('b');
      await storage.sessions.save({ id: a, data: 'A' });
      await storage.sessions.save({ id: b, data: 'B' });
      await storage.sessions.save({ id: a, data: 'A2' });
      assert.equal((await storage.sessions.get(a))?.data, 'A2');
      assert.equal((await storage.sessions.get(b))?.data, 'B');
      await storage.sessions.delete(a);
      assert.equal((await storage.sessions.get(b))?.data, 'B');
    },
  },
  {
    name: 'an empty label value is stored and returned as an empty string',
    async run({ storage, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 0, labels: { note: '' } });
      assert.deepEqual((await storage.sessions.get(sid))?.labels, { note: '' });
    },
  },
  {
    name: 'delete removes the stored session from the backend',
    requires: ['inspector'],
    async run({ storage, inspector, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: { secret: 1 } });
      assert.equal(await inspector?.sessionExists(sid), true);
      await storage.sessions.delete(sid);
      assert.equal(await inspector?.sessionExists(sid), false);
    },
  },
]);
