import { afterAll } from 'vitest';
import {
  describePubSubProcesses,
  describeQueueProcesses,
} from '../../core/test/fixtures/queue-process-cases.js';
import { dropNamespace, randomNamespace, rawClient, STANDALONE_URL } from './support/backend.js';

const raw = rawClient('standalone');
const namespaces: string[] = [];
afterAll(async () => {
  for (const namespace of namespaces) await dropNamespace(raw, namespace);
  await raw.quit();
});

/** A namespace of its own per test on the shared server, deleted after the file. */
function target() {
  const namespace = randomNamespace('procs');
  namespaces.push(namespace);
  return { url: STANDALONE_URL, options: { namespace } };
}

describeQueueProcesses('Redis', target, {
  jobs: Number(process.env.STOWAGE_QUEUE_LOAD_JOBS ?? 40_000),
  workers: 4,
  concurrency: 2,
});

describePubSubProcesses('Redis', target, 200);
