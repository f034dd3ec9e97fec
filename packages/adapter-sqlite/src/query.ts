import type { AdapterListQuery, AdapterSessionFilter } from '@stowage/core';
import type { Tables } from './schema.js';
import { SESSION_COLUMNS } from './store.js';

/** SQL text and its parameters. */
export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/** The expiry check that keeps live sessions (alias `s`) only. */
const LIVE = '(s.expires_at IS NULL OR s.expires_at > ?)';

/**
 * The filter's conditions on a session (alias `s`), without the expiry check, as a list of SQL
 * terms. A single state is an equality, so the `(state, created_at, id, expires_at)` index
 * serves it in keyset order; labels from `firstLabel` on are `EXISTS` lookups by the label
 * table's primary key `(session_id, name)`, one probe per session looked at. The SQL text
 * depends only on which fields are set, how many states (one or several) and how many labels,
 * so statements cache well.
 */
function sessionTerms(t: Tables, filter: AdapterSessionFilter, firstLabel: number): SqlQuery {
  const terms: string[] = [];
  const params: unknown[] = [];
  if (filter.states) {
    if (filter.states.length === 1) {
      terms.push('s.state = ?');
      params.push(filter.states[0]);
    } else {
      terms.push('s.state IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.states));
    }
  }
  if (filter.updatedAfter !== undefined) {
    terms.push('s.updated_at > ?');
    params.push(filter.updatedAfter);
  }
  if (filter.updatedBefore !== undefined) {
    terms.push('s.updated_at < ?');
    params.push(filter.updatedBefore);
  }
  const labels = Object.entries(filter.labels ?? {});
  for (const [name, value] of labels.slice(firstLabel)) {
    terms.push(
      `EXISTS (SELECT 1 FROM ${t.labels} x WHERE x.session_id = s.id AND x.name = ? AND x.value = ?)`,
    );
    params.push(name, value);
  }
  return { sql: terms.join(' AND '), params };
}

const and = (...parts: string[]): string => parts.filter((p) => p !== '').join(' AND ');

/** The first label of a filter, which drives label listings and counts, if any. */
function leadingLabel(filter: AdapterSessionFilter): [string, string] | undefined {
  for (const entry of Object.entries(filter.labels ?? {})) return entry;
  return undefined;
}

/**
 * The `FROM` and `WHERE` of a statement over live sessions (alias `s`) that match a filter.
 * With a label, the label table (alias `l`) is the outer loop of a `CROSS JOIN`, read from its
 * `(name, value, created_at, session_id)` index, so only sessions with that label are visited.
 */
function matching(t: Tables, filter: AdapterSessionFilter, now: number) {
  const label = leadingLabel(filter);
  const terms = sessionTerms(t, filter, label ? 1 : 0);
  if (label) {
    return {
      from: `${t.labels} l CROSS JOIN ${t.sessions} s ON s.id = l.session_id`,
      where: and('l.name = ? AND l.value = ?', LIVE, terms.sql),
      params: [label[0], label[1], now, ...terms.params],
      key: ['l.created_at', 'l.session_id'] as const,
    };
  }
  return {
    from: `${t.sessions} s`,
    where: and(LIVE, terms.sql),
    params: [now, ...terms.params],
    key: ['s.created_at', 's.id'] as const,
  };
}

/**
 * One keyset page of matching sessions in `(created_at, id)` order, ids in code-point order
 * (SQLite's BINARY collation compares UTF-8 bytes, which is the same order).
 *
 * With a label in the filter, the page is read from the label table's
 * `(name, value, created_at, session_id)` index, which holds each label row's session
 * creation time, in order: `CROSS JOIN` fixes the label table as the outer loop, so the scan
 * stops after `limit` live matches instead of sorting every session with the label. Without
 * one, a single state reads the `(state, created_at, id, expires_at)` index in order, and
 * anything else the `(created_at, id)` index.
 */
export function listQuery(t: Tables, query: AdapterListQuery, now: number): SqlQuery {
  const dir = query.order === 'desc' ? 'DESC' : 'ASC';
  const { from, key, params, where: filtered } = matching(t, query, now);
  let where = filtered;
  if (query.after) {
    where += ` AND (${key[0]}, ${key[1]}) ${query.order === 'desc' ? '<' : '>'} (?, ?)`;
    params.push(query.after.createdAt, query.after.id);
  }
  params.push(query.limit);
  return {
    sql: `SELECT ${SESSION_COLUMNS} FROM ${from} WHERE ${where} ORDER BY ${key[0]} ${dir}, ${key[1]} ${dir} LIMIT ?`,
    params,
  };
}

/**
 * The number of matching live sessions, as the matching sessions minus the matching expired
 * ones, both in one statement, so they see the same snapshot. The second part walks the
 * partial `expires_at` index over sessions already expired at `now` (those the sweeper has not
 * removed yet, usually few) and checks the filter on each. The first part never reads a
 * session row when it can avoid it:
 * - states only, or no filter at all: the per-state counter rows (schema version 4), so the
 *   cost does not grow with the sessions;
 * - one label, nothing else: the label index alone;
 * - one label with more conditions: the label index joined to each of its sessions;
 * - anything else (`updatedAfter`/`updatedBefore`): the sessions, through the state index when
 *   a state is given.
 */
export function countQuery(t: Tables, filter: AdapterSessionFilter, now: number): SqlQuery {
  const label = leadingLabel(filter);
  const terms = sessionTerms(t, filter, label ? 1 : 0);
  let all: string;
  const params: unknown[] = [];
  if (label) {
    // Every label row belongs to a session row (they are written and removed together), so
    // without other conditions the label index alone counts the sessions.
    all =
      terms.sql === ''
        ? `SELECT count(*) FROM ${t.labels} l WHERE l.name = ? AND l.value = ?`
        : `SELECT count(*) FROM ${t.labels} l CROSS JOIN ${t.sessions} s ON s.id = l.session_id WHERE l.name = ? AND l.value = ? AND ${terms.sql}`;
    params.push(label[0], label[1], ...terms.params);
  } else if (filter.updatedAfter === undefined && filter.updatedBefore === undefined) {
    // `IN` is a set test, so a state listed twice is counted once, as the other paths do.
    const states = filter.states;
    all = `SELECT coalesce(sum(n), 0) FROM ${t.stateCounts}`;
    if (states?.length === 1) {
      all += ' WHERE state = ?';
      params.push(states[0]);
    } else if (states) {
      all += ' WHERE state IN (SELECT value FROM json_each(?))';
      params.push(JSON.stringify(states));
    }
  } else {
    all = `SELECT count(*) FROM ${t.sessions} s WHERE ${terms.sql}`;
    params.push(...terms.params);
  }
  const expiredTerms = sessionTerms(t, filter, 0);
  const expired = `SELECT count(*) FROM ${t.sessions} s INDEXED BY ${t.sessions}_expires WHERE ${and('s.expires_at IS NOT NULL AND s.expires_at <= ?', expiredTerms.sql)}`;
  params.push(now, ...expiredTerms.params);
  return { sql: `SELECT (${all}) - (${expired})`, params };
}

/** The ids of matching live sessions (for `deleteWhere`), found the way a listing finds them. */
export function idsQuery(t: Tables, filter: AdapterSessionFilter, now: number): SqlQuery {
  const { from, where, params } = matching(t, filter, now);
  return { sql: `SELECT s.id FROM ${from} WHERE ${where}`, params };
}
