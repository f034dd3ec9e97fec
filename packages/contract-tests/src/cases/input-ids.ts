import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Ids an attacker might send: path traversal, globs, SQL, separators, odd Unicode, device names. */
const HOSTILE = [
  '../../etc/passwd',
  '*',
  'a:b',
  "' OR 1=1 --",
  '%',
  '_',
  '😀🔥',
  '\u202eevil',
  'CON',
  'a/b\\c',
  '.',
  '..',
  '?',
  '[a-z]',
  '{"json":1}',
  '$(rm -rf /)',
  'null',
];

/** Values that are not legal ids or keys. */
const ILLEGAL: unknown[] = [
  'x'.repeat(513),
  '',
  'a\u0000b',
  '\n',
  'tab\there',
  '\u007f',
  '\ud800',
  123,
  null,
  undefined,
  {},
];

/** Input cases for ids and keys: hostile ids are legal and literal, illegal ones are refused before any I/O. */
export const inputIdCases: ContractCase[] = group('input', [
  {
    name: 'hostile session ids are legal, stored literally and kept apart',
    async run({ storage, id }) {
      const suffix = id('');
      // A random suffix keeps the ids unique per run while keeping them hostile.
      const ids = HOSTILE.map((h) => `${h}${suffix}`);
      for (const [i, sid] of ids.entries()) await storage.sessions.save({ id: sid, data: i });
      for (const [i, sid] of ids.entries()) {
        const got = await storage.sessions.get(sid);
        assert.equal(got?.id, sid);
        assert.equal(got?.data, i, `session ${JSON.stringify(sid)} holds another session's data`);
      }
      assert.equal(await storage.sessions.deleteMany(ids), ids.length);
    },
  },
  {
    name: 'hostile ids used exactly, without a suffix, are distinct sessions',
    async run({ storage, id }) {
      const marker = id('m');
      for (const sid of HOSTILE) await storage.sessions.save({ id: sid, data: { sid, marker } });
      for (const sid of HOSTILE) {
        assert.deepEqual((await storage.sessions.get(sid))?.data, { sid, marker });
      }
      await storage.sessions.deleteMany(HOSTILE);
      for (const sid of HOSTILE) assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'hostile kv keys are legal, stored literally and kept apart',
    requires: ['kv'],
    async run({ storage, id }) {
      const suffix = id('');
      const keys = HOSTILE.map((h) => `${h}${suffix}`);
      for (const [i, key] of keys.entries()) await storage.kv.set(key, i);
      assert.deepEqual(
        await storage.kv.getMany(keys),
        keys.map((_, i) => i),
      );
      assert.equal(await storage.kv.deleteMany(keys), keys.length);
    },
  },
  {
    name: 'hostile session ids carry their own messages',
    requires: ['messages'],
    async run({ storage, id }) {
      const suffix = id('');
      for (const h of HOSTILE) {
        const sid = `${h}${suffix}`;
        await storage.sessions.save({ id: sid, data: 0 });
        await storage.messages.append(sid, [h]);
      }
      for (const h of HOSTILE) {
        assert.deepEqual(await storage.messages.range(`${h}${suffix}`), [h]);
      }
    },
  },
  {
    name: "ids differing only in case ('Abc' and 'abc') are two sessions",
    async run({ storage, id }) {
      const base = id('case');
      const upper = `Abc-${base}`;
      const lower = `abc-${base}`;
      await storage.sessions.save({ id: upper, data: 'upper' });
      await storage.sessions.save({ id: lower, data: 'lower' });
      assert.equal((await storage.sessions.get(upper))?.data, 'upper');
      assert.equal((await storage.sessions.get(lower))?.data, 'lower');
      await storage.sessions.delete(upper);
      assert.equal((await storage.sessions.get(lower))?.data, 'lower');
    },
  },
  {
    name: 'ids in different Unicode normalisation forms are two sessions',
    async run({ storage, id }) {
      const base = id('nf');
      const composed = `caf\u00e9-${base}`;
      const decomposed = `cafe\u0301-${base}`;
      await storage.sessions.save({ id: composed, data: 'nfc' });
      await storage.sessions.save({ id: decomposed, data: 'nfd' });
      assert.equal((await storage.sessions.get(composed))?.data, 'nfc');
      assert.equal((await storage.sessions.get(decomposed))?.data, 'nfd');
    },
  },
  {
    name: 'a 512-byte id made of multi-byte characters is legal and round-trips',
    async run({ storage, id }) {
      const head = id('long');
      const sid = head + '€'.repeat((512 - head.length) / 3) + 'x'.repeat((512 - head.length) % 3);
      assert.equal(Buffer.byteLength(sid, 'utf8'), 512);
      await storage.sessions.save({ id: sid, data: 'long' });
      assert.equal((await storage.sessions.get(sid))?.id, sid);
    },
  },
  {
    name: 'ids over 512 bytes, empty, with control characters or not strings are a ValidationError',
    async run({ storage }) {
      const multiByte = '€'.repeat(171);
      for (const bad of [...ILLEGAL, multiByte]) {
        const label = JSON.stringify(bad) ?? String(bad);
        await rejectsWith(storage.sessions.get(bad as string), 'VALIDATION', label);
        await rejectsWith(
          storage.sessions.save({ id: bad as string, data: 1 }),
          'VALIDATION',
          label,
        );
        await rejectsWith(storage.sessions.delete(bad as string), 'VALIDATION', label);
        await rejectsWith(storage.sessions.getMany([bad as string]), 'VALIDATION', label);
      }
    },
  },
  {
    name: 'illegal ids are refused by messages and kv too',
    requires: ['messages', 'kv'],
    async run({ storage }) {
      for (const bad of ILLEGAL) {
        const label = JSON.stringify(bad) ?? String(bad);
        await rejectsWith(storage.messages.append(bad as string, ['m']), 'VALIDATION', label);
        await rejectsWith(storage.messages.range(bad as string), 'VALIDATION', label);
        await rejectsWith(storage.kv.set(bad as string, 1), 'VALIDATION', label);
        await rejectsWith(storage.kv.increment(bad as string), 'VALIDATION', label);
      }
    },
  },
  {
    name: 'saving a glob-like id never makes other ids exist',
    requires: ['inspector'],
    async run({ storage, inspector, id }) {
      const base = id('glob');
      await storage.sessions.save({ id: `${base}*`, data: 1 });
      await storage.sessions.save({ id: `${base}abc`, data: 2 });
      assert.equal(await inspector?.sessionExists(`${base}*`), true);
      assert.equal(await inspector?.sessionExists(`${base}a`), false);
      await storage.sessions.delete(`${base}*`);
      assert.equal(await inspector?.sessionExists(`${base}abc`), true);
      assert.equal((await storage.sessions.get(`${base}abc`))?.data, 2);
    },
  },
]);
