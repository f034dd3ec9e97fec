import { createHash } from 'node:crypto';
import { ConfigError } from '@stowage/core';
import type { Executor } from './database.js';
import { ADAPTER } from './errors.js';
import { quoteIdent, type TableNames } from './sql.js';

/** One schema change, applied once per schema and namespace, in order. */
interface Migration {
  version: number;
  name: string;
  statements: (t: TableNames, index: (suffix: string) => string) => string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, messages, idempotency keys and kv',
    statements: (t, index) => [
      // COLLATE "C" makes ordering and range comparisons bytewise, matching the code-unit order
      // the contract asks for (for every id outside the astral planes) and letting LIKE 'x%'
      // use the primary key.
      `CREATE TABLE IF NOT EXISTS ${t.sessions} (
        id text COLLATE "C" PRIMARY KEY,
        data jsonb NOT NULL,
        state text NOT NULL,
        labels jsonb NOT NULL DEFAULT '{}'::jsonb,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        expires_at timestamptz,
        max_expires_at timestamptz,
        msg_head bigint NOT NULL DEFAULT 0,
        msg_next bigint NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX IF NOT EXISTS ${index('s_state')} ON ${t.sessions} (state)`,
      `CREATE INDEX IF NOT EXISTS ${index('s_updated')} ON ${t.sessions} (updated_at)`,
      `CREATE INDEX IF NOT EXISTS ${index('s_expires')} ON ${t.sessions} (expires_at) WHERE expires_at IS NOT NULL`,
      `CREATE INDEX IF NOT EXISTS ${index('s_created')} ON ${t.sessions} (created_at, id)`,
      `CREATE INDEX IF NOT EXISTS ${index('s_labels')} ON ${t.sessions} USING gin (labels jsonb_path_ops)`,
      `CREATE TABLE IF NOT EXISTS ${t.messages} (
        session_id text COLLATE "C" NOT NULL REFERENCES ${t.sessions} (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        body jsonb NOT NULL,
        PRIMARY KEY (session_id, seq)
      )`,
      `CREATE TABLE IF NOT EXISTS ${t.idempotency} (
        session_id text COLLATE "C" NOT NULL REFERENCES ${t.sessions} (id) ON DELETE CASCADE,
        key text COLLATE "C" NOT NULL,
        PRIMARY KEY (session_id, key)
      )`,
      `CREATE TABLE IF NOT EXISTS ${t.kv} (
        key text COLLATE "C" PRIMARY KEY,
        value text NOT NULL,
        expires_at timestamptz
      )`,
      `CREATE INDEX IF NOT EXISTS ${index('kv_expires')} ON ${t.kv} (expires_at) WHERE expires_at IS NOT NULL`,
    ],
  },
  {
    version: 2,
    name: 'queue jobs and large pub/sub messages',
    statements: (t, index) => [
      `CREATE SEQUENCE IF NOT EXISTS ${t.jobSeq}`,
      // available_at doubles as the lease end while a token is held: an ended lease then makes
      // the job ready (or dead) from that moment without any write, and one index serves
      // dequeue ordering in every state.
      `CREATE TABLE IF NOT EXISTS ${t.jobs} (
        queue text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        payload text NOT NULL,
        available_at int8 NOT NULL,
        max_attempts integer NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        seq int8 NOT NULL,
        token text,
        failed_at int8,
        PRIMARY KEY (queue, id)
      )`,
      `CREATE INDEX IF NOT EXISTS ${index('jobs_ready')} ON ${t.jobs} (queue, available_at, seq) WHERE failed_at IS NULL`,
      `CREATE INDEX IF NOT EXISTS ${index('jobs_dead')} ON ${t.jobs} (queue, failed_at, id) WHERE failed_at IS NOT NULL`,
      `CREATE TABLE IF NOT EXISTS ${t.pubsub} (
        id bigserial PRIMARY KEY,
        message text NOT NULL,
        created_at int8 NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS ${index('pubsub_created')} ON ${t.pubsub} (created_at)`,
    ],
  },
  {
    version: 3,
    name: 'state index in keyset order, session documents as text',
    statements: (t, index) => [
      // With the state first and the keyset after it, a listing by state reads its page in
      // order instead of sorting every session in that state; carrying expires_at lets counts
      // skip the table for pages the visibility map marks all-visible. It replaces the plain
      // state index, which it covers. Built inside the migration transaction (CONCURRENTLY
      // cannot be), so writes to the sessions table wait while it builds.
      `CREATE INDEX IF NOT EXISTS ${index('s_state_keyset')} ON ${t.sessions} (state, created_at, id) INCLUDE (expires_at)`,
      `DROP INDEX IF EXISTS ${t.schema}.${index('s_state')}`,
      // Documents are never queried inside, and parsing each one into jsonb on every save cost
      // more than the rest of a batch save. As text they round-trip byte for byte. Instances
      // still on version 2 keep working: their jsonb values are assigned to text by cast.
      `ALTER TABLE ${t.sessions} ALTER COLUMN data TYPE text USING data::text`,
    ],
  },
  {
    version: 4,
    name: 'label table and state counts, kept by triggers',
    statements: (t, index) => sessionIndexStatements(t, index),
  },
  {
    version: 5,
    name: 'sessions updated in place: no updated_at index, fillfactor 80, replaced-row cleanup',
    statements: (t, index) => [
      // Every save and every append sets updated_at, so an index on it made every one of those
      // updates non-HOT: a new entry in all six indexes of the table (the GIN one included) and
      // their WAL, about a quarter of a save's server time. Filters on updatedAfter/updatedBefore
      // alone now read the table (or another index when combined with a state or labels).
      `DROP INDEX IF EXISTS ${t.schema}.${index('s_updated')}`,
      // Free space on each page lets those updates stay on the row's page (HOT) instead of
      // touching every index. Applies to pages written from now on; no rewrite.
      `ALTER TABLE ${t.sessions} SET (fillfactor = 80)`,
      // Called from the RETURNING list of the upserts for a row that replaced an expired one
      // (see session-writes.ts), so saves of live rows never open these tables.
      `CREATE OR REPLACE FUNCTION ${t.dropReplaced}(sid text, head int8) RETURNS void
        LANGUAGE sql AS $fn$
        DELETE FROM ${t.messages} WHERE session_id = sid AND seq < head;
        DELETE FROM ${t.idempotency} WHERE session_id = sid;
      $fn$`,
    ],
  },
];

/**
 * Counter shards of the delete trigger: concurrent deletes and sweeps in one state update
 * different rows (the shard is a hash of the session id), and the trigger upserts its rows sorted
 * by (state, shard), so statements take counter row locks in one order and cannot deadlock on
 * them. Shard -1 belongs to the sweeper, which folds `state_moves` into it (`foldStateMovesSql`).
 */
const SHARDS = 16;

/**
 * Migration 4: a label table and per-state counts, maintained by triggers on the sessions table
 * in the statement of every write (so every write path, raw SQL included, keeps them exact), and
 * costing nothing on the common save, an update of a live session that keeps its state and
 * labels. Inserts fire a row-level trigger (only for rows really inserted: an upsert that updates
 * fires none, where a statement-level one would run, and cost, on every upsert) that writes the
 * label rows and appends `+1` for the state to `state_moves`. Updates fire a row-level trigger
 * whose WHEN clause skips it unless the state, the labels or `created_at` changed; a state change
 * appends `-1`/`+1`. `state_moves` is insert-only, so these triggers take no lock another session
 * could hold: counter rows updated per row, in the order a batch happens to insert them, could
 * deadlock two concurrent batches, and sorting batches by counter row would make overlapping
 * batches deadlock on the session rows instead. Each sweep folds the moves into the counters.
 * Deletes fire a statement-level trigger with a transition table: a sweep batch of 1,000 rows is
 * one label delete and one sorted counter upsert. The tables mirror every stored row,
 * expired-but-unswept ones included; counts subtract those at query time. The triggers are
 * created before the backfill: their lock on the sessions table (SHARE ROW EXCLUSIVE) holds
 * every writer back until the migration commits, so no write falls between the backfill and the
 * triggers. Every statement can run again (the v2 and v3 upgrade tests rerun it).
 */
function sessionIndexStatements(t: TableNames, index: (suffix: string) => string): string[] {
  const fn = (event: string): string => `${t.schema}.${index(`s_after_${event}`)}`;
  const shard = (id: string): string => `hashtext(${id}) & ${SHARDS - 1}`;
  const addCounts = (select: string): string =>
    `INSERT INTO ${t.stateCounts} AS c (state, shard, n) ${select}
      ON CONFLICT (state, shard) DO UPDATE SET n = c.n + excluded.n`;
  const insertLabels = (from: string): string =>
    `INSERT INTO ${t.labels} (session_id, name, value, created_at)
      SELECT n.id, e.key, e.value, n.created_at FROM ${from}, jsonb_each_text(n.labels) e`;
  const dropTrigger = (event: string): string =>
    `DROP TRIGGER IF EXISTS ${index(`s_after_${event}`)} ON ${t.sessions}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${t.labels} (
      session_id text COLLATE "C" NOT NULL,
      name text COLLATE "C" NOT NULL,
      value text COLLATE "C" NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (session_id, name)
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.stateCounts} (
      state text COLLATE "C" NOT NULL,
      shard smallint NOT NULL,
      n int8 NOT NULL,
      PRIMARY KEY (state, shard)
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.stateMoves} (state text COLLATE "C" NOT NULL, n int8 NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS ${index('moves_state')} ON ${t.stateMoves} (state) INCLUDE (n)`,
    `CREATE OR REPLACE FUNCTION ${fn('insert')}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO ${t.labels} (session_id, name, value, created_at)
        SELECT NEW.id, e.key, e.value, NEW.created_at FROM jsonb_each_text(NEW.labels) e;
      INSERT INTO ${t.stateMoves} (state, n) VALUES (NEW.state, 1);
      RETURN NULL;
    END $fn$`,
    `CREATE OR REPLACE FUNCTION ${fn('update')}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF NEW.labels <> OLD.labels OR NEW.created_at <> OLD.created_at THEN
        DELETE FROM ${t.labels} WHERE session_id = OLD.id;
        INSERT INTO ${t.labels} (session_id, name, value, created_at)
          SELECT NEW.id, e.key, e.value, NEW.created_at FROM jsonb_each_text(NEW.labels) e;
      END IF;
      IF NEW.state <> OLD.state THEN
        INSERT INTO ${t.stateMoves} (state, n) VALUES (OLD.state, -1), (NEW.state, 1);
      END IF;
      RETURN NULL;
    END $fn$`,
    `CREATE OR REPLACE FUNCTION ${fn('delete')}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
      -- ANY(ARRAY(...)) probes the primary key per id; a join with the transition table (no
      -- statistics) may be planned as a scan of the whole label table.
      DELETE FROM ${t.labels} WHERE session_id = ANY(ARRAY(SELECT id FROM old_rows));
      ${addCounts(`SELECT o.state, ${shard('o.id')}, -count(*) FROM old_rows o GROUP BY 1, 2 ORDER BY 1, 2`)};
      RETURN NULL;
    END $fn$`,
    dropTrigger('insert'),
    `CREATE TRIGGER ${index('s_after_insert')} AFTER INSERT ON ${t.sessions} FOR EACH ROW
      EXECUTE FUNCTION ${fn('insert')}()`,
    dropTrigger('update'),
    `CREATE TRIGGER ${index('s_after_update')} AFTER UPDATE ON ${t.sessions} FOR EACH ROW
      WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.labels IS DISTINCT FROM NEW.labels
        OR OLD.created_at IS DISTINCT FROM NEW.created_at)
      EXECUTE FUNCTION ${fn('update')}()`,
    dropTrigger('delete'),
    `CREATE TRIGGER ${index('s_after_delete')} AFTER DELETE ON ${t.sessions}
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn('delete')}()`,
    // Backfill from the rows as they are now (again from scratch on a rerun). The label index is
    // built after the rows are in, which is several times faster than filling an indexed table.
    `DELETE FROM ${t.labels}`,
    `DELETE FROM ${t.stateCounts}`,
    `DELETE FROM ${t.stateMoves}`,
    insertLabels(`${t.sessions} n`),
    `INSERT INTO ${t.stateCounts} (state, shard, n)
      SELECT state, ${shard('id')}, count(*) FROM ${t.sessions} GROUP BY 1, 2`,
    `CREATE INDEX IF NOT EXISTS ${index('labels_keyset')} ON ${t.labels} (name, value, created_at, session_id)`,
    // Counting by label reads only (name, value): B-tree deduplication stores each pair once
    // with a list of row pointers, so this index is about 15 times smaller than the keyset one
    // (13 MB against 198 MB for 2,000,000 labels) and a count walks a few pages per 20,000.
    `CREATE INDEX IF NOT EXISTS ${index('labels_count')} ON ${t.labels} (name, value)`,
    `ANALYZE ${t.labels}`,
  ];
}

/**
 * Deadline of each migration statement, on the server and the client. Rewriting or indexing a
 * sessions table of millions of rows takes far longer than a call's deadline, but a migration
 * stuck on a dead connection must still end (and be retried on the next open).
 */
const MIGRATION_TIMEOUT_MS = 15 * 60_000;

/** The schema version this release of the adapter needs. */
export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** A signed 64-bit advisory-lock key, stable for a purpose and a schema+namespace. */
export function lockKey(purpose: string, scope: string): string {
  return createHash('sha256')
    .update(`stowage:${purpose}:${scope}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

/**
 * Brings the tables up to `LATEST_VERSION`. Runs in one transaction under an advisory lock
 * keyed by schema and namespace, so instances starting together apply each migration exactly
 * once and the others wait, then find nothing to do. Returns the versions it applied.
 *
 * A migration that rewrites a large table may run longer than a call's deadline, so its
 * statements get `MIGRATION_TIMEOUT_MS` instead; each table lock it needs is awaited at most
 * `lockTimeoutMs`, because a DDL statement queued behind a long transaction would stall every
 * call on that table. A migration that fails rolls back and is tried again on the next open.
 */
export async function migrate(
  db: Executor,
  t: TableNames,
  namespace: string,
  lockTimeoutMs: number,
): Promise<number[]> {
  const index = (suffix: string): string => quoteIdent(`${namespace}_${suffix}`);
  return db.transaction(
    'migrate',
    async (query) => {
      await query(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
      await query('SELECT pg_advisory_xact_lock($1::int8)', [lockKey('migrate', t.scope)]);
      // Set after the advisory lock: waiting for another instance's migration is expected.
      await query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
      await query(`CREATE SCHEMA IF NOT EXISTS ${t.schema}`);
      await query(`CREATE TABLE IF NOT EXISTS ${t.migrations} (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
      const rows = await query<{ version: number | null }>(
        `SELECT max(version) AS version FROM ${t.migrations}`,
      );
      const current = rows[0]?.version ?? 0;
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        for (const statement of m.statements(t, index)) await query(statement);
        await query(`INSERT INTO ${t.migrations} (version, name) VALUES ($1, $2)`, [
          m.version,
          m.name,
        ]);
        applied.push(m.version);
      }
      return applied;
    },
    MIGRATION_TIMEOUT_MS,
  );
}

/** Checks, without changing anything, that the tables are at `LATEST_VERSION`. */
export async function assertMigrated(db: Executor, t: TableNames): Promise<void> {
  // A table that may not exist cannot appear in the same statement that checks for it.
  const [present] = await db.query<{ present: boolean }>(
    'schema check',
    'SELECT to_regclass($1) IS NOT NULL AS present',
    [t.migrations],
  );
  const rows = present?.present
    ? await db.query<{ version: number | null }>(
        'schema check',
        `SELECT max(version) AS version FROM ${t.migrations}`,
      )
    : [];
  const found = rows[0]?.version ?? 0;
  if (found < LATEST_VERSION) {
    throw new ConfigError(
      `The Stowage tables ${t.scope}_* are at schema version ${found}, this adapter needs ${LATEST_VERSION}; open it once with migrate: true (or run stowage migrate)`,
      { adapter: ADAPTER },
    );
  }
}
