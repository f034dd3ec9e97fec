import { systemClock } from '../clock.js';
import type { Clock, StowageAdapter } from '../types.js';
import { DEFAULT_MESSAGE_CHUNK, DEFAULT_MIGRATE_BATCH } from './migrate.js';
import { openAdapter } from './open-adapter.js';
import { readRecords } from './read-records.js';
import { RecordWriter, type WriteCounts } from './record-writer.js';
import type { MigrationRecord } from './records.js';

/** Options of `exportRecords`. */
export interface ExportOptions {
  /** Sessions or kv keys read per page (default 500). */
  batchSize?: number;
  /** Messages read per call (default 1000). */
  messageChunk?: number;
  /** Where `now` comes from for expiry checks (default the system clock). */
  clock?: Clock;
  /** Stops the export between pages. */
  signal?: AbortSignal;
}

/**
 * Streams everything live in an adapter as `MigrationRecord`s in bounded memory: each session
 * exactly as stored followed by its messages in chunks, then kv entries with their expiry.
 * The adapter is opened if needed and left open. Pair it with `importRecords` for backups.
 *
 * @example
 * ```ts
 * import { exportRecords, memoryAdapter } from '@stowage/core';
 * for await (const record of exportRecords(memoryAdapter())) console.log(record.kind);
 * ```
 */
export async function* exportRecords(
  adapter: StowageAdapter,
  options: ExportOptions = {},
): AsyncGenerator<MigrationRecord> {
  const clock = options.clock ?? systemClock;
  await openAdapter(adapter, clock);
  for await (const record of readRecords(adapter, {
    batchSize: options.batchSize ?? DEFAULT_MIGRATE_BATCH,
    messageChunk: options.messageChunk ?? DEFAULT_MESSAGE_CHUNK,
    clock,
    signal: options.signal,
  })) {
    if (record.kind !== 'batch' && record.kind !== 'page') yield record;
  }
}

/** Options of `importRecords`. */
export interface ImportOptions {
  /** Sessions or kv entries written per batch (default 500). */
  batchSize?: number;
  /** Where `now` comes from (default the system clock). */
  clock?: Clock;
}

/** What `importRecords` wrote. */
export type ImportResult = WriteCounts;

/**
 * Writes records (from `exportRecords` or an export file) to an adapter exactly, replacing
 * sessions and kv entries with the same ids. Each session's messages must follow it; the first
 * chunk replaces any messages the target held for that session, so importing twice gives the
 * same result. Needs `sessions.restore` on the target; malformed records are a
 * `ValidationError`.
 *
 * @example
 * ```ts
 * import { exportRecords, importRecords, memoryAdapter } from '@stowage/core';
 * const counts = await importRecords(memoryAdapter(), exportRecords(memoryAdapter()));
 * console.log(counts.sessions);
 * ```
 */
export async function importRecords(
  adapter: StowageAdapter,
  records: AsyncIterable<MigrationRecord> | Iterable<MigrationRecord>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const clock = options.clock ?? systemClock;
  await openAdapter(adapter, clock);
  const writer = new RecordWriter(adapter, clock, options.batchSize ?? DEFAULT_MIGRATE_BATCH);
  for await (const record of records) await writer.write(record);
  await writer.flush();
  return { ...writer.counts };
}
