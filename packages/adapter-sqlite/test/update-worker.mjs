// Runs `count` concurrent read-modify-write updates of one session's counter, then exits.
import { createStorage } from '@stowage/core';
import { sqliteAdapter } from '../dist/index.js';

const [path, namespace, id, countText] = process.argv.slice(2);
const storage = createStorage(sqliteAdapter({ path, namespace, sweepIntervalMs: 0 }), {
  timeout: 30_000,
});
const bump = (current) => ({ data: { count: (current?.data.count ?? 0) + 1 } });
await Promise.all(
  Array.from({ length: Number(countText) }, () =>
    storage.sessions.update(id, bump, { retries: 1000 }),
  ),
);
await storage.close();
process.stdout.write('done\n');
