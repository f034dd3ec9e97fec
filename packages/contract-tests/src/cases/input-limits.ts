import type { JsonValue } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';

/** Label names and states that break naive JSON paths, SQL strings or key patterns. */
const HOSTILE_NAMES = [
  "it's",
  'a"b',
  'a.b',
  'a:b',
  '{x}',
  '$.path',
  '%',
  '_',
  '*',
  'a\\b',
  '\u00e9\u{1f600}',
];

/** Input cases for limits, states and labels: size limits, hostile label names and states, label counts. */
export const inputLimitCases: ContractCase[] = group('input', [
  {
    name: 'values over maxValueBytes are a PayloadTooLargeError and write nothing',
    requires: ['messages', 'kv'],
    async run({ id, openStorage }) {
      const storage = await openStorage({ maxValueBytes: 1024 });
      const big = { text: 'é'.repeat(600) };
      const sid = id();
      await rejectsWith(storage.sessions.save({ id: sid, data: big }), 'PAYLOAD_TOO_LARGE');
      assert.equal(await storage.sessions.get(sid), null);
      await storage.sessions.save({ id: sid, data: { text: 'small' } });
      await rejectsWith(storage.sessions.save({ id: sid, data: big }), 'PAYLOAD_TOO_LARGE');
      assert.deepEqual((await storage.sessions.get(sid))?.data, { text: 'small' });
      await rejectsWith(storage.messages.append(sid, ['ok', big]), 'PAYLOAD_TOO_LARGE');
      assert.equal(await storage.messages.length(sid), 0);
      const key = id('k');
      await rejectsWith(storage.kv.set(key, big), 'PAYLOAD_TOO_LARGE');
      assert.equal(await storage.kv.has(key), false);
      await storage.kv.set(key, 'x'.repeat(1000));
      assert.equal((await storage.kv.get<string>(key))?.length, 1000);
    },
  },
  {
    name: 'invalid states are a ValidationError and write nothing',
    async run({ storage, id }) {
      for (const state of ['', 5, null, 's'.repeat(129), 'a\nb'] as unknown as string[]) {
        const sid = id();
        await rejectsWith(
          storage.sessions.save({ id: sid, data: 1, state }),
          'VALIDATION',
          JSON.stringify(state),
        );
        assert.equal(await storage.sessions.get(sid), null);
      }
    },
  },
  {
    name: 'invalid labels are a ValidationError and write nothing',
    async run({ storage, id }) {
      const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
      const bad: unknown[] = [
        null,
        'userId=u1',
        ['u1'],
        { userId: 1 },
        { userId: null },
        { userId: { nested: 'x' } },
        { '': 'empty name' },
        { userId: 'a\u0000b' },
        { userId: 'v'.repeat(257) },
        tooMany,
      ];
      for (const labels of bad) {
        const sid = id();
        await rejectsWith(
          storage.sessions.save({ id: sid, data: 1, labels: labels as Record<string, string> }),
          'VALIDATION',
          JSON.stringify(labels),
        );
        assert.equal(await storage.sessions.get(sid), null);
      }
    },
  },
  {
    name: 'a session without data, or that is not an object, is a ValidationError',
    async run({ storage, id }) {
      const sid = id();
      for (const input of [{ id: sid }, null, 'id', [sid]]) {
        await rejectsWith(
          storage.sessions.save(input as unknown as { id: string; data: JsonValue }),
          'VALIDATION',
          JSON.stringify(input),
        );
      }
      assert.equal(await storage.sessions.get(sid), null);
    },
  },
  {
    name: 'hostile label names and values round-trip and filter literally',
    async run({ storage, id }) {
      const suite = id('labels');
      const labels: Record<string, string> = { suite };
      for (const [i, name] of HOSTILE_NAMES.entries()) labels[name] = `${name}=${i}`;
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1, labels });
      await storage.sessions.save({ id: id(), data: 2, labels: { suite, 'a.b': 'other' } });
      assert.deepEqual((await storage.sessions.get(sid))?.labels, labels);
      for (const name of HOSTILE_NAMES) {
        const filter = { suite, [name]: labels[name] as string };
        const found = await storage.sessions.list({ labels: filter });
        assert.deepEqual(
          found.items.map((s) => s.id),
          [sid],
          `label ${JSON.stringify(name)}`,
        );
      }
      assert.equal(await storage.sessions.count({ labels: { suite, '%': '%' } }), 0);
    },
  },
  {
    name: 'hostile state values round-trip and filter literally',
    async run({ storage, id }) {
      const suite = id('states');
      const ids = new Map<string, string>();
      for (const state of [...HOSTILE_NAMES, "' OR 1=1 --"]) {
        const sid = id();
        ids.set(state, sid);
        await storage.sessions.save({ id: sid, data: 0, state, labels: { suite } });
      }
      for (const [state, sid] of ids) {
        assert.equal((await storage.sessions.get(sid))?.state, state);
        const found = await storage.sessions.list({ labels: { suite }, state });
        assert.deepEqual(
          found.items.map((s) => s.id),
          [sid],
          `state ${JSON.stringify(state)}`,
        );
      }
    },
  },
  {
    name: 'a session with 64 labels round-trips and matches a filter on all of them',
    async run({ storage, id }) {
      const labels = Object.fromEntries(
        Array.from({ length: 64 }, (_, i) => [`k${i}`, i === 0 ? id('suite') : `v${i}`]),
      );
      const sid = id();
      await storage.sessions.save({ id: sid, data: 1, labels });
      assert.deepEqual((await storage.sessions.get(sid))?.labels, labels);
      const found = await storage.sessions.list({ labels });
      assert.deepEqual(
        found.items.map((s) => s.id),
        [sid],
      );
    },
  },
]);
