// A migration in its own process, so a test can SIGKILL it part-way:
//   node migrate-worker.mjs <source.db> <target.db> [--resume]
// Prints one line per completed batch ("sessions 300") and the result as JSON at the end.
import { sqliteAdapter } from '@stowage/adapter-sqlite';
import { migrate } from '@stowage/core';

const [from, to, flag] = process.argv.slice(2);
const resume = flag === '--resume';
const result = await migrate(sqliteAdapter({ path: from }), sqliteAdapter({ path: to }), {
  batchSize: 100,
  resume,
  verify: resume,
  onProgress: (p) => process.stdout.write(`${p.phase} ${p.done}\n`),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
