import pg from 'pg';
import { mapLimit } from '../limit.js';
import { type BulkSeeder, chunkStarts, type SeedRow, seedRows } from './bulk-seeder.js';

/** Rows per statement: one `INSERT ... SELECT FROM unnest(...)` with six array parameters. */
const CHUNK = 5000;
/** Statements in flight: one builds the next chunk in Node while the server inserts the last. */
const IN_FLIGHT = 2;

/**
 * Bulk-inserts into the sessions table of `postgresAdapter({ schema, namespace })`: each chunk
 * is one statement that unnests column arrays, so a million rows are 200 round trips. `settle`
 * runs `VACUUM (ANALYZE)`, the state autovacuum leaves an insert-only table in, so the timed
 * queries see planner statistics and a visibility map as a long-running table would have.
 */
export function postgresBulkSeeder(url: string, schema: string, namespace: string): BulkSeeder {
  const pool = new pg.Pool({ connectionString: url, max: IN_FLIGHT });
  const table = `"${schema}"."${namespace}_sessions"`;
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
      await pool.query(`VACUUM (ANALYZE) ${table}`);
    },
    close: () => pool.end(),
  };
}
