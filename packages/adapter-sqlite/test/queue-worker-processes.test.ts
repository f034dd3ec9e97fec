import { afterAll } from 'vitest';
import { describeQueueProcesses } from '../../core/test/fixtures/queue-process-cases.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('queue-worker-processes');
afterAll(() => tmp.cleanup());

let files = 0;
/** A database file of its own per test, opened by the parent and every worker process. */
function target() {
  const path = tmp.path(`queue-${++files}.db`);
  return { url: `sqlite://${path}`, options: { adapterOptions: { sweepIntervalMs: 0 } } };
}

describeQueueProcesses('SQLite', target, {
  jobs: Number(process.env.STOWAGE_QUEUE_LOAD_JOBS ?? 40_000),
  workers: 4,
  concurrency: 1,
});
