import { type QueueState, queueState } from './queue-state.js';
import type { QueueDriver } from './types.js';

/** The in-process queue store of one memory adapter. */
export interface MemoryQueues {
  driver: QueueDriver;
  /** Number of jobs held in every queue, for health reports. */
  count(): number;
  clear(): void;
}

/** Queues kept in a map per queue name, each a `QueueState` driven by core's queue rules. */
export function memoryQueues(adapter: string): MemoryQueues {
  const queues = new Map<string, QueueState>();
  const stateOf = (queue: string): QueueState => {
    let state = queues.get(queue);
    if (!state) {
      state = queueState.empty();
      queues.set(queue, state);
    }
    return state;
  };

  const driver: QueueDriver = {
    async enqueue(queue, writes) {
      return queueState.enqueue(stateOf(queue), writes);
    },
    async dequeue(queue, options, { now }) {
      return queueState.dequeue(stateOf(queue), options, now).leased;
    },
    async ack(queue, jobId, token, { now }) {
      const state = stateOf(queue);
      queueState.ack(state, queueState.held(state, queue, jobId, token, now, adapter));
    },
    async nack(queue, jobId, token, availableAt, { now }) {
      const job = queueState.held(stateOf(queue), queue, jobId, token, now, adapter);
      return queueState.nack(job, availableAt, now);
    },
    async extend(queue, jobId, token, visibleUntil, { now }) {
      queueState.held(stateOf(queue), queue, jobId, token, now, adapter).visibleUntil =
        visibleUntil;
    },
    async size(queue, { now }) {
      return queueState.sizes(stateOf(queue), now);
    },
    async deadLetters(queue, query, { now }) {
      return queueState.deadLetters(stateOf(queue), query, now);
    },
    async replay(queue, jobIds, { now }) {
      return queueState.replay(stateOf(queue), jobIds, now);
    },
  };

  return {
    driver,
    count: () => {
      let total = 0;
      for (const state of queues.values()) total += state.jobs.length;
      return total;
    },
    clear: () => queues.clear(),
  };
}
