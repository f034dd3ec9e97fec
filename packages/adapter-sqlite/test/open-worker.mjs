// Opens the file (migrating it if it is new), saves one session and exits.
import { createStorage } from '@stowage/core';
import { sqliteAdapter } from '../dist/index.js';

const [path, namespace, id] = process.argv.slice(2);
const storage = createStorage(sqliteAdapter({ path, namespace, sweepIntervalMs: 0 }));
await storage.sessions.save({ id, data: { by: process.pid } });
await storage.close();
process.stdout.write('done\n');
