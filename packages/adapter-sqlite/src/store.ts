import { CorruptionError, isExpired, type StoredSession } from '@stowage/core';
import type { SqliteDatabase, SqliteStatement } from './database.js';
import { ADAPTER } from './errors.js';
import type { Tables } from './schema.js';

/** A sessions row as the session columns select it. */
export interface SessionRow {
  id: string;
  state: string;
  labels: string;
  version: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  maxExpiresAt: number | null;
  data: string;
}

/** The columns of a `SessionRow`, for `SELECT` lists over the sessions table aliased `s`. */
export const SESSION_COLUMNS =
  's.id, s.state, s.labels, s.version, s.created_at AS createdAt, s.updated_at AS updatedAt, s.expires_at AS expiresAt, s.max_expires_at AS maxExpiresAt, s.data';

const STATEMENT_CACHE_LIMIT = 256;

/**
 * SQL for the sequence number a session's next message gets, over the unaliased sessions
 * table: one past its last message, found at the end of the messages' `(session_id, seq)`
 * primary key, or `msg_head` when a trim left none. Deriving it, instead of keeping a counter
 * on the session row (`msg_next`, unused since schema version 5), spares each append a write of
 * that row beyond its `updated_at`.
 */
export function nextSeqSql(t: Tables): string {
  return `max(msg_head, coalesce((SELECT max(m.seq) + 1 FROM ${t.messages} m WHERE m.session_id = ${t.sessions}.id), 0))`;
}

/**
 * One open database with the statements every driver shares, prepared once. Statements whose
 * text depends on the query (listing filters) are prepared on first use and cached.
 */
export class Store {
  readonly db: SqliteDatabase;
  readonly tables: Tables;
  private readonly cache = new Map<string, SqliteStatement>();
  private readonly deleteMessages: SqliteStatement;
  private readonly deleteIdempotency: SqliteStatement;
  private readonly deleteSessionLabels: SqliteStatement;
  private readonly deleteSession: SqliteStatement;
  private readonly insertLabel: SqliteStatement;
  private readonly addToState: SqliteStatement;
  private readonly takeFromState: SqliteStatement;
  private readonly dropEmptyState: SqliteStatement;

  constructor(db: SqliteDatabase, tables: Tables) {
    this.db = db;
    this.tables = tables;
    const t = tables;
    this.deleteMessages = db.prepare(`DELETE FROM ${t.messages} WHERE session_id = ?`);
    this.deleteIdempotency = db.prepare(`DELETE FROM ${t.idempotency} WHERE session_id = ?`);
    this.deleteSessionLabels = db.prepare(`DELETE FROM ${t.labels} WHERE session_id = ?`);
    this.deleteSession = db
      .prepare(`DELETE FROM ${t.sessions} WHERE id = ? RETURNING state`)
      .pluck();
    this.insertLabel = db.prepare(
      `INSERT INTO ${t.labels} (session_id, name, value, created_at) VALUES (?, ?, ?, ?)`,
    );
    this.addToState = db.prepare(
      `INSERT INTO ${t.stateCounts} (state, n) VALUES (?, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1`,
    );
    this.takeFromState = db.prepare(`UPDATE ${t.stateCounts} SET n = n - 1 WHERE state = ?`);
    this.dropEmptyState = db.prepare(`DELETE FROM ${t.stateCounts} WHERE state = ? AND n = 0`);
  }

  /** A statement for SQL built at run time, prepared once per distinct text. */
  statement(sql: string): SqliteStatement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      // Filter combinations are few in practice; the cap only bounds a pathological caller.
      if (this.cache.size >= STATEMENT_CACHE_LIMIT) this.cache.clear();
      stmt = this.db.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  /**
   * Deletes a session row with its labels, messages and idempotency keys, and takes it off its
   * state's counter. Call inside a transaction.
   */
  removeSession(id: string): boolean {
    this.deleteMessages.run(id);
    this.deleteIdempotency.run(id);
    this.deleteSessionLabels.run(id);
    const removed = this.deleteSession.get(id) as string | undefined;
    if (removed === undefined) return false;
    this.countState(removed, undefined);
    return true;
  }

  /**
   * Moves one session row between per-state counters: `from` is the state it had (undefined
   * for a new row), `to` the state it has now (undefined for a removed row). Every write that
   * inserts a session row, changes its state or removes it calls this in its transaction, which
   * keeps `count` by state exact without reading the rows. Call inside a transaction.
   */
  countState(from: string | undefined, to: string | undefined): void {
    if (from === to) return;
    if (from !== undefined) {
      this.takeFromState.run(from);
      this.dropEmptyState.run(from);
    }
    if (to !== undefined) this.addToState.run(to);
  }

  /**
   * Replaces the label rows of a session. Each row carries the session's `createdAt`, the key
   * label listings page by, so it must be the session row's. Call inside a transaction.
   */
  writeLabels(
    id: string,
    labels: Record<string, string>,
    createdAt: number,
    replace: boolean,
  ): void {
    if (replace) this.deleteSessionLabels.run(id);
    for (const name in labels) this.insertLabel.run(id, name, labels[name], createdAt);
  }
}

/** Converts a row to the adapter contract's `StoredSession`. */
export function toStored(row: SessionRow): StoredSession {
  let labels: Record<string, string>;
  try {
    labels = JSON.parse(row.labels) as Record<string, string>;
  } catch (error) {
    throw new CorruptionError(`Labels of session ${JSON.stringify(row.id)} are not JSON`, {
      adapter: ADAPTER,
      cause: error,
    });
  }
  return {
    id: row.id,
    data: row.data,
    state: row.state,
    labels,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    expiresAt: row.expiresAt,
    maxExpiresAt: row.maxExpiresAt,
  };
}

/** Whether a row is present and not expired at `now`. */
export function isLive<R extends { expiresAt: number | null }>(
  row: R | undefined,
  now: number,
): row is R {
  return row !== undefined && !isExpired(row.expiresAt, now);
}
