import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { type BulkSeeder, chunkStarts, type SeedRow, seedRows } from './bulk-seeder.js';

/** Rows per transaction: large enough to amortise the commit, small enough to keep memory flat. */
const CHUNK = 10_000;

/**
 * Bulk-inserts into the tables of `sqliteAdapter({ path, namespace })` through a second
 * better-sqlite3 connection: prepared inserts into the sessions and label tables, one
 * transaction per chunk, with `synchronous = OFF` on this connection only (seeding is not
 * timed). SQLite keeps no statistics on its own, so `settle` only checkpoints the WAL.
 */
export function sqliteBulkSeeder(path: string, namespace: string): BulkSeeder {
  const db = new Database(path, { timeout: 60_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insertSession = db.prepare(
    `INSERT INTO ${namespace}_sessions (id, state, labels, version, created_at, updated_at, expires_at, max_expires_at, data)
     VALUES (?, ?, ?, 1, ?, ?, ?, NULL, ?)`,
  );
  const insertLabel = db.prepare(
    `INSERT INTO ${namespace}_session_labels (session_id, name, value) VALUES (?, ?, ?)`,
  );
  const base = Date.now() - 10_000_000;
  const write = db.transaction((rows: readonly SeedRow[], expiresAt: number | null) => {
    for (const r of rows) {
      insertSession.run(r.id, r.state, r.labels, r.createdAt, r.createdAt, expiresAt, r.data);
      for (const name in r.labelMap) insertLabel.run(r.id, name, r.labelMap[name]);
    }
  });
  return {
    async insert(prefix, from, to, expiresAt) {
      for (const start of chunkStarts(from, to, CHUNK)) {
        write(seedRows(prefix, start, Math.min(to, start + CHUNK), base), expiresAt);
        await yieldToLoop();
      }
    },
    async settle() {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async close() {
      db.close();
    },
  };
}
