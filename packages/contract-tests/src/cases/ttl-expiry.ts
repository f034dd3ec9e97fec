import { ConflictError } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** TTL cases for what an expired session looks like to every read, and for sweeping. */
export const expiryCases: ContractCase[] = group('ttl', [
  {
    name: 'an expired session is invisible to get and getMany',
    async run({ storage, clock, id }) {
      const gone = id();
      const kept = id();
      await storage.sessions.save({ id: gone, data: 1 }, { ttl: 1000 });
      await storage.sessions.save({ id: kept, data: 2 });
      clock.advance(1000);
      assert.equal(await storage.sessions.get(gone), null);
      const many = await storage.sessions.getMany([gone, kept]);
      assert.equal(many[0], null);
      assert.equal(many[1]?.data, 2);
    },
  },
  {
    name: 'an expired session is invisible to list, count, iterate and deleteWhere',
    async run({ storage, clock, id }) {
      const labels = { suite: id('ttl') };
      const gone = id();
      const kept = id();
      await storage.sessions.save({ id: gone, data: 1, labels }, { ttl: 1000 });
      await storage.sessions.save({ id: kept, data: 2, labels });
      assert.equal(await storage.sessions.count({ labels }), 2);
      clock.advance(1000);
      const page = await storage.sessions.list({ labels });
      assert.deepEqual(
        page.items.map((s) => s.id),
        [kept],
      );
      assert.equal(await storage.sessions.count({ labels }), 1);
      const all: string[] = [];
      for await (const s of storage.sessions.iterate({ labels, limit: 1 })) all.push(s.id);
      assert.deepEqual(all, [kept]);
      assert.equal(await storage.sessions.deleteWhere({ labels }), 1);
    },
  },
  {
    name: 'an expired session has no messages: range is empty, length 0, append is NotFound',
    requires: ['messages'],
    async run({ storage, clock, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 }, { ttl: 1000 });
      await storage.messages.append(sid, ['a', 'b']);
      clock.advance(1000);
      assert.deepEqual(await storage.messages.range(sid, 0, -1), []);
      assert.equal(await storage.messages.length(sid), 0);
      await rejectsWith(storage.messages.append(sid, ['c']), 'NOT_FOUND');
      assert.equal(await storage.messages.trim(sid, { keepLast: 0 }), 0);
    },
  },
  {
    name: 'an expired session is re-created at version 1 without its old messages',
    requires: ['messages'],
    async run({ storage, clock, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'old' }, { ttl: 1000 });
      await storage.sessions.save({ id: sid, data: 'old2' });
      await storage.messages.append(sid, ['old message']);
      clock.advance(1000);
      const fresh = await storage.sessions.save({ id: sid, data: 'new' }, { expectedVersion: 0 });
      assert.equal(fresh.version, 1);
      assert.equal(fresh.createdAt, clock.now());
      assert.equal(fresh.expiresAt, null);
      assert.equal(await storage.messages.length(sid), 0);
      assert.equal(await storage.messages.append(sid, ['new message']), 1);
      assert.deepEqual(await storage.messages.range(sid), ['new message']);
    },
  },
  {
    name: 'a conditional save on an expired session is a ConflictError with version 0',
    async run({ storage, clock, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 }, { ttl: 1000 });
      clock.advance(1000);
      const error = await rejectsWith(
        storage.sessions.save({ id: sid, data: 2 }, { expectedVersion: 1 }),
        'CONFLICT',
      );
      assert.ok(error instanceof ConflictError);
      assert.equal(error.currentVersion, 0);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'deleting an expired session reports that nothing was deleted',
    async run({ storage, clock, id }) {
      const a = id();
      const b = id();
      await storage.sessions.save({ id: a, data: 1 }, { ttl: 1000 });
      await storage.sessions.save({ id: b, data: 1 }, { ttl: 1000 });
      clock.advance(1000);
      assert.equal(await storage.sessions.delete(a), false);
      assert.equal(await storage.sessions.deleteMany([b]), 0);
    },
  },
  {
    name: 'sweep physically removes expired sessions, their messages and expired kv entries',
    requires: ['inspector', 'sweep', 'messages', 'kv'],
    async run({ storage, clock, inspector, id }) {
      assert.ok(inspector);
      const sid = id();
      const kept = id();
      const key = id('k');
      await storage.sessions.save({ id: sid, data: 1 }, { ttl: 1000 });
      await storage.messages.append(sid, ['m1', 'm2']);
      await storage.sessions.save({ id: kept, data: 2 });
      await storage.kv.set(key, 'v', { ttl: 1000 });
      clock.advance(1000);
      // Other cases may have left expired data too; sweep until nothing is left to sweep.
      for (let round = 0; round < 1000 && (await storage.sweep({ limit: 1000 })) > 0; round++);
      assert.equal(await inspector.sessionExists(sid), false);
      assert.equal(await inspector.messageCount(sid), 0);
      assert.equal(await inspector.kvExists(key), false);
      assert.equal(await inspector.sessionExists(kept), true);
    },
  },
]);
