import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

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
]);
