// Writes forever, one step per line acknowledged on stdout, until the test kills the process.
// Step i saves session `<run>-<i>`, appends { run, i } to the shared journal session and
// increments the run's counter; the acknowledgement is written only after all three finished.
import { createStorage } from '@stowage/core';
import { sqliteAdapter } from '../dist/index.js';

const [path, namespace, run] = process.argv.slice(2);
const storage = createStorage(sqliteAdapter({ path, namespace, sweepIntervalMs: 0 }), {
  timeout: 30_000,
});
const padding = 'x'.repeat(2048);
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  await storage.sessions.save({ id: `${run}-${i}`, data: { i, padding }, labels: { run } });
  await storage.messages.append('journal', [{ run, i }]);
  await storage.kv.increment(`counter:${run}`);
  process.stdout.write(`${i}\n`);
}
