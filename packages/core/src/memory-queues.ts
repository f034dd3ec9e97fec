import { randomUUID } from 'node:crypto';
import { compareListPosition } from './adapter-kit.js';
import { LeaseLostError } from './errors.js';
import type { DeadJob, QueueDriver, QueueSizes } from './types.js';

interface JobRecord {
  id: string;
  payload: string;
  availableAt: number;
  maxAttempts: number;
  attempts: number;
  /** Enqueue order, the tie-breaker between jobs available at the same moment. */
  seq: number;
  token: string | null;
  visibleUntil: number;
  failedAt: number | null;
}

/** The in-process queue store of one memory adapter. */
export interface MemoryQueues {
  driver: QueueDriver;
  /** Number of jobs held in every queue, for health reports. */
  count(): number;
  clear(): void;
}

/**
 * Queues kept in a map per queue name. Every state change is derived from `ctx.now` when a
 * job is touched, so a manual clock moves delays and lease ends without timers.
 */
export function memoryQueues(adapter: string): MemoryQueues {
  const queues = new Map<string, Map<string, JobRecord>>();
  let seq = 0;

  const jobsOf = (queue: string): Map<string, JobRecord> => {
    let jobs = queues.get(queue);
    if (!jobs) {
      jobs = new Map();
      queues.set(queue, jobs);
    }
    return jobs;
  };
  // An ended lease turns the job back into a ready one, or a dead one when out of attempts.
  const settle = (job: JobRecord, now: number): JobRecord => {
    if (job.token !== null && job.visibleUntil <= now) {
      job.token = null;
      if (job.attempts >= job.maxAttempts) job.failedAt = job.visibleUntil;
      else job.availableAt = job.visibleUntil;
    }
    return job;
  };
  const held = (queue: string, jobId: string, token: string, now: number): JobRecord => {
    const job = queues.get(queue)?.get(jobId);
    if (!job || job.token !== token || settle(job, now).token === null) {
      throw new LeaseLostError(queue, jobId, { adapter });
    }
    return job;
  };

  const driver: QueueDriver = {
    async enqueue(queue, writes) {
      const jobs = jobsOf(queue);
      let added = 0;
      for (const w of writes) {
        if (jobs.has(w.id)) continue;
        jobs.set(w.id, {
          ...w,
          attempts: 0,
          seq: seq++,
          token: null,
          visibleUntil: 0,
          failedAt: null,
        });
        added++;
      }
      return added;
    },
    async dequeue(queue, { visibleUntil, limit }, { now }) {
      const ready: JobRecord[] = [];
      for (const job of queues.get(queue)?.values() ?? []) {
        settle(job, now);
        if (job.token === null && job.failedAt === null && job.availableAt <= now) ready.push(job);
      }
      ready.sort((a, b) => a.availableAt - b.availableAt || a.seq - b.seq);
      return ready.slice(0, limit).map((job) => {
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
    },
    async ack(queue, jobId, token, { now }) {
      held(queue, jobId, token, now);
      queues.get(queue)?.delete(jobId);
    },
    async nack(queue, jobId, token, availableAt, { now }) {
      const job = held(queue, jobId, token, now);
      job.token = null;
      if (job.attempts >= job.maxAttempts) {
        job.failedAt = now;
        return 'dead';
      }
      job.availableAt = availableAt;
      return 'queued';
    },
    async extend(queue, jobId, token, visibleUntil, { now }) {
      held(queue, jobId, token, now).visibleUntil = visibleUntil;
    },
    async size(queue, { now }) {
      const sizes: QueueSizes = { ready: 0, delayed: 0, leased: 0, dead: 0 };
      for (const job of queues.get(queue)?.values() ?? []) {
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
      for (const job of queues.get(queue)?.values() ?? []) {
        const { failedAt } = settle(job, now);
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
    async replay(queue, jobIds, { now }) {
      let moved = 0;
      for (const id of jobIds) {
        const job = queues.get(queue)?.get(id);
        if (!job || settle(job, now).failedAt === null) continue;
        job.failedAt = null;
        job.attempts = 0;
        job.availableAt = now;
        job.seq = seq++;
        moved++;
      }
      return moved;
    },
  };

  return {
    driver,
    count: () => {
      let total = 0;
      for (const jobs of queues.values()) total += jobs.size;
      return total;
    },
    clear: () => queues.clear(),
  };
}
