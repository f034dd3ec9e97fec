import { randomUUID } from 'node:crypto';
import { compareListPosition } from './adapter-kit.js';
import { LeaseLostError } from './errors.js';
import type {
  AdapterDeadLetterQuery,
  DeadJob,
  LeasedJob,
  QueueJobWrite,
  QueueSizes,
} from './types.js';

/** One job of a `QueueState`. */
export interface QueueJob {
  id: string;
  payload: string;
  availableAt: number;
  maxAttempts: number;
  attempts: number;
  /** Enqueue (or replay) order, the tie-breaker between jobs available at the same moment. */
  seq: number;
  /** Token of the current delivery, `null` when the job is not leased. */
  token: string | null;
  visibleUntil: number;
  /** When the job moved to the dead-letter list, `null` while it is alive. */
  failedAt: number | null;
}

/** Every job of one queue and the next enqueue sequence number: plain data, easy to persist. */
export interface QueueState {
  nextSeq: number;
  jobs: QueueJob[];
}

/**
 * The queue rules of the contract as functions over a `QueueState`, for adapters that hold a
 * whole queue in memory or in one record (the memory and file adapters). Each function
 * changes the state in place; states move only when a job is touched with `now`, so no timer
 * is involved. Functions that may leave the state unchanged say whether they changed it.
 */
export const queueState = {
  /** An empty queue. */
  empty(): QueueState {
    return { nextSeq: 0, jobs: [] };
  },

  /**
   * Applies an ended lease: the job is ready again from `visibleUntil`, or dead when it used its
   * last attempt. Returns whether the job changed.
   */
  settle(job: QueueJob, now: number): boolean {
    if (job.token === null || job.visibleUntil > now) return false;
    job.token = null;
    if (job.attempts >= job.maxAttempts) job.failedAt = job.visibleUntil;
    else job.availableAt = job.visibleUntil;
    return true;
  },

  /** Adds the jobs whose ids are not in the queue yet; returns how many were added. */
  enqueue(state: QueueState, writes: readonly QueueJobWrite[]): number {
    const known = new Set(state.jobs.map((job) => job.id));
    let added = 0;
    for (const w of writes) {
      if (known.has(w.id)) continue;
      known.add(w.id);
      state.jobs.push({
        id: w.id,
        payload: w.payload,
        availableAt: w.availableAt,
        maxAttempts: w.maxAttempts,
        attempts: 0,
        seq: state.nextSeq++,
        token: null,
        visibleUntil: 0,
        failedAt: null,
      });
      added++;
    }
    return added;
  },

  /** Leases up to `limit` ready jobs, oldest availability first, then enqueue order. */
  dequeue(
    state: QueueState,
    { visibleUntil, limit }: { visibleUntil: number; limit: number },
    now: number,
  ): { leased: LeasedJob[]; changed: boolean } {
    let changed = false;
    const ready: QueueJob[] = [];
    for (const job of state.jobs) {
      if (queueState.settle(job, now)) changed = true;
      if (job.token === null && job.failedAt === null && job.availableAt <= now) ready.push(job);
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
    return { leased, changed: changed || leased.length > 0 };
  },

  /** The job holding a live lease with `token`, or `LeaseLostError`. */
  held(
    state: QueueState,
    queue: string,
    jobId: string,
    token: string,
    now: number,
    adapter: string,
  ): QueueJob {
    const job = state.jobs.find((candidate) => candidate.id === jobId);
    if (!job || job.token !== token || job.visibleUntil <= now) {
      throw new LeaseLostError(queue, jobId, { adapter });
    }
    return job;
  },

  /** Removes an acknowledged job. */
  ack(state: QueueState, job: QueueJob): void {
    state.jobs.splice(state.jobs.indexOf(job), 1);
  },

  /** Ends a lease early: the job is ready again at `availableAt`, or dead on its last attempt. */
  nack(job: QueueJob, availableAt: number, now: number): 'queued' | 'dead' {
    job.token = null;
    if (job.attempts >= job.maxAttempts) {
      job.failedAt = now;
      return 'dead';
    }
    job.availableAt = availableAt;
    return 'queued';
  },

  /** Counts the jobs in each state at `now`. */
  sizes(state: QueueState, now: number): QueueSizes {
    const sizes: QueueSizes = { ready: 0, delayed: 0, leased: 0, dead: 0 };
    for (const job of state.jobs) {
      queueState.settle(job, now);
      if (job.failedAt !== null) sizes.dead++;
      else if (job.token !== null) sizes.leased++;
      else if (job.availableAt <= now) sizes.ready++;
      else sizes.delayed++;
    }
    return sizes;
  },

  /** One page of dead jobs ordered by failure time, then id. */
  deadLetters(state: QueueState, { limit, after }: AdapterDeadLetterQuery, now: number): DeadJob[] {
    const dead: DeadJob[] = [];
    for (const job of state.jobs) {
      queueState.settle(job, now);
      const { failedAt } = job;
      if (failedAt === null) continue;
      if (after && compareListPosition({ createdAt: failedAt, id: job.id }, after) <= 0) continue;
      dead.push({ id: job.id, payload: job.payload, attempts: job.attempts, failedAt });
    }
    const position = (job: DeadJob) => ({ createdAt: job.failedAt, id: job.id });
    return dead.sort((a, b) => compareListPosition(position(a), position(b))).slice(0, limit);
  },

  /** Puts dead jobs back with 0 attempts, available at `now`; returns how many moved. */
  replay(state: QueueState, jobIds: readonly string[], now: number): number {
    const wanted = new Set(jobIds);
    let moved = 0;
    for (const job of state.jobs) {
      if (!wanted.has(job.id)) continue;
      queueState.settle(job, now);
      if (job.failedAt === null) continue;
      job.failedAt = null;
      job.attempts = 0;
      job.availableAt = now;
      job.seq = state.nextSeq++;
      moved++;
    }
    return moved;
  },
};
