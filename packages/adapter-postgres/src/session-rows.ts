import type { AdapterSessionFilter, Labels, SessionWrite, StoredSession } from '@stowage/core';
import { liveAt, ts } from './sql.js';

/** A session row as `sessionColumns` selects it (int8 columns arrive as strings). */
export interface SessionRow {
  id: string;
  data: string;
  state: string;
  labels: string;
  version: number;
  created_at: string | number;
  updated_at: string | number;
  expires_at: string | number | null;
  max_expires_at: string | number | null;
}

/**
 * Filter bounds may be any safe integer, but `ts()` is exact up to 4e15 ms (and timestamptz
 * ends near 9.2e15); no stored timestamp comes near this bound, so clamping changes no result.
 */
const MAX_BOUND_MS = 4e15;

/** What a write returns: the columns the database decides (the rest comes from the write). */
export type WrittenRow = Pick<
  SessionRow,
  'id' | 'version' | 'created_at' | 'updated_at' | 'expires_at' | 'max_expires_at'
>;

/**
 * The stored session after a write. Data, state and labels are the ones just written, so they
 * are not read back: sending every document back doubled the cost of large batches.
 */
export function toWritten(row: WrittenRow, write: SessionWrite): StoredSession {
  return {
    id: row.id,
    data: write.data,
    state: write.state,
    labels: { ...write.labels },
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    maxExpiresAt: row.max_expires_at === null ? null : Number(row.max_expires_at),
  };
}

/** Collects positional parameters while a statement is built. */
export class Params {
  /** The values, in `$n` order. */
  readonly values: unknown[] = [];

  /** Adds a value and returns its `$n` parameter reference. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Converts a selected row to the adapter contract's `StoredSession`. */
export function toSession(row: SessionRow): StoredSession {
  return {
    id: row.id,
    data: row.data,
    state: row.state,
    labels: JSON.parse(row.labels) as Labels,
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    maxExpiresAt: row.max_expires_at === null ? null : Number(row.max_expires_at),
  };
}

/**
 * The WHERE conditions for a filter over live sessions. Labels use `@>` so the GIN index
 * (jsonb_path_ops) serves them; states use the `(state, created_at, id)` index.
 */
export function filterConditions(
  alias: string,
  filter: AdapterSessionFilter,
  now: number,
  params: Params,
): string[] {
  const where = [liveAt(alias, params.add(now))];
  const states = filter.states;
  if (states?.length === 1) {
    // Equality (not `= ANY`) lets the (state, created_at, id) index return rows already in
    // keyset order, so a page reads only its own rows.
    where.push(`${alias}.state = ${params.add(states[0])}::text`);
  } else if (states) {
    where.push(`${alias}.state = ANY(${params.add(states)}::text[])`);
  }
  if (filter.labels && Object.keys(filter.labels).length > 0) {
    where.push(`${alias}.labels @> ${params.add(JSON.stringify(filter.labels))}::jsonb`);
  }
  if (filter.updatedAfter !== undefined) {
    where.push(
      `${alias}.updated_at > ${ts(params.add(Math.min(filter.updatedAfter, MAX_BOUND_MS)))}`,
    );
  }
  if (filter.updatedBefore !== undefined) {
    where.push(
      `${alias}.updated_at < ${ts(params.add(Math.min(filter.updatedBefore, MAX_BOUND_MS)))}`,
    );
  }
  return where;
}
