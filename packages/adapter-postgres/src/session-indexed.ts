import type { AdapterListQuery, AdapterSessionFilter } from '@stowage/core';
import type { Params } from './session-rows.js';
import { liveAt, type TableNames, ts } from './sql.js';

/** A filter on exactly one label and nothing else, which the label table answers alone. */
export interface OneLabel {
  name: string;
  value: string;
}

/** Whether a filter has no state and no `updatedAfter`/`updatedBefore` bounds. */
function onlyOne(filter: AdapterSessionFilter): boolean {
  return filter.updatedAfter === undefined && filter.updatedBefore === undefined;
}

/** The one label of a filter that has nothing else, or undefined. */
export function oneLabel(filter: AdapterSessionFilter): OneLabel | undefined {
  if (!onlyOne(filter) || filter.states !== undefined || !filter.labels) return undefined;
  const entries = Object.entries(filter.labels);
  if (entries.length !== 1) return undefined;
  const [name, value] = entries[0] as [string, string];
  return { name, value };
}

/** The one state of a filter that has nothing else, or undefined. */
export function oneState(filter: AdapterSessionFilter): string | undefined {
  if (!onlyOne(filter) || filter.states?.length !== 1) return undefined;
  if (filter.labels && Object.keys(filter.labels).length > 0) return undefined;
  return filter.states[0];
}

/**
 * `count` of one state: the sharded counter rows of the state plus its state changes not yet
 * folded by the sweeper (together: every stored row), minus the rows of that state that have
 * expired but are not swept yet (a range of the partial `expires_at` index). All read one
 * snapshot, and the counters change in the transaction of every write, so the difference is
 * exact for live sessions.
 */
export function countStateSql(t: TableNames, state: string, now: number, params: Params): string {
  const s = params.add(state);
  return `SELECT ((SELECT coalesce(sum(c.n), 0) FROM ${t.stateCounts} c WHERE c.state = ${s}::text)
    + (SELECT coalesce(sum(m.n), 0) FROM ${t.stateMoves} m WHERE m.state = ${s}::text)
    - (SELECT count(*) FROM ${t.sessions} x
       WHERE x.expires_at <= ${ts(params.add(now))} AND x.state = ${s}::text))::int8 AS n`;
}

/**
 * `count` of one label: its entries in the label index (an index-only scan) minus those of
 * sessions expired but not swept yet (the partial `expires_at` index, then the label's primary
 * key per expired session).
 */
export function countLabelSql(t: TableNames, label: OneLabel, now: number, params: Params): string {
  const name = params.add(label.name);
  const value = params.add(label.value);
  return `SELECT ((SELECT count(*) FROM ${t.labels} l WHERE l.name = ${name}::text AND l.value = ${value}::text)
    - (SELECT count(*) FROM ${t.sessions} x JOIN ${t.labels} l ON l.session_id = x.id AND l.name = ${name}::text
       WHERE x.expires_at <= ${ts(params.add(now))} AND l.value = ${value}::text))::int8 AS n`;
}

/**
 * The inner page of `list` by one label: label entries in keyset order (they carry their
 * session's `created_at`), each looked up in the sessions' `(created_at, id)` index, expired ones
 * skipped, stopping at the page size. Returns whole session rows as `SELECT *` from the sessions
 * table. The lookup is by `(created_at, id)` rather than the primary key because a page's entries
 * are adjacent in that index (a few leaf pages per page of 100), where their ids are scattered
 * across the primary key (one leaf page each, mostly not cached at a million sessions). It is a
 * LATERAL subquery with LIMIT 1 so the planner keeps the nested loop in keyset order and knows it
 * yields at most one row per entry: as a plain join on both columns it estimates one row in all,
 * and for a common label chooses a hash join over the whole sessions table.
 */
export function listLabelSql(
  t: TableNames,
  label: OneLabel,
  query: AdapterListQuery,
  now: number,
  params: Params,
): string {
  const where = [
    `l.name = ${params.add(label.name)}::text`,
    `l.value = ${params.add(label.value)}::text`,
  ];
  const live = liveAt('x', params.add(now));
  const dir = query.order === 'desc' ? 'DESC' : 'ASC';
  if (query.after) {
    const op = query.order === 'desc' ? '<' : '>';
    where.push(
      `(l.created_at, l.session_id) ${op} (${ts(params.add(query.after.createdAt))}, ${params.add(query.after.id)}::text)`,
    );
  }
  return `SELECT s.* FROM ${t.labels} l CROSS JOIN LATERAL (
      SELECT x.* FROM ${t.sessions} x
      WHERE x.created_at = l.created_at AND x.id = l.session_id AND ${live} LIMIT 1
    ) s
    WHERE ${where.join(' AND ')}
    ORDER BY l.created_at ${dir}, l.session_id ${dir} LIMIT ${params.add(query.limit)}`;
}
