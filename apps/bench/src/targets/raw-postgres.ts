import pg from 'pg';
import type { BenchEnv } from '../env.js';
import type { BenchDoc, Target, TargetSpec } from '../types.js';

const LIVE = '(expires_at IS NULL OR expires_at > $NOW)';

function live(nowParam: number): string {
  return LIVE.replace('$NOW', `$${nowParam}`);
}

/**
 * The PostgreSQL floor: plain pg queries on a table shaped like the adapter's (jsonb labels
 * with a GIN index, a messages table), one round trip per logical operation: the save is an
 * upsert whose version check restarts at 1 when the old row expired. The fixed per-key
 * statements are named prepared statements, as the adapter's are, so the ratio measures the
 * adapter's own cost rather than planning; listings and counts stay unnamed on both sides.
 */
async function rawPostgres(env: BenchEnv, slot: string): Promise<Target> {
  const pool = new pg.Pool({ connectionString: env.postgresUrl, max: 10 });
  const s = `${env.schema}.raw_${slot}_sessions`;
  const m = `${env.schema}.raw_${slot}_messages`;
  await pool.query(`CREATE TABLE ${s} (
    id text PRIMARY KEY, data text NOT NULL, state text NOT NULL, labels jsonb NOT NULL,
    version integer NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL,
    expires_at bigint)`);
  await pool.query(`CREATE INDEX ON ${s} (state)`);
  await pool.query(`CREATE INDEX ON ${s} (created_at, id)`);
  await pool.query(`CREATE INDEX ON ${s} (expires_at) WHERE expires_at IS NOT NULL`);
  await pool.query(`CREATE INDEX ON ${s} USING gin (labels jsonb_path_ops)`);
  await pool.query(`CREATE TABLE ${m} (session_id text NOT NULL, seq integer NOT NULL,
    body text NOT NULL, PRIMARY KEY (session_id, seq))`);

  const upsertSql = `INSERT INTO ${s} AS t (id, data, state, labels, version, created_at, updated_at, expires_at)
    SELECT id, data, state, labels::jsonb, 1, $5, $5, $6::bigint
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS i (id, data, state, labels)
    ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, state = EXCLUDED.state,
      labels = EXCLUDED.labels, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at,
      version = CASE WHEN t.expires_at <= $5 THEN 1 ELSE t.version + 1 END,
      created_at = CASE WHEN t.expires_at <= $5 THEN $5 ELSE t.created_at END
    RETURNING version`;
  const upsert = async (docs: readonly BenchDoc[], expires: number | null) => {
    await named('upsert', upsertSql, [
      docs.map((d) => d.id),
      docs.map((d) => JSON.stringify(d.data)),
      docs.map((d) => d.state),
      docs.map((d) => JSON.stringify(d.labels)),
      Date.now(),
      expires,
    ]);
  };
  const decode = (row: Record<string, unknown>) => ({
    ...row,
    data: JSON.parse(String(row.data)) as unknown,
  });
  const countOf = (rows: { n: string }[]) => Number(rows[0]?.n ?? 0);
  // A pool holds one target's statements only, so a short fixed name per statement is unique.
  const named = (name: string, text: string, values: unknown[]) =>
    pool.query({ name: `raw_${name}`, text, values });

  return {
    name: 'raw-postgres',
    backend: 'postgres',
    kind: 'raw',
    skips: {},
    save: (doc) => upsert([doc], null),
    async get(id) {
      const { rows } = await named('get', `SELECT * FROM ${s} WHERE id = $1 AND ${live(2)}`, [
        id,
        Date.now(),
      ]);
      return rows[0] === undefined ? null : decode(rows[0]);
    },
    async append(id, message) {
      // One statement: bump the live session's updatedAt and append after the current last.
      const { rowCount } = await named(
        'append',
        `WITH s AS (UPDATE ${s} SET updated_at = $3 WHERE id = $1 AND ${live(3)} RETURNING id)
         INSERT INTO ${m} (session_id, seq, body)
         SELECT s.id, COALESCE((SELECT MAX(seq) + 1 FROM ${m} WHERE session_id = $1), 0), $2 FROM s`,
        [id, JSON.stringify(message), Date.now()],
      );
      if (rowCount !== 1) throw new Error(`session ${id} not found`);
    },
    saveMany: (docs) => upsert(docs, null),
    async getMany(ids) {
      const { rows } = await named(
        'getMany',
        `SELECT * FROM ${s} WHERE id = ANY($1) AND ${live(2)}`,
        [ids, Date.now()],
      );
      const byId = new Map(rows.map((row: Record<string, unknown>) => [row.id, decode(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    query: {
      async seed(docs) {
        for (let i = 0; i < docs.length; i += 1000) await upsert(docs.slice(i, i + 1000), null);
      },
      async listByState(state) {
        const { rows } = await pool.query(
          `SELECT * FROM ${s} WHERE state = $1 AND ${live(2)} ORDER BY created_at, id LIMIT 100`,
          [state, Date.now()],
        );
        return rows.map(decode).length;
      },
      async listByLabel(key, value) {
        const { rows } = await pool.query(
          `SELECT * FROM ${s} WHERE labels @> $1::jsonb AND ${live(2)} ORDER BY created_at, id LIMIT 100`,
          [JSON.stringify({ [key]: value }), Date.now()],
        );
        return rows.map(decode).length;
      },
      async countByState(state) {
        const { rows } = await pool.query(
          `SELECT COUNT(*) AS n FROM ${s} WHERE state = $1 AND ${live(2)}`,
          [state, Date.now()],
        );
        return countOf(rows);
      },
      async countByLabel(key, value) {
        const { rows } = await pool.query(
          `SELECT COUNT(*) AS n FROM ${s} WHERE labels @> $1::jsonb AND ${live(2)}`,
          [JSON.stringify({ [key]: value }), Date.now()],
        );
        return countOf(rows);
      },
    },
    sweep: {
      async seedExpired(docs) {
        for (let i = 0; i < docs.length; i += 1000) await upsert(docs.slice(i, i + 1000), 1);
      },
      async sweepAll() {
        let total = 0;
        for (;;) {
          const { rows } = await pool.query(
            `WITH gone AS (DELETE FROM ${s} WHERE id IN (
               SELECT id FROM ${s} WHERE expires_at <= $1 LIMIT 1000 FOR UPDATE SKIP LOCKED)
             RETURNING id),
             messages AS (DELETE FROM ${m} WHERE session_id IN (SELECT id FROM gone))
             SELECT COUNT(*) AS n FROM gone`,
            [Date.now()],
          );
          const removed = countOf(rows);
          total += removed;
          if (removed === 0) return total;
        }
      },
    },
    close: () => pool.end(),
  };
}

/** The raw pg target. */
export function rawPostgresSpec(env: BenchEnv): TargetSpec {
  return {
    name: 'raw-postgres',
    backend: 'postgres',
    kind: 'raw',
    create: (slot) => rawPostgres(env, slot),
  };
}
