import { open } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { type BulkSeeder, chunkStarts, type SeedRow, seedRows } from './bulk-seeder.js';

/** Rows per transaction: large enough to amortise the commit, small enough to keep memory flat. */
const CHUNK = 10_000;

/**
 * Bulk-inserts into the tables of `sqliteAdapter({ path, namespace })` through a second
 * better-sqlite3 connection: prepared inserts into the sessions and label tables (label rows
 * carry their session's `created_at`, as the adapter writes them since schema 3), one
 * transaction per chunk, with `synchronous = OFF` on this connection only (seeding is not
 * timed). Each chunk also adds its sessions to the per-state counter table (schema 4), in the
 * same transaction, as the adapter does on every write; `settle` checks that the counters add up
 * to the rows. SQLite keeps no statistics on its own, so `settle` otherwise only checkpoints the
 * WAL into the database file and syncs the file.
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
    `INSERT INTO ${namespace}_session_labels (session_id, name, value, created_at) VALUES (?, ?, ?, ?)`,
  );
  const addToState = db.prepare(
    `INSERT INTO ${namespace}_state_counts (state, n) VALUES (?, ?)
     ON CONFLICT (state) DO UPDATE SET n = n + excluded.n`,
  );
  const base = Date.now() - 10_000_000;
  const write = db.transaction((rows: readonly SeedRow[], expiresAt: number | null) => {
    const perState = new Map<string, number>();
    for (const r of rows) {
      insertSession.run(r.id, r.state, r.labels, r.createdAt, r.createdAt, expiresAt, r.data);
      for (const name in r.labelMap) insertLabel.run(r.id, name, r.labelMap[name], r.createdAt);
      perState.set(r.state, (perState.get(r.state) ?? 0) + 1);
    }
    for (const [state, n] of perState) addToState.run(state, n);
  });
  return {
    async insert(prefix, from, to, expiresAt) {
      for (const start of chunkStarts(from, to, CHUNK)) {
        write(seedRows(prefix, start, Math.min(to, start + CHUNK), base), expiresAt);
        await yieldToLoop();
      }
    },
    async settle() {
      // Untimed: counters that missed rows would make count-state fast and wrong.
      const counted = db
        .prepare(
          `SELECT (SELECT coalesce(sum(n), 0) FROM ${namespace}_state_counts) - (SELECT count(*) FROM ${namespace}_sessions)`,
        )
        .pluck()
        .get() as number;
      if (counted !== 0) throw new Error(`state counters are off by ${counted} after seeding`);
      db.pragma('wal_checkpoint(TRUNCATE)');
      // Seeding never syncs, so the file's pages (a gigabyte at a million rows) are still dirty
      // in the OS cache; the adapter's first WAL checkpoint would flush them all in its fsync,
      // on the event loop, and a sweep would be charged for the seeding. Sync them now, untimed:
      // a long-running database has its rows on disk.
      const file = await open(path, 'r+');
      try {
        await file.sync();
      } finally {
        await file.close();
      }
    },
    async close() {
      db.close();
    },
  };
}
