import { describe, expect, it } from 'vitest';
import {
  CapabilityError,
  createStorage,
  LeaseLostError,
  manualClock,
  memoryAdapter,
  type StowageAdapter,
  ValidationError,
} from '../src/index.js';

function withoutQueues(): StowageAdapter {
  const { queues: _queues, pubsub: _pubsub, ...rest } = memoryAdapter();
  return rest;
}

describe('storage.queue', () => {
  it('refuses queue calls with a CapabilityError naming the adapter when it has no queues', async () => {
    const storage = createStorage(withoutQueues());
    const error = await storage
      .queue('jobs')
      .enqueue(1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapabilityError);
    expect((error as CapabilityError).adapter).toBe('memory');
    expect((error as CapabilityError).message).toContain('job queues');
    await storage.close();
  });

  it('throws a ValidationError stamped with the adapter name for an illegal queue name', () => {
    const storage = createStorage(memoryAdapter());
    let caught: unknown;
    try {
      storage.queue('');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).adapter).toBe('memory');
  });

  it('stamps the adapter name on validation errors of enqueue and nack', async () => {
    const storage = createStorage(memoryAdapter());
    const queue = storage.queue('jobs');
    const bad = await queue.enqueue(1, { delay: -1 }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'VALIDATION', adapter: 'memory' });
    await queue.enqueue(1);
    const job = await queue.dequeue();
    const badNack = await job?.nack({ delay: 'later' }).catch((e: unknown) => e);
    expect(badNack).toMatchObject({ code: 'VALIDATION', adapter: 'memory' });
    await storage.close();
  });

  it('a dequeue with wait returns a job enqueued while it polls', async () => {
    const storage = createStorage(memoryAdapter());
    const queue = storage.queue('jobs');
    const waiting = queue.dequeue({ wait: '5s' });
    const id = await queue.enqueue('late arrival');
    expect((await waiting)?.id).toBe(id);
    await storage.close();
  });

  it('a dequeue without wait answers null at once on an empty queue', async () => {
    const storage = createStorage(memoryAdapter());
    expect(await storage.queue('empty').dequeue()).toBeNull();
    await storage.close();
  });

  it('extend moves the visibleUntil the job reports, from the clock of the storage', async () => {
    const clock = manualClock(1_000_000);
    const storage = createStorage({ adapter: memoryAdapter(), clock });
    const queue = storage.queue('jobs');
    await queue.enqueue('x');
    const job = await queue.dequeue({ visibility: '10s' });
    expect(job?.visibleUntil).toBe(1_010_000);
    clock.advance(5_000);
    await job?.extend('1m');
    expect(job?.visibleUntil).toBe(1_065_000);
    await storage.close();
  });

  it('a lost lease is a LeaseLostError naming the queue and job, not retriable', async () => {
    const clock = manualClock();
    const storage = createStorage({ adapter: memoryAdapter(), clock });
    const queue = storage.queue('jobs');
    const id = await queue.enqueue('x');
    const job = await queue.dequeue({ visibility: 1000 });
    clock.advance(1000);
    const error = await job?.ack().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error).toMatchObject({
      code: 'LEASE_LOST',
      queue: 'jobs',
      jobId: id,
      adapter: 'memory',
      retriable: false,
    });
    await storage.close();
  });

  it('a job defaults to 5 attempts before it is dead-lettered', async () => {
    const storage = createStorage(memoryAdapter());
    const queue = storage.queue('jobs');
    await queue.enqueue('x');
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await (await queue.dequeue())?.nack());
    expect(outcomes).toEqual(['queued', 'queued', 'queued', 'queued', 'dead']);
    await storage.close();
  });

  it('a malformed dead-letter cursor is a ValidationError', async () => {
    const storage = createStorage(memoryAdapter());
    const error = await storage
      .queue('jobs')
      .deadLetters({ cursor: 'nope' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    await storage.close();
  });
});
