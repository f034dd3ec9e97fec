import { ConfigError } from '@stowage/core';
import type { SqliteDatabase } from './database.js';
import { ADAPTER } from './errors.js';

/** The adapter's table names for one namespace. */
export interface Tables {
  meta: string;
  sessions: string;
  labels: string;
  /** Session rows per state, moved by every write that adds, removes or re-states one (schema 4). */
  stateCounts: string;
  messages: string;
  idempotency: string;
  kv: string;
  jobs: string;
}

/** Table names for a validated namespace (letters, digits and `_`, so safe to splice into SQL). */
export function tablesFor(namespace: string): Tables {
  return {
    meta: `${namespace}_meta`,
    sessions: `${namespace}_sessions`,
    labels: `${namespace}_session_labels`,
    stateCounts: `${namespace}_state_counts`,
    messages: `${namespace}_messages`,
    idempotency: `${namespace}_idempotency`,
    kv: `${namespace}_kv`,
    jobs: `${namespace}_jobs`,
  };
}

/**
 * Schema versions in order; entry `i` moves the schema from version `i` to `i + 1`. Entries are
 * never edited once released: a change is a new entry. The `id` and `key` columns keep SQLite's
 * default BINARY collation on purpose: it compares UTF-8 bytes, the code-point order listings
 * promise, so their indexes serve paging and prefix scans directly.
 */
const MIGRATIONS: ((t: Tables) => string)[] = [
  (t) => `
    CREATE TABLE ${t.sessions} (
      id TEXT PRIMARY KEY NOT NULL,
      state TEXT NOT NULL,
      labels TEXT NOT NULL,
      version INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      expires_at INTEGER,
      max_expires_at INTEGER,
      msg_head INTEGER NOT NULL DEFAULT 0,
      msg_next INTEGER NOT NULL DEFAULT 0,
      data TEXT NOT NULL
    );
    CREATE INDEX ${t.sessions}_created ON ${t.sessions} (created_at, id);
    CREATE INDEX ${t.sessions}_state ON ${t.sessions} (state);
    CREATE INDEX ${t.sessions}_updated ON ${t.sessions} (updated_at);
    CREATE INDEX ${t.sessions}_expires ON ${t.sessions} (expires_at) WHERE expires_at IS NOT NULL;
    CREATE TABLE ${t.labels} (
      session_id TEXT NOT NULL,
      name TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (session_id, name)
    ) WITHOUT ROWID;
    CREATE INDEX ${t.labels}_lookup ON ${t.labels} (name, value, session_id);
    CREATE TABLE ${t.messages} (
      session_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (session_id, seq)
    );
    CREATE TABLE ${t.idempotency} (
      session_id TEXT NOT NULL,
      key TEXT NOT NULL,
      PRIMARY KEY (session_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE ${t.kv} (
      key TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL,
      expires_at INTEGER
    );
    CREATE INDEX ${t.kv}_expires ON ${t.kv} (expires_at) WHERE expires_at IS NOT NULL;
  `,
  // Queues. `seq` is the rowid, so it grows with every insert and orders jobs that become
  // available at the same moment; a replayed job is re-inserted to go to the back. The partial
  // indexes cover the two hot scans: ready jobs in delivery order, and leases that have ended.
  (t) => `
    CREATE TABLE ${t.jobs} (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      queue TEXT NOT NULL,
      id TEXT NOT NULL,
      payload TEXT NOT NULL,
      available_at INTEGER NOT NULL,
      max_attempts INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      token TEXT,
      visible_until INTEGER NOT NULL DEFAULT 0,
      failed_at INTEGER,
      UNIQUE (queue, id)
    );
    CREATE INDEX ${t.jobs}_ready ON ${t.jobs} (queue, available_at, seq)
      WHERE token IS NULL AND failed_at IS NULL;
    CREATE INDEX ${t.jobs}_leased ON ${t.jobs} (queue, visible_until) WHERE token IS NOT NULL;
    CREATE INDEX ${t.jobs}_dead ON ${t.jobs} (queue, failed_at, id) WHERE failed_at IS NOT NULL;
  `,
  // Listing and counting in keyset order at scale. The state index becomes
  // (state, created_at, id, expires_at): a listing by one state reads its page in order instead
  // of sorting every session in that state, and a count by state reads the index alone. Label
  // rows get their session's created_at (fixed for a session's life; restore rewrites them)
  // and an index on (name, value, created_at, session_id), so a listing by label reads its page
  // in order from the label table, and a count by label reads only that index. The label table
  // is rebuilt rather than altered, which also drops label rows left without a session. The
  // rebuild and the indexes take seconds per million sessions, inside the migration's one
  // transaction, so other connections wait for it (up to their busy timeout) once.
  (t) => `
    CREATE INDEX ${t.sessions}_state_keyset ON ${t.sessions} (state, created_at, id, expires_at);
    DROP INDEX ${t.sessions}_state;
    CREATE TABLE ${t.labels}_v3 (
      session_id TEXT NOT NULL,
      name TEXT NOT NULL,
      value TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (session_id, name)
    ) WITHOUT ROWID;
    INSERT INTO ${t.labels}_v3 (session_id, name, value, created_at)
      SELECT l.session_id, l.name, l.value, s.created_at
      FROM ${t.labels} l JOIN ${t.sessions} s ON s.id = l.session_id;
    DROP TABLE ${t.labels};
    ALTER TABLE ${t.labels}_v3 RENAME TO ${t.labels};
    CREATE INDEX ${t.labels}_keyset ON ${t.labels} (name, value, created_at, session_id);
  `,
  // Counting by state at any size. One row per state holds how many session rows have it,
  // expired-but-unswept rows included (a count subtracts those, as before); a state with no
  // rows has no counter row. The adapter moves it in the transaction of every write that adds,
  // removes or re-states a row (`Store.countState`). Built here from the rows by a covering
  // scan of the state index (about 0.2 s per million sessions). Triggers on the sessions table
  // would keep it for any writer too, but measured on a file they made bulk inserts of sessions
  // over 2x slower and added some 10 µs to a created session (a statement that fires triggers
  // runs them as sub-programs, likely with a statement journal), against a few µs for the one
  // upsert the adapter runs itself.
  (t) => `
    CREATE TABLE ${t.stateCounts} (
      state TEXT PRIMARY KEY NOT NULL,
      n INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO ${t.stateCounts} (state, n)
      SELECT state, count(*) FROM ${t.sessions} GROUP BY state;
  `,
  // Cheaper saves and appends. Every save and append moves `updated_at`, and its index entry
  // with it: two more pages written to the WAL per commit (the old entry's leaf and the
  // rightmost one), where an update of a live session otherwise writes one. Measured on a file,
  // that was some 40% of a save's time with its checkpoints. Only a filter by `updatedAfter` or
  // `updatedBefore` without a state or label used the index (listings page by `created_at`);
  // such a count or `deleteWhere` now reads the session rows once. From this version on the
  // next message number is also read from the end of the messages' primary key instead of the
  // session row's `msg_next` (see `nextSeqSql`), which needs no data change: on every file
  // written so far both agree.
  (t) => `
    DROP INDEX IF EXISTS ${t.sessions}_updated;
  `,
];

/** The schema version this release writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the namespace's tables to `SCHEMA_VERSION`. Runs in one `BEGIN IMMEDIATE` transaction,
 * so processes opening the same new file at the same moment queue up and only the first one
 * creates the tables. A file written by a newer release is refused rather than misread.
 */
export function migrate(db: SqliteDatabase, tables: Tables): void {
  const run = db.transaction(() => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${tables.meta} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, expires_at INTEGER)`,
    );
    const row = db.prepare(`SELECT value FROM ${tables.meta} WHERE key = 'schema_version'`).get() as
      | { value: string }
      | undefined;
    const current = row ? Number(row.value) : 0;
    if (current > SCHEMA_VERSION) {
      throw new ConfigError(
        `SQLite tables ${tables.sessions}... have schema version ${current}, newer than this @stowage/adapter-sqlite understands (${SCHEMA_VERSION}); upgrade the package`,
        { adapter: ADAPTER },
      );
    }
    for (let v = current; v < SCHEMA_VERSION; v++)
      db.exec((MIGRATIONS[v] as (t: Tables) => string)(tables));
    if (current !== SCHEMA_VERSION) {
      db.prepare(
        `INSERT INTO ${tables.meta} (key, value) VALUES ('schema_version', ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ).run(String(SCHEMA_VERSION));
    }
  });
  run.immediate();
}
