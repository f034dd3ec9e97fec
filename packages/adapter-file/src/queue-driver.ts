import { randomUUID } from 'node:crypto';
import {
  compareListPosition,
  type DeadJob,
  LeaseLostError,
  type QueueDriver,
  type QueueSizes,
} from '@stowage/core';
import { ADAPTER } from './errors.js';
import type { JobRecord, QueueRecord, QueueStore } from './queue-store.js';

/**
 * Applies an ended lease: the job is ready again from `visibleUntil`, or dead when it has used
 * its last attempt. Derived from `now` on every touch, so no timer moves jobs between states.
 * Returns whether the job changed.
 */
function settle(job: JobRecord, now: number): boolean {
  if (job.token === null || job.visibleUntil > now) return false;
  job.token = null;
  if (job.attempts >= job.maxAttempts) job.failedAt = job.visibleUntil;
  else job.availableAt = job.visibleUntil;
  return true;
}

/** The job holding a live lease with `token`, or `LeaseLostError`. */
function held(record: QueueRecord, jobId: string, token: string, now: number): JobRecord {
  const job = record.jobs.find((candidate) => candidate.id === jobId);
  if (!job || job.token !== token || job.visibleUntil <= now) {
    throw new LeaseLostError(record.queue, jobId, { adapter: ADAPTER });
  }
  return job;
}

/**
 * Queue primitives over one file per queue. Every mutating step reads, changes and rewrites the
 * queue file while holding the queue's lock file, so a job is leased to one worker at a time
 * even when several processes share the folder; `size` and `deadLetters` read the last
 * committed file without the lock.
 */
export function queueDriver(queues: QueueStore): QueueDriver {
  return {
    enqueue(queue, writes) {
      return queues.update(queue, (record) => {
        const known = new Set(record.jobs.map((job) => job.id));
        let added = 0;
        for (const w of writes) {
          if (known.has(w.id)) continue;
          known.add(w.id);
          record.jobs.push({
            id: w.id,
            payload: w.payload,
            availableAt: w.availableAt,
            maxAttempts: w.maxAttempts,
            attempts: 0,
            seq: record.nextSeq++,
            token: null,
            visibleUntil: 0,
            failedAt: null,
          });
          added++;
        }
        return { changed: added > 0, result: added };
      });
    },
    dequeue(queue, { visibleUntil, limit }, { now }) {
      return queues.update(queue, (record) => {
        let changed = false;
        const ready: JobRecord[] = [];
        for (const job of record.jobs) {
          if (settle(job, now)) changed = true;
          if (job.token === null && job.failedAt === null && job.availableAt <= now)
            ready.push(job);
        }
        ready.sort((a, b) => a.availableAt - b.availableAt || a.seq - b.seq);
        const leased = ready.slice(0, limit).map((job) => {
          job.attempts++;
          job.token = randomUUID();
          job.visibleUntil = visibleUntil;
          return {
            id: job.id,
            payload: job.payload,
            attempts: job.attempts,
            maxAttempts: job.maxAttempts,
            token: job.token,
            visibleUntil,
          };
        });
        return { changed: changed || leased.length > 0, result: leased };
      });
    },
    ack(queue, jobId, token, { now }) {
      return queues.update(queue, (record) => {
        const job = held(record, jobId, token, now);
        record.jobs.splice(record.jobs.indexOf(job), 1);
        return { changed: true, result: undefined };
      });
    },
    nack(queue, jobId, token, availableAt, { now }) {
      return queues.update(queue, (record) => {
        const job = held(record, jobId, token, now);
        job.token = null;
        if (job.attempts >= job.maxAttempts) {
          job.failedAt = now;
          return { changed: true, result: 'dead' as const };
        }
        job.availableAt = availableAt;
        return { changed: true, result: 'queued' as const };
      });
    },
    extend(queue, jobId, token, visibleUntil, { now }) {
      return queues.update(queue, (record) => {
        held(record, jobId, token, now).visibleUntil = visibleUntil;
        return { changed: true, result: undefined };
      });
    },
    async size(queue, { now }) {
      const sizes: QueueSizes = { ready: 0, delayed: 0, leased: 0, dead: 0 };
      for (const job of (await queues.read(queue)).jobs) {
        settle(job, now);
        if (job.failedAt !== null) sizes.dead++;
        else if (job.token !== null) sizes.leased++;
        else if (job.availableAt <= now) sizes.ready++;
        else sizes.delayed++;
      }
      return sizes;
    },
    async deadLetters(queue, { limit, after }, { now }) {
      const dead: DeadJob[] = [];
      for (const job of (await queues.read(queue)).jobs) {
        settle(job, now);
        const { failedAt } = job;
        if (failedAt === null) continue;
        if (after && compareListPosition({ createdAt: failedAt, id: job.id }, after) <= 0) continue;
        dead.push({ id: job.id, payload: job.payload, attempts: job.attempts, failedAt });
      }
      return dead
        .sort((a, b) =>
          compareListPosition(
            { createdAt: a.failedAt, id: a.id },
            { createdAt: b.failedAt, id: b.id },
          ),
        )
        .slice(0, limit);
    },
    replay(queue, jobIds, { now }) {
      return queues.update(queue, (record) => {
        const wanted = new Set(jobIds);
        let moved = 0;
        for (const job of record.jobs) {
          if (!wanted.has(job.id)) continue;
          settle(job, now);
          if (job.failedAt === null) continue;
          job.failedAt = null;
          job.attempts = 0;
          job.availableAt = now;
          job.seq = record.nextSeq++;
          moved++;
        }
        return { changed: moved > 0, result: moved };
      });
    },
  };
}
