import type { KvWrite, ListPosition, StoredSession } from '../types.js';

/**
 * Keys under this prefix belong to Stowage itself (the migration checkpoint): a copy, an export
 * and a verification leave them out.
 */
export const RESERVED_KEY_PREFIX = '__stowage__/';

/**
 * One item of a backend's content as migration, export and import move it: a session exactly as
 * stored, a chunk of its messages (right after the session, `offset` counting from its first
 * message), or a kv entry with its expiry. Data is the codec's text, copied without decoding.
 */
export type MigrationRecord =
  | { kind: 'session'; session: StoredSession }
  | { kind: 'messages'; id: string; offset: number; items: string[] }
  | { kind: 'kv'; entry: KvWrite };

/** The copy phases, in order. */
export type CopyPhase = 'sessions' | 'kv';

/**
 * Where a copy stands: the last session position or kv key of the last completed batch of a
 * phase. A copy resumed from it starts with the next item.
 */
export interface CopyPosition {
  phase: CopyPhase;
  /** Last copied session position (phase `'sessions'`). */
  after?: ListPosition;
  /** Last copied kv key (phase `'kv'`). */
  afterKey?: string;
}

/** Marks the end of a batch in the reader's stream: everything before it may be checkpointed. */
export interface BatchEnd {
  kind: 'batch';
  position: CopyPosition;
  /** How many sessions or kv entries the batch held. */
  items: number;
}

/**
 * Announces a page of sessions before their records, so a writer can restore them in one call
 * instead of one by one. Internal to `migrate`: exports leave it out.
 */
export interface PageStart {
  kind: 'page';
  sessions: StoredSession[];
}

/** Round trips kept in flight at once when reading messages or digests, and writing messages. */
export const COPY_CONCURRENCY = 8;
