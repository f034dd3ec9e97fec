import pg from 'pg';
import { mapLimit } from '../limit.js';
import { type BulkSeeder, chunkStarts, type SeedRow, seedRows } from './bulk-seeder.js';

/** Rows per statement: one `INSERT ... SELECT FROM unnest(...)` with six array parameters. */
const CHUNK = 5000;
/** Statements in flight: one builds the next chunk in Node while the server inserts the last. */
const IN_FLIGHT = 2;

/**
 * Bulk-inserts into the sessions table of `postgresAdapter({ schema, namespace })`: each chunk
 * is one statement that unnests column arrays, so a million rows are 200 round trips. The
 * adapter's triggers on the sessions table fill its label table and state counters in the same
 * statement, as they do for every write. `settle` folds the state changes the inserts appended
 * into the state counters, as the adapter's sweeper does on every tick (the timed storage runs
 * with `sweepIntervalMs: 0`), then runs `VACUUM (ANALYZE)` on the tables, the state autovacuum
 * leaves insert-only tables in, so the timed queries see planner statistics and a visibility map
 * (index-only label counts) as a long-running table would have.
 */
export function postgresBulkSeeder(url: string, schema: string, namespace: string): BulkSeeder {
  const pool = new pg.Pool({ connectionString: url, max: IN_FLIGHT });
  const table = `"${schema}"."${namespace}_sessions"`;
  const labels = `"${schema}"."${namespace}_labels"`;
  const counts = `"${schema}"."${namespace}_state_counts"`;
  const moves = `"${schema}"."${namespace}_state_moves"`;
  const base = Date.now() - 10_000_000;
  const insert = (rows: SeedRow[], expiresAt: number | null) =>
    pool.query(
      `INSERT INTO ${table} (id, data, state, labels, version, created_at, updated_at, expires_at)
       SELECT u.id, u.data, u.state, u.labels::jsonb, 1,
              to_timestamp(u.created / 1000), to_timestamp(u.created / 1000),
              to_timestamp($5::float8 / 1000)
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::float8[])
         AS u(id, data, state, labels, created)`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.data),
        rows.map((r) => r.state),
        rows.map((r) => r.labels),
        expiresAt,
        rows.map((r) => r.createdAt),
      ],
    );
  return {
    async insert(prefix, from, to, expiresAt) {
      await mapLimit(chunkStarts(from, to, CHUNK), IN_FLIGHT, (start) =>
        insert(seedRows(prefix, start, Math.min(to, start + CHUNK), base), expiresAt),
      );
    },
    async settle() {
      // The statement of the adapter's foldStateMovesSql (sweeper.ts), for these tables.
      await pool.query(
        `WITH moved AS (DELETE FROM ${moves} RETURNING state, n)
         INSERT INTO ${counts} AS c (state, shard, n)
         SELECT state, -1, sum(n) FROM moved GROUP BY state ORDER BY state
         ON CONFLICT (state, shard) DO UPDATE SET n = c.n + excluded.n`,
      );
      await pool.query(`VACUUM (ANALYZE) ${table}, ${labels}, ${counts}, ${moves}`);
    },
    close: () => pool.end(),
  };
}
