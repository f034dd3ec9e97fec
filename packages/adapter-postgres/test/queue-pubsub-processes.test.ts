import { afterAll } from 'vitest';
import {
  describePubSubProcesses,
  describeQueueProcesses,
} from '../../core/test/fixtures/queue-process-cases.js';
import { dropSchema, randomSchema, SHARED_URL } from './support/shared-server.js';

const schema = randomSchema();
afterAll(() => dropSchema(schema));

let namespaces = 0;
/** The file's schema on the shared server, with a table prefix of its own per test. */
function target() {
  return {
    url: SHARED_URL,
    options: {
      namespace: `proc${++namespaces}`,
      adapterOptions: { schema, sweepIntervalMs: 0 },
    },
  };
}

// 40,000 jobs take about 90 s here (two statements per job on a shared 2-core machine), beyond
// the suite's budget, so CI drains 10,000; STOWAGE_QUEUE_LOAD_JOBS=40000 runs the full size.
describeQueueProcesses('PostgreSQL', target, {
  jobs: Number(process.env.STOWAGE_QUEUE_LOAD_JOBS ?? 10_000),
  workers: 4,
  concurrency: 2,
});

describePubSubProcesses('PostgreSQL', target, 200);
