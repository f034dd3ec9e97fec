import { join } from 'node:path';
import { CorruptionError, type QueueState } from '@stowage/core';
import { seal, unseal } from './envelope.js';
import { ADAPTER } from './errors.js';
import { readIfExists, syncDir, unlinkIfExists, writeAtomic } from './fs-io.js';
import { withLock } from './lock.js';
import { encodeName } from './names.js';
import type { FileStore } from './store.js';

/** A queue file's content: every job of one queue and the next enqueue sequence number. */
export interface QueueRecord extends QueueState {
  queue: string;
}

/**
 * Reads and writes whole queue files (`queues/<encoded name>.json`). One file per queue keeps
 * every step a single atomic replace, so a step done under the queue's lock is atomic across
 * processes and a reader without the lock always sees a consistent snapshot.
 */
export class QueueStore {
  readonly dir: string;

  constructor(private readonly store: FileStore) {
    this.dir = store.queuesDir;
  }

  /** The queue's record (empty when the queue has no file); a damaged file is a `CorruptionError`. */
  async read(queue: string): Promise<QueueRecord> {
    const file = `${encodeName(queue)}.json`;
    const raw = await readIfExists(join(this.dir, file));
    if (raw === undefined) return { queue, nextSeq: 0, jobs: [] };
    const what = `Queue file ${file} (queue ${JSON.stringify(queue)})`;
    const record = unseal(raw, what) as QueueRecord;
    if (!Array.isArray(record?.jobs) || typeof record.nextSeq !== 'number') {
      throw new CorruptionError(`${what} does not hold a queue`, { adapter: ADAPTER });
    }
    if (record.queue !== queue) {
      throw new CorruptionError(`${what} holds another queue`, { adapter: ADAPTER });
    }
    return record;
  }

  /** Replaces the queue file atomically; an empty queue's file is removed instead. */
  async write(record: QueueRecord): Promise<void> {
    const file = `${encodeName(record.queue)}.json`;
    if (record.jobs.length > 0) {
      await writeAtomic(this.dir, file, seal(record), this.store.durable);
    } else if ((await unlinkIfExists(join(this.dir, file))) && this.store.durable) {
      await syncDir(this.dir);
    }
  }

  /**
   * Runs `step` on the queue's record under the queue's inter-process lock and writes the
   * record back when `step` reports a change, so each step is one atomic transition.
   */
  update<T>(
    queue: string,
    step: (record: QueueRecord) => { changed: boolean; result: T },
  ): Promise<T> {
    const lock = join(this.store.locksDir, `q-${encodeName(queue)}.lock`);
    return withLock(lock, this.store.lock, async () => {
      const record = await this.read(queue);
      const { changed, result } = step(record);
      if (changed) await this.write(record);
      return result;
    });
  }
}
