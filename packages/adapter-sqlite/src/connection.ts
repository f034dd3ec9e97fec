import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';
import type { ResolvedOptions } from './options.js';

/** An open connection and whether the adapter owns it (and so must close it). */
export interface Connection {
  db: SqliteDatabase;
  owned: boolean;
}

/**
 * Opens the configured database (creating the file's parent folders) or adopts the app's
 * connection, then applies the pragmas: `busy_timeout` first, so that switching to WAL waits
 * for other processes instead of failing, then WAL, `synchronous`, and the app's extras.
 */
export function connect(options: ResolvedOptions): Connection {
  const { target } = options;
  let db: SqliteDatabase;
  let owned = false;
  if (target.database) {
    db = target.database;
  } else {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    db = new Database(target.path);
    owned = true;
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    if (!db.memory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    for (const [name, value] of options.pragmas) {
      db.pragma(`${name} = ${typeof value === 'boolean' ? Number(value) : value}`);
    }
  } catch (error) {
    if (owned) db.close();
    throw error;
  }
  return { db, owned };
}
