import type { AdapterListQuery, AdapterSessionFilter } from '@stowage/core';
import type { Tables } from './schema.js';
import { SESSION_COLUMNS } from './store.js';

/** SQL text and its parameters. */
export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/**
 * The `WHERE` clause selecting live sessions (alias `s`) that match a filter. Each label is an
 * indexed lookup in the labels table, so a label filter never scans every session; the SQL
 * text depends only on which fields are set and how many labels, so it caches well.
 */
export function filterClause(t: Tables, filter: AdapterSessionFilter, now: number): SqlQuery {
  let sql = '(s.expires_at IS NULL OR s.expires_at > ?)';
  const params: unknown[] = [now];
  if (filter.states) {
    sql += ' AND s.state IN (SELECT value FROM json_each(?))';
    params.push(JSON.stringify(filter.states));
  }
  if (filter.updatedAfter !== undefined) {
    sql += ' AND s.updated_at > ?';
    params.push(filter.updatedAfter);
  }
  if (filter.updatedBefore !== undefined) {
    sql += ' AND s.updated_at < ?';
    params.push(filter.updatedBefore);
  }
  if (filter.labels) {
    for (const [name, value] of Object.entries(filter.labels)) {
      sql += ` AND s.id IN (SELECT session_id FROM ${t.labels} WHERE name = ? AND value = ?)`;
      params.push(name, value);
    }
  }
  return { sql, params };
}

/**
 * One keyset page of matching sessions in `(created_at, id)` order, ids in code-point order
 * (SQLite's BINARY collation compares UTF-8 bytes, which is the same order).
 */
export function listQuery(t: Tables, query: AdapterListQuery, now: number): SqlQuery {
  const where = filterClause(t, query, now);
  const dir = query.order === 'desc' ? 'DESC' : 'ASC';
  let sql = `SELECT ${SESSION_COLUMNS} FROM ${t.sessions} s WHERE ${where.sql}`;
  if (query.after) {
    sql += ` AND (s.created_at, s.id) ${query.order === 'desc' ? '<' : '>'} (?, ?)`;
    where.params.push(query.after.createdAt, query.after.id);
  }
  sql += ` ORDER BY s.created_at ${dir}, s.id ${dir} LIMIT ?`;
  where.params.push(query.limit);
  return { sql, params: where.params };
}

/** The number of matching sessions. */
export function countQuery(t: Tables, filter: AdapterSessionFilter, now: number): SqlQuery {
  const where = filterClause(t, filter, now);
  return { sql: `SELECT count(*) FROM ${t.sessions} s WHERE ${where.sql}`, params: where.params };
}

/** The ids of matching sessions. */
export function idsQuery(t: Tables, filter: AdapterSessionFilter, now: number): SqlQuery {
  const where = filterClause(t, filter, now);
  return { sql: `SELECT s.id FROM ${t.sessions} s WHERE ${where.sql}`, params: where.params };
}
