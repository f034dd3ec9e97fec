import type { DequeueOptions, Job, JsonValue, Queue } from '@stowage/core';
import { assert } from './assert.js';

/** Dequeues and asserts a job was ready, naming `what` in the failure. */
export async function takeJob(
  queue: Queue,
  what: string,
  options: DequeueOptions = {},
): Promise<Job<JsonValue>> {
  const job = await queue.dequeue(options);
  assert.ok(job, `${what}: expected a ready job, got none`);
  return job;
}

/** Asserts that no job is ready right now. */
export async function assertEmpty(queue: Queue, what: string): Promise<void> {
  const job = await queue.dequeue();
  assert.equal(job, null, `${what}: expected no ready job, got ${job?.id}`);
}
