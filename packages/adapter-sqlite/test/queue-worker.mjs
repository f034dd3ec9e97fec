// Drains a queue: leases one job at a time and acks it, until no job is left. Prints each job
// id it processed, one per line, so the parent can check every job was processed exactly once.
import { createStorage } from '@stowage/core';
import { sqliteAdapter } from '../dist/index.js';

const [path, namespace, queueName] = process.argv.slice(2);
const storage = createStorage(sqliteAdapter({ path, namespace, sweepIntervalMs: 0 }));
const queue = storage.queue(queueName);
const done = [];
for (;;) {
  // A long visibility: with acks and no crashes, no lease may end and cause a redelivery.
  const job = await queue.dequeue({ visibility: '5m' });
  if (!job) break;
  await job.ack();
  done.push(job.id);
}
await storage.close();
process.stdout.write(done.map((id) => `${id}\n`).join(''));
