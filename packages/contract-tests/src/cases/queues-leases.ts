import type { ContractCase } from '../types.js';
import { assert, group, rejectsWith } from './assert.js';
import { assertEmpty, takeJob } from './queue-helpers.js';

/** Queue cases about leases: redelivery, retries, dead letters, replay and stale workers. */
export const queueLeaseCases: ContractCase[] = group('queues', [
  {
    name: 'an unacked job is hidden for its visibility timeout, then redelivered with attempts + 1',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      const jobId = await queue.enqueue('work');
      const first = await takeJob(queue, 'first delivery', { visibility: '30s' });
      clock.advance(29_999);
      await assertEmpty(queue, '1 ms before the lease ends');
      clock.advance(1);
      const second = await takeJob(queue, 'redelivery');
      assert.equal(second.id, jobId);
      assert.equal(second.attempts, first.attempts + 1);
      assert.equal(second.payload, 'work');
    },
  },
  {
    name: 'nack makes the job available again after its delay, or at once without one',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      await queue.enqueue('retry me');
      const first = await takeJob(queue, 'first delivery', { visibility: '1h' });
      assert.equal(await first.nack({ delay: '5s' }), 'queued');
      clock.advance(4_999);
      await assertEmpty(queue, 'during the nack delay');
      clock.advance(1);
      const second = await takeJob(queue, 'after the nack delay');
      assert.equal(second.attempts, 2);
      assert.equal(await second.nack(), 'queued');
      assert.equal((await takeJob(queue, 'after a nack without delay')).attempts, 3);
    },
  },
  {
    name: 'a job nacked on its last attempt moves to the dead-letter list and is not delivered',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      const jobId = await queue.enqueue({ n: 1 }, { maxAttempts: 2 });
      assert.equal(await (await takeJob(queue, 'attempt 1')).nack(), 'queued');
      assert.equal(await (await takeJob(queue, 'attempt 2')).nack(), 'dead');
      clock.advance(3_600_000);
      await assertEmpty(queue, 'dead job');
      const page = await queue.deadLetters();
      assert.deepEqual(
        page.items.map((d) => [d.id, d.payload, d.attempts]),
        [[jobId, { n: 1 }, 2]],
      );
      assert.equal(page.cursor, null);
      assert.deepEqual(await queue.size(), { ready: 0, delayed: 0, leased: 0, dead: 1 });
    },
  },
  {
    name: 'a job whose last lease runs out moves to the dead-letter list instead of being redelivered',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      const jobId = await queue.enqueue('crashy', { maxAttempts: 1 });
      await takeJob(queue, 'only attempt', { visibility: '10s' });
      clock.advance(10_000);
      await assertEmpty(queue, 'after the last lease');
      assert.deepEqual(
        (await queue.deadLetters()).items.map((d) => d.id),
        [jobId],
      );
    },
  },
  {
    name: 'replay moves dead jobs back with fresh attempts and ignores ids that are not dead',
    async run({ storage, id }) {
      const queue = storage.queue(id('q'));
      const jobId = await queue.enqueue('again', { maxAttempts: 1 });
      const live = await queue.enqueue('live', { delay: '1h' });
      await (await takeJob(queue, 'only attempt')).nack();
      assert.equal(await queue.replay([jobId, live, id('missing')]), 1);
      assert.deepEqual((await queue.deadLetters()).items, []);
      const job = await takeJob(queue, 'replayed');
      assert.equal(job.id, jobId);
      assert.equal(job.attempts, 1);
      assert.equal(job.payload, 'again');
      await job.ack();
      assert.deepEqual(await queue.size(), { ready: 0, delayed: 1, leased: 0, dead: 0 });
    },
  },
  {
    name: 'extend keeps a leased job hidden past its original visibility timeout',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      await queue.enqueue('long task');
      const job = await takeJob(queue, 'delivery', { visibility: '10s' });
      clock.advance(8_000);
      await job.extend('10s');
      clock.advance(8_000);
      await assertEmpty(queue, 'within the extended lease');
      await job.ack();
      clock.advance(60_000);
      await assertEmpty(queue, 'after ack');
    },
  },
  {
    name: 'a stale ack, nack or extend after redelivery is a LEASE_LOST error and leaves the new delivery alone',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      await queue.enqueue('contested');
      const stale = await takeJob(queue, 'first worker', { visibility: '5s' });
      clock.advance(5_000);
      const fresh = await takeJob(queue, 'second worker', { visibility: '1h' });
      const lost = await rejectsWith(stale.ack(), 'LEASE_LOST', 'stale ack');
      assert.equal(lost.name, 'LeaseLostError');
      await rejectsWith(stale.nack(), 'LEASE_LOST', 'stale nack');
      await rejectsWith(stale.extend('1h'), 'LEASE_LOST', 'stale extend');
      assert.equal((await queue.size()).leased, 1);
      await fresh.ack();
      await rejectsWith(fresh.ack(), 'LEASE_LOST', 'second ack');
      assert.deepEqual(await queue.size(), { ready: 0, delayed: 0, leased: 0, dead: 0 });
    },
  },
  {
    name: 'an ack after the lease ended is a LEASE_LOST error even before anyone redelivers the job',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      await queue.enqueue('late');
      const job = await takeJob(queue, 'delivery', { visibility: '5s' });
      clock.advance(5_000);
      await rejectsWith(job.ack(), 'LEASE_LOST', 'late ack');
      assert.equal((await takeJob(queue, 'still deliverable')).attempts, 2);
    },
  },
  {
    name: 'dead letters page by limit and cursor, oldest failure first, each exactly once',
    async run({ storage, clock, id }) {
      const queue = storage.queue(id('q'));
      const ids = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await queue.enqueue(i, { maxAttempts: 1 }));
        await (await takeJob(queue, `job ${i}`)).nack();
        clock.advance(1);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await queue.deadLetters(
          cursor === undefined ? { limit: 2 } : { limit: 2, cursor },
        );
        seen.push(...page.items.map((d) => d.id));
        if (page.cursor === null) break;
        cursor = page.cursor;
      }
      assert.deepEqual(seen, ids);
    },
  },
  {
    name: '50 concurrent dequeues of 20 jobs hand out 20 distinct jobs, each to one worker',
    async run({ storage, openStorage, id }) {
      const name = id('q');
      const queue = storage.queue(name);
      const other = (await openStorage()).queue(name);
      const ids = [];
      for (let i = 0; i < 20; i++) ids.push(await queue.enqueue(i));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? queue : other).dequeue({ visibility: '1h' }),
        ),
      );
      const got = results.flatMap((job) => (job ? [job.id] : []));
      assert.equal(got.length, 20, `expected 20 deliveries, got ${got.length}`);
      assert.deepEqual([...new Set(got)].sort(), [...ids].sort());
      assert.deepEqual(await queue.size(), { ready: 0, delayed: 0, leased: 20, dead: 0 });
    },
  },
]);
