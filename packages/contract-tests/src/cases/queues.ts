import type { JsonValue } from '@stowage/core';
import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';
import { assertEmpty, takeJob } from './queue-helpers.js';

const PAYLOADS: [string, JsonValue][] = [
  ['null', null],
  ['zero', 0],
  ['false', false],
  ['empty string', ''],
  ['unicode string', 'héllo 👋 مرحبا'],
  ['tiny float', 5e-324],
  ['empty array', []],
  ['nested', { a: [1, { b: null, c: [true, 'x'] }], d: { e: {} } }],
];

/** Queue cases: delivery order, delays, acks and payloads. */
export const queueCases: ContractCase[] = group('queues', [
  {
    name: 'a dequeued job carries its payload and attempt 1, and ack removes it for good',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      const jobId = await queue.enqueue({ task: 'send', to: ['a', 'b'] });
      const job = await takeJob(queue, 'first dequeue');
      assert.equal(job.id, jobId);
      assert.deepEqual(job.payload, { task: 'send', to: ['a', 'b'] });
      assert.equal(job.attempts, 1);
      await job.ack();
      clock.advance(3_600_000);
      await assertEmpty(queue, 'after ack and an hour');
      assert.deepEqual(await queue.size(), { ready: 0, delayed: 0, leased: 0, dead: 0 });
    },
  },
  {
    name: 'an empty or unknown queue dequeues null and has size zero',
    async run({ storage, id }) {
      const queue = storage.queue(id('q'));
      await assertEmpty(queue, 'unknown queue');
      assert.deepEqual(await queue.size(), { ready: 0, delayed: 0, leased: 0, dead: 0 });
    },
  },
  {
    name: 'jobs available at the same time come out in enqueue order',
    async run({ storage, id }) {
      const queue = storage.queue(id('q'));
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await queue.enqueue(i));
      const seen = [];
      for (let i = 0; i < 5; i++) seen.push((await takeJob(queue, `job ${i}`)).id);
      assert.deepEqual(seen, ids);
    },
  },
  {
    name: 'a delayed job stays hidden until its delay has passed, then comes before jobs enqueued after it',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      const delayed = await queue.enqueue('delayed', { delay: '10s' });
      await assertEmpty(queue, 'right after enqueue');
      clock.advance(9_999);
      await assertEmpty(queue, '1 ms before the delay ends');
      clock.advance(1);
      const later = await queue.enqueue('later');
      assert.equal((await takeJob(queue, 'delay over')).id, delayed);
      assert.equal((await takeJob(queue, 'second')).id, later);
    },
  },
  {
    name: 'queues with different names never see each other’s jobs',
    async run({ storage, id }) {
      const a = storage.queue(id('qa'));
      const b = storage.queue(id('qb'));
      await a.enqueue('for a');
      await assertEmpty(b, 'other queue');
      assert.equal((await b.size()).ready, 0);
      assert.equal((await takeJob(a, 'own queue')).payload, 'for a');
    },
  },
  {
    name: 'enqueue with an id already in the queue adds nothing and keeps the first payload',
    async run({ storage, id }) {
      const queue = storage.queue(id('q'));
      const jobId = id('job');
      assert.equal(await queue.enqueue('first', { id: jobId }), jobId);
      assert.equal(await queue.enqueue('second', { id: jobId }), jobId);
      assert.equal((await queue.size()).ready, 1);
      assert.equal((await takeJob(queue, 'the job')).payload, 'first');
      await assertEmpty(queue, 'no duplicate');
    },
  },
  {
    name: 'payloads of every JSON type round-trip, including null, 0, false and the empty string',
    async run({ storage, id }) {
      const queue = storage.queue(id('q'));
      for (const [, payload] of PAYLOADS) await queue.enqueue(payload);
      for (const [label, payload] of PAYLOADS) {
        const job = await takeJob(queue, label);
        assert.deepEqual(job.payload, payload, label);
        await job.ack();
      }
    },
  },
  {
    name: 'bad queue names, payloads, delays, attempts and visibilities are ValidationErrors that enqueue nothing',
    async run({ storage, id }) {
      assert.throws(() => storage.queue(''), { code: 'VALIDATION' });
      assert.throws(() => storage.queue('a\u0000b'), { code: 'VALIDATION' });
      const queue = storage.queue(id('q'));
      await rejectsWith(
        queue.enqueue(undefined as unknown as JsonValue),
        'VALIDATION',
        'undefined',
      );
      await rejectsWith(queue.enqueue(Number.NaN), 'VALIDATION', 'NaN');
      await rejectsWith(queue.enqueue(1, { delay: -5 }), 'VALIDATION', 'negative delay');
      await rejectsWith(queue.enqueue(1, { delay: 'soon' }), 'VALIDATION', 'bad delay');
      await rejectsWith(queue.enqueue(1, { maxAttempts: 0 }), 'VALIDATION', 'maxAttempts 0');
      await rejectsWith(queue.enqueue(1, { maxAttempts: 1.5 }), 'VALIDATION', 'maxAttempts 1.5');
      await rejectsWith(queue.enqueue(1, { id: '' }), 'VALIDATION', 'empty id');
      await rejectsWith(queue.dequeue({ visibility: 0 }), 'VALIDATION', 'visibility 0');
      await rejectsWith(queue.replay(['a', 'a']), 'VALIDATION', 'duplicate replay ids');
      assert.deepEqual(await queue.size(), { ready: 0, delayed: 0, leased: 0, dead: 0 });
    },
  },
  {
    name: 'size counts ready, delayed, leased and dead jobs',
    async run({ storage, id }) {
      const queue = storage.queue(id('q'));
      await queue.enqueue('ready');
      await queue.enqueue('leased');
      await queue.enqueue('dead', { maxAttempts: 1 });
      await queue.enqueue('delayed', { delay: '1h' });
      await queue.enqueue('also ready');
      await takeJob(queue, 'lease one');
      await takeJob(queue, 'lease two');
      const doomed = await takeJob(queue, 'the one to kill');
      assert.equal(doomed.payload, 'dead');
      assert.equal(await doomed.nack(), 'dead');
      assert.deepEqual(await queue.size(), { ready: 1, delayed: 1, leased: 2, dead: 1 });
    },
  },
  {
    name: 'jobs enqueued through one storage are dequeued through another on the same backend',
    async run({ storage, openStorage, id }) {
      const name = id('q');
      const other = await openStorage();
      const jobId = await storage.queue(name).enqueue({ hop: 1 });
      const job = await takeJob(other.queue(name), 'other storage');
      assert.equal(job.id, jobId);
      await job.ack();
      await assertEmpty(storage.queue(name), 'first storage after ack');
    },
  },
]);
