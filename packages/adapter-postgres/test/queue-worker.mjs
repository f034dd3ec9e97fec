// A worker process: drains one queue through the built adapter and prints the job ids it acked.
import { createStorage } from '@stowage/core';
import { postgresAdapter } from '../dist/index.js';

const [url, schema, queueName] = process.argv.slice(2);
const storage = createStorage(postgresAdapter({ connection: url, schema, sweepIntervalMs: 0 }));
const queue = storage.queue(queueName);
const done = [];
try {
  // Every job is enqueued before the workers start, so an empty answer means the queue is drained.
  for (;;) {
    const job = await queue.dequeue();
    if (!job) break;
    done.push(job.payload.n);
    await job.ack();
  }
} finally {
  await storage.close();
}
process.stdout.write(JSON.stringify(done));
