import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

const MINUTE = 60_000;

/** TTL cases for session saves: formats, the exact expiry instant, invalid TTLs, sessionTtl, maxLifetime. */
export const ttlCases: ContractCase[] = group('ttl', [
  {
    name: 'a ttl in milliseconds sets expiresAt to now plus the ttl',
    async run({ storage, clock, id }) {
      const sid = id();
      const saved = await storage.sessions.save({ id: sid, data: 1 }, { ttl: 1500 });
      assert.equal(saved.expiresAt, clock.now() + 1500);
      assert.equal((await storage.sessions.get(sid))?.expiresAt, clock.now() + 1500);
    },
  },
  {
    name: "a ttl string such as '30m' sets expiresAt thirty minutes ahead",
    async run({ storage, clock, id }) {
      const saved = await storage.sessions.save({ id: id(), data: 1 }, { ttl: '30m' });
      assert.equal(saved.expiresAt, clock.now() + 30 * MINUTE);
      const hours = await storage.sessions.save({ id: id(), data: 1 }, { ttl: '2h' });
      assert.equal(hours.expiresAt, clock.now() + 120 * MINUTE);
    },
  },
  {
    name: 'a session is visible 1 ms before expiresAt and gone at expiresAt',
    async run({ storage, clock, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 'x' }, { ttl: 10_000 });
      clock.advance(9_999);
      assert.equal((await storage.sessions.get(sid))?.data, 'x');
      clock.advance(1);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'a ttl longer than 2^31 ms is kept exactly and the session lives that long',
    async run({ storage, clock, id }) {
      const sid = id();
      const ttl = 2 ** 31 + 5_000;
      const saved = await storage.sessions.save({ id: sid, data: 'long' }, { ttl });
      assert.equal(saved.expiresAt, clock.now() + ttl);
      clock.advance(2 ** 31);
      assert.equal((await storage.sessions.get(sid))?.data, 'long');
      clock.advance(5_000);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'zero, negative, NaN and infinite ttls are a ValidationError and write nothing',
    async run({ storage, id }) {
      for (const ttl of [0, -1, -60_000, Number.NaN, Number.POSITIVE_INFINITY]) {
        const sid = id();
        await rejectsWith(
          storage.sessions.save({ id: sid, data: 1 }, { ttl }),
          'VALIDATION',
          `ttl ${ttl}`,
        );
        assert.equal(await storage.sessions.get(sid), null, `ttl ${ttl} wrote a session`);
      }
    },
  },
  {
    name: "malformed ttl strings such as '', 'abc' and '10 parsecs' are a ValidationError and write nothing",
    async run({ storage, id }) {
      for (const ttl of ['', 'abc', '10 parsecs', '-5m', '0s', 'm']) {
        const sid = id();
        await rejectsWith(
          storage.sessions.save({ id: sid, data: 1 }, { ttl }),
          'VALIDATION',
          `ttl ${JSON.stringify(ttl)}`,
        );
        assert.equal(await storage.sessions.get(sid), null);
      }
    },
  },
  {
    name: 'a re-save without ttl keeps the existing expiry',
    async run({ storage, clock, id }) {
      const sid = id();
      const first = await storage.sessions.save({ id: sid, data: 1 }, { ttl: '10m' });
      clock.advance(MINUTE);
      const second = await storage.sessions.save({ id: sid, data: 2 });
      assert.equal(second.expiresAt, first.expiresAt);
      clock.advance(9 * MINUTE);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'a re-save with ttl null removes the expiry',
    async run({ storage, clock, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 }, { ttl: '1m' });
      const saved = await storage.sessions.save({ id: sid, data: 2 }, { ttl: null });
      assert.equal(saved.expiresAt, null);
      clock.advance(10 * MINUTE);
      assert.equal((await storage.sessions.get(sid))?.data, 2);
    },
  },
  {
    name: 'a re-save with a new ttl replaces the expiry, shorter or longer',
    async run({ storage, clock, id }) {
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1 }, { ttl: '1h' });
      const shorter = await storage.sessions.save({ id: sid, data: 2 }, { ttl: '1m' });
      assert.equal(shorter.expiresAt, clock.now() + MINUTE);
      const longer = await storage.sessions.save({ id: sid, data: 3 }, { ttl: '2h' });
      assert.equal(longer.expiresAt, clock.now() + 120 * MINUTE);
    },
  },
  {
    name: 'the sessionTtl storage option slides the expiry forward on every save',
    async run({ clock, id, openStorage }) {
      const storage = await openStorage({ sessionTtl: '1m' });
      const sid = id();
      const first = await storage.sessions.save({ id: sid, data: 1 });
      assert.equal(first.expiresAt, clock.now() + MINUTE);
      clock.advance(50_000);
      const second = await storage.sessions.save({ id: sid, data: 2 });
      assert.equal(second.expiresAt, clock.now() + MINUTE);
      clock.advance(50_000);
      assert.equal((await storage.sessions.get(sid))?.data, 2);
      clock.advance(10_000);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'an explicit ttl, or ttl null, overrides the sessionTtl storage option',
    async run({ clock, id, openStorage }) {
      const storage = await openStorage({ sessionTtl: '1m' });
      const explicit = await storage.sessions.save({ id: id(), data: 1 }, { ttl: '5m' });
      assert.equal(explicit.expiresAt, clock.now() + 5 * MINUTE);
      const forever = await storage.sessions.save({ id: id(), data: 1 }, { ttl: null });
      assert.equal(forever.expiresAt, null);
    },
  },
  {
    name: 'maxLifetime caps the expiry of a save whose ttl reaches past it',
    async run({ storage, clock, id }) {
      const sid = id();
      const saved = await storage.sessions.save(
        { id: sid, data: 1 },
        { ttl: '1h', maxLifetime: '10m' },
      );
      assert.equal(saved.maxExpiresAt, clock.now() + 10 * MINUTE);
      assert.equal(saved.expiresAt, clock.now() + 10 * MINUTE);
      const noTtl = await storage.sessions.save({ id: id(), data: 1 }, { maxLifetime: '10m' });
      assert.equal(noTtl.expiresAt, clock.now() + 10 * MINUTE);
    },
  },
  {
    name: 'later saves keep the maxLifetime set at creation and never extend past it',
    async run({ storage, clock, id }) {
      const sid = id();
      const created = await storage.sessions.save(
        { id: sid, data: 1 },
        { ttl: '10m', maxLifetime: '5m' },
      );
      clock.advance(4 * MINUTE);
      const resaved = await storage.sessions.save(
        { id: sid, data: 2 },
        { ttl: '1h', maxLifetime: '1h' },
      );
      assert.equal(resaved.maxExpiresAt, created.maxExpiresAt);
      assert.equal(resaved.expiresAt, created.maxExpiresAt);
      const cleared = await storage.sessions.save({ id: sid, data: 3 }, { ttl: null });
      assert.equal(cleared.expiresAt, created.maxExpiresAt);
      clock.advance(MINUTE);
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'an invalid maxLifetime is a ValidationError and writes nothing',
    async run({ storage, id }) {
      const sid = id();
      await rejectsWith(
        storage.sessions.save({ id: sid, data: 1 }, { maxLifetime: 'forever' }),
        'VALIDATION',
      );
      await rejectsWith(
        storage.sessions.save({ id: sid, data: 1 }, { maxLifetime: 0 }),
        'VALIDATION',
      );
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
]);
