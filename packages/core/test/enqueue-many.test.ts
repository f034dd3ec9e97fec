import { describe, expect, it } from 'vitest';
import {
  createStorage,
  MAX_ENQUEUE_BATCH,
  manualClock,
  memoryAdapter,
  type QueueDriver,
  type StowageAdapter,
  ValidationError,
} from '../src/index.js';

/** A memory adapter whose queue driver records every enqueue call it receives. */
function countingAdapter(): { adapter: StowageAdapter; calls: number[] } {
  const base = memoryAdapter();
  const calls: number[] = [];
  const queues = base.queues as QueueDriver;
  const adapter: StowageAdapter = {
    ...base,
    queues: {
      ...queues,
      enqueue: (queue, jobs, ctx) => {
        calls.push(jobs.length);
        return queues.enqueue(queue, jobs, ctx);
      },
    },
  };
  return { adapter, calls };
}

describe('queue.enqueueMany', () => {
  it('adds every job in one driver call and returns the ids in input order', async () => {
    const { adapter, calls } = countingAdapter();
    const storage = createStorage(adapter);
    const queue = storage.queue<{ n: number }>('batch');
    const ids = await queue.enqueueMany([
      { payload: { n: 1 } },
      { payload: { n: 2 }, id: 'second' },
      { payload: { n: 3 } },
    ]);
    expect(calls).toEqual([3]);
    expect(ids).toHaveLength(3);
    expect(ids[1]).toBe('second');
    const seen: { id: string; n: number }[] = [];
    for (let job = await queue.dequeue(); job; job = await queue.dequeue()) {
      seen.push({ id: job.id, n: job.payload.n });
      await job.ack();
    }
    expect(seen).toEqual(ids.map((id, i) => ({ id, n: i + 1 })));
    await storage.close();
  });

  it('applies defaults to items without their own delay and maxAttempts', async () => {
    const clock = manualClock(1_000_000);
    const storage = createStorage({ adapter: memoryAdapter(), clock });
    const queue = storage.queue<string>('defaults');
    await queue.enqueueMany(
      [{ payload: 'late' }, { payload: 'now', delay: 1 }, { payload: 'once', maxAttempts: 1 }],
      { delay: '1m', maxAttempts: 2 },
    );
    expect(await queue.size()).toMatchObject({ ready: 0, delayed: 3 });
    clock.advance(1);
    const now = await queue.dequeue();
    expect(now).toMatchObject({ payload: 'now', maxAttempts: 2 });
    await now?.ack();
    clock.advance(60_000);
    const late = await queue.dequeue();
    const once = await queue.dequeue();
    expect(late).toMatchObject({ payload: 'late', maxAttempts: 2 });
    expect(once).toMatchObject({ payload: 'once', maxAttempts: 1 });
    await storage.close();
  });

  it('skips ids already in the queue, as enqueue does', async () => {
    const storage = createStorage(memoryAdapter());
    const queue = storage.queue<string>('dedupe');
    await queue.enqueue('first', { id: 'a' });
    expect(
      await queue.enqueueMany([
        { payload: 'again', id: 'a' },
        { payload: 'b', id: 'b' },
      ]),
    ).toEqual(['a', 'b']);
    const first = await queue.dequeue();
    expect(first).toMatchObject({ id: 'a', payload: 'first' });
    expect(await queue.size()).toMatchObject({ ready: 1, leased: 1 });
    await storage.close();
  });

  it('refuses the whole batch before any I/O when one item is invalid', async () => {
    const { adapter, calls } = countingAdapter();
    const storage = createStorage(adapter);
    const queue = storage.queue<unknown>('invalid');
    const cases: [unknown, RegExp][] = [
      [[{ payload: 1 }, { payload: 2, delay: -5 }], /jobs\[1\]\.delay/],
      [[{ payload: 1, id: '' }], /jobs\[0\]\.job id/],
      [[{ payload: 1, maxAttempts: 0 }], /jobs\[0\]\.maxAttempts/],
      [[{ payload: () => 1 }], /jobs\[0\]\.payload/],
      [
        [
          { payload: 1, id: 'x' },
          { payload: 2, id: 'x' },
        ],
        /"x" twice/,
      ],
      [[1, 2], /jobs\[0\] must be an object with a payload/],
      [[{ id: 'no-payload' }], /jobs\[0\] must be an object with a payload/],
      ['not a list', /must be an array/],
    ];
    for (const [jobs, message] of cases) {
      const error = await queue
        .enqueueMany(jobs as { payload: unknown }[])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(message);
      expect((error as ValidationError).adapter).toBe('memory');
    }
    const defaultsError = await queue
      .enqueueMany([{ payload: 1 }], { maxAttempts: 5000 })
      .catch((e: unknown) => e);
    expect(defaultsError).toBeInstanceOf(ValidationError);
    expect(calls).toEqual([]);
    expect(await queue.size()).toEqual({ ready: 0, delayed: 0, leased: 0, dead: 0 });
    await storage.close();
  });

  it(`refuses more than ${MAX_ENQUEUE_BATCH} jobs and makes no call for an empty list`, async () => {
    const { adapter, calls } = countingAdapter();
    const storage = createStorage(adapter);
    const queue = storage.queue<number>('limits');
    const tooMany = Array.from({ length: MAX_ENQUEUE_BATCH + 1 }, (_, i) => ({ payload: i }));
    await expect(queue.enqueueMany(tooMany)).rejects.toBeInstanceOf(ValidationError);
    expect(await queue.enqueueMany([])).toEqual([]);
    expect(calls).toEqual([]);
    const full = await queue.enqueueMany(tooMany.slice(1));
    expect(new Set(full).size).toBe(MAX_ENQUEUE_BATCH);
    expect(calls).toEqual([MAX_ENQUEUE_BATCH]);
    await storage.close();
  });
});
