import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

const MINUTE = 60_000;

/** TTL cases for touch and its interaction with maxLifetime and sessionTtl. */
export const touchCases: ContractCase[] = group('ttl', [
  {
    name: 'touch extends the expiry without changing data, version or updatedAt',
    async run({ storage, clock, id }) {
      const sid = id();
      const saved = await storage.sessions.save(
        { id: sid, data: { keep: 'me' }, state: 'open', labels: { u: '1' } },
        { ttl: '1m' },
      );
      clock.advance(50_000);
      assert.equal(await storage.sessions.touch(sid, '10m'), true);
      const got = await storage.sessions.get(sid);
      assert.ok(got);
      assert.equal(got.expiresAt, clock.now() + 10 * MINUTE);
      assert.deepEqual(got.data, { keep: 'me' });
      assert.equal(got.version, saved.version);
      assert.equal(got.updatedAt, saved.updatedAt);
      assert.equal(got.state, 'open');
      assert.deepEqual(got.labels, { u: '1' });
      clock.advance(5 * MINUTE);
      assert.ok(await storage.sessions.get(sid), 'touched session expired at its old time');
    },
  },
  {
    name: 'touch can shorten an expiry and can set one on a session that had none',
    async run({ storage, clock, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 });
      assert.equal(await storage.sessions.touch(sid, 2000), true);
      assert.equal((await storage.sessions.get(sid))?.expiresAt, clock.now() + 2000);
      clock.advance(2000);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'touch with ttl null removes the expiry',
    async run({ storage, clock, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 }, { ttl: '1m' });
      assert.equal(await storage.sessions.touch(sid, null), true);
      clock.advance(10 * MINUTE);
      assert.equal((await storage.sessions.get(sid))?.expiresAt, null);
    },
  },
  {
    name: 'touch of a missing session returns false and creates nothing',
    async run({ storage, id }) {
      const sid = id();
      assert.equal(await storage.sessions.touch(sid, '1m'), false);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'touch of an expired session returns false and does not revive it',
    async run({ storage, clock, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 }, { ttl: 1000 });
      clock.advance(1000);
      assert.equal(await storage.sessions.touch(sid, '1h'), false);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'touch never extends the expiry past maxLifetime',
    async run({ storage, clock, id }) {
      const sid = id();
      const saved = await storage.sessions.save(
        { id: sid, data: 1 },
        { ttl: '1m', maxLifetime: '3m' },
      );
      clock.advance(30_000);
      assert.equal(await storage.sessions.touch(sid, '1h'), true);
      assert.equal((await storage.sessions.get(sid))?.expiresAt, saved.maxExpiresAt);
      assert.equal(await storage.sessions.touch(sid, null), true);
      assert.equal((await storage.sessions.get(sid))?.expiresAt, saved.maxExpiresAt);
      clock.advance(150_000);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'touch with an invalid ttl is a ValidationError and leaves the expiry alone',
    async run({ storage, id }) {
      const sid = id();
      const saved = await storage.sessions.save({ id: sid, data: 1 }, { ttl: '1m' });
      for (const ttl of [0, -5, Number.NaN, 'soon']) {
        await rejectsWith(storage.sessions.touch(sid, ttl), 'VALIDATION', `ttl ${String(ttl)}`);
      }
      assert.equal((await storage.sessions.get(sid))?.expiresAt, saved.expiresAt);
    },
  },
  {
    name: 'touch without a ttl uses sessionTtl, and is a ValidationError on a storage without one',
    async run({ storage, clock, id, openStorage }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 }, { ttl: '1m' });
      await rejectsWith(storage.sessions.touch(sid), 'VALIDATION');
      const sliding = await openStorage({ sessionTtl: '20m' });
      assert.equal(await sliding.sessions.touch(sid), true);
      assert.equal((await storage.sessions.get(sid))?.expiresAt, clock.now() + 20 * MINUTE);
    },
  },
]);
