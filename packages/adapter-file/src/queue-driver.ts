import { type QueueDriver, queueState } from '@stowage/core';
import { ADAPTER } from './errors.js';
import type { QueueStore } from './queue-store.js';

/**
 * Queue primitives over one file per queue, with core's queue rules (`queueState`). Every
 * mutating step reads, changes and rewrites the queue file while holding the queue's lock file,
 * so a job is leased to one worker at a time even when several processes share the folder;
 * `size` and `deadLetters` read the last committed file without the lock.
 */
export function queueDriver(queues: QueueStore): QueueDriver {
  return {
    enqueue(queue, writes) {
      return queues.update(queue, (record) => {
        const added = queueState.enqueue(record, writes);
        return { changed: added > 0, result: added };
      });
    },
    dequeue(queue, options, { now }) {
      return queues.update(queue, (record) => {
        const { leased, changed } = queueState.dequeue(record, options, now);
        return { changed, result: leased };
      });
    },
    ack(queue, jobId, token, { now }) {
      return queues.update(queue, (record) => {
        queueState.ack(record, queueState.held(record, queue, jobId, token, now, ADAPTER));
        return { changed: true, result: undefined };
      });
    },
    nack(queue, jobId, token, availableAt, { now }) {
      return queues.update(queue, (record) => {
        const job = queueState.held(record, queue, jobId, token, now, ADAPTER);
        return { changed: true, result: queueState.nack(job, availableAt, now) };
      });
    },
    extend(queue, jobId, token, visibleUntil, { now }) {
      return queues.update(queue, (record) => {
        queueState.held(record, queue, jobId, token, now, ADAPTER).visibleUntil = visibleUntil;
        return { changed: true, result: undefined };
      });
    },
    async size(queue, { now }) {
      return queueState.sizes(await queues.read(queue), now);
    },
    async deadLetters(queue, query, { now }) {
      return queueState.deadLetters(await queues.read(queue), query, now);
    },
    replay(queue, jobIds, { now }) {
      return queues.update(queue, (record) => {
        const moved = queueState.replay(record, jobIds, now);
        return { changed: moved > 0, result: moved };
      });
    },
  };
}
