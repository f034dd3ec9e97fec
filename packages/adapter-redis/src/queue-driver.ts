import { randomUUID } from 'node:crypto';
import { type DeadJob, type LeasedJob, LeaseLostError, type QueueDriver } from '@stowage/core';
import { ADAPTER } from './errors.js';
import { decodeId, encodeId } from './keys.js';
import {
  ackJob,
  deadJobs,
  dequeueJobs,
  enqueueJobs,
  extendJob,
  nackJob,
  queueSizes,
  replayJobs,
} from './lua/queue-scripts.js';
import type { ScriptRunner } from './script-runner.js';

/** Enqueue writes per script call, so one huge batch never builds one huge ARGV. */
const ENQUEUE_SLICE = 1000;

function lost(queue: string, jobId: string): LeaseLostError {
  return new LeaseLostError(queue, jobId, { adapter: ADAPTER });
}

/**
 * Job queues as sorted sets in the namespace's slot: ready jobs scored by availability (ties
 * in enqueue order), leases scored by their end, dead jobs by failure time. Each step is one
 * Lua script that first settles leases ended at `ctx.now`, so a job is never leased twice.
 */
export function queueDriver(runner: ScriptRunner): QueueDriver {
  return {
    async enqueue(queue, jobs, ctx) {
      const q = encodeId(queue);
      let added = 0;
      for (let i = 0; i < jobs.length; i += ENQUEUE_SLICE) {
        const args: (string | number)[] = [q];
        for (const job of jobs.slice(i, i + ENQUEUE_SLICE)) {
          args.push(encodeId(job.id), job.payload, job.availableAt, job.maxAttempts);
        }
        added += Number(await runner.write(enqueueJobs, ctx.now, args));
      }
      return added;
    },
    async dequeue(queue, { visibleUntil, limit }, ctx) {
      const flat = (await runner.write(dequeueJobs, ctx.now, [
        encodeId(queue),
        visibleUntil,
        limit,
        randomUUID(),
      ])) as (string | number)[];
      const leased: LeasedJob[] = [];
      for (let i = 0; i < flat.length; i += 5) {
        leased.push({
          id: decodeId(String(flat[i])),
          payload: String(flat[i + 1]),
          attempts: Number(flat[i + 2]),
          maxAttempts: Number(flat[i + 3]),
          token: String(flat[i + 4]),
          visibleUntil,
        });
      }
      return leased;
    },
    async ack(queue, jobId, token, ctx) {
      const done = await runner.write(ackJob, ctx.now, [encodeId(queue), encodeId(jobId), token]);
      if (Number(done) !== 1) throw lost(queue, jobId);
    },
    async nack(queue, jobId, token, availableAt, ctx) {
      const outcome = await runner.write(nackJob, ctx.now, [
        encodeId(queue),
        encodeId(jobId),
        token,
        availableAt,
      ]);
      if (outcome === 'queued' || outcome === 'dead') return outcome;
      throw lost(queue, jobId);
    },
    async extend(queue, jobId, token, visibleUntil, ctx) {
      const done = await runner.write(extendJob, ctx.now, [
        encodeId(queue),
        encodeId(jobId),
        token,
        visibleUntil,
      ]);
      if (Number(done) !== 1) throw lost(queue, jobId);
    },
    async size(queue, ctx) {
      // Settling ended leases writes, so sizes go through the write path like dequeue.
      const [ready, delayed, leased, dead] = (await runner.write(queueSizes, ctx.now, [
        encodeId(queue),
      ])) as number[];
      return {
        ready: Number(ready),
        delayed: Number(delayed),
        leased: Number(leased),
        dead: Number(dead),
      };
    },
    async deadLetters(queue, { limit, after }, ctx) {
      const cursor = after ? ['1', after.createdAt, encodeId(after.id)] : ['0'];
      const flat = (await runner.write(deadJobs, ctx.now, [
        encodeId(queue),
        limit,
        ...cursor,
      ])) as string[];
      const dead: DeadJob[] = [];
      for (let i = 0; i < flat.length; i += 4) {
        dead.push({
          id: decodeId(String(flat[i])),
          payload: String(flat[i + 1]),
          attempts: Number(flat[i + 2]),
          failedAt: Number(flat[i + 3]),
        });
      }
      return dead;
    },
    async replay(queue, jobIds, ctx) {
      if (jobIds.length === 0) return 0;
      return Number(
        await runner.write(replayJobs, ctx.now, [encodeId(queue), ...jobIds.map(encodeId)]),
      );
    },
  };
}
