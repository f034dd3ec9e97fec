import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A temporary folder for one test file, removed by `cleanup`. */
export function tempDir(label: string): { path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `stowage-sqlite-${label}-`));
  return {
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs one read-only query on the file through a separate connection and returns the first column. */
export function rawValue(path: string, sql: string, ...params: unknown[]): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(sql)
      .pluck()
      .get(...params);
  } finally {
    db.close();
  }
}

/**
 * SQL that turns a namespace's tables back into what schema version 4 left behind: an index on
 * the sessions' `updated_at`.
 */
export function schemaV4Sql(ns: string): string {
  return `
    CREATE INDEX ${ns}_sessions_updated ON ${ns}_sessions (updated_at);
    UPDATE ${ns}_meta SET value = '4' WHERE key = 'schema_version';
  `;
}

/**
 * SQL that turns a namespace's tables back into what schema version 3 left behind: no per-state
 * counter table.
 */
export function schemaV3Sql(ns: string): string {
  return `${schemaV4Sql(ns)}
    DROP TABLE ${ns}_state_counts;
    UPDATE ${ns}_meta SET value = '3' WHERE key = 'schema_version';
  `;
}

/**
 * SQL that turns a namespace's tables back into what schema version 2 left behind: the plain
 * state index, label rows without `created_at` and the `(name, value, session_id)` lookup index.
 */
export function schemaV2Sql(ns: string): string {
  return `${schemaV3Sql(ns)}
    DROP INDEX ${ns}_sessions_state_keyset;
    CREATE INDEX ${ns}_sessions_state ON ${ns}_sessions (state);
    CREATE TABLE ${ns}_old_labels (session_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (session_id, name)) WITHOUT ROWID;
    INSERT INTO ${ns}_old_labels SELECT session_id, name, value FROM ${ns}_session_labels;
    DROP TABLE ${ns}_session_labels;
    ALTER TABLE ${ns}_old_labels RENAME TO ${ns}_session_labels;
    CREATE INDEX ${ns}_session_labels_lookup ON ${ns}_session_labels (name, value, session_id);
    UPDATE ${ns}_meta SET value = '2' WHERE key = 'schema_version';
  `;
}
